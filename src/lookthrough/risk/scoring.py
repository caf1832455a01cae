"""Scoring runs: the full re-score (a command and a scheduled job) and the incremental one
(only businesses touched by records that arrived since the last run).

A run loads the active model's indicators into the analytics engine, scores, and writes the
current assessments, level changes, alerts, "1+N" credit classes and (full runs) a snapshot of
counts for the trend lines — all in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import RiskScored
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.errors import Conflict
from lookthrough.core.scope import region_prefix_clause
from lookthrough.engine.compile import lookback_days
from lookthrough.engine.definitions import IndicatorSpec
from lookthrough.engine.seam import DuckDBEngine
from lookthrough.records.models import Record
from lookthrough.registry.models import Entity
from lookthrough.resolution.models import MentionLink
from lookthrough.risk import alerting, credit, frame, indicators, rules, store
from lookthrough.risk.dataset import Frame, data_end, frame_at
from lookthrough.risk.models import Assessment, LevelChange, RiskModel, ScoringRun, Snapshot
from lookthrough.risk.scorers import Scorer, restore

TOP_N = 3
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def active_model(session: Session) -> RiskModel:
    model = session.scalar(
        select(RiskModel).where(RiskModel.status == "active").order_by(RiskModel.created_at.desc())
    )
    if model is None:
        raise Conflict("尚无启用的风险模型，请先运行 lookthrough risk train 训练模型")
    return model


def scorer_for(session: Session, model: RiskModel) -> tuple[list[IndicatorSpec], Scorer]:
    specs = indicators.specs_for(session, model.indicators)
    return specs, restore(model.algorithm, specs, model.params, model.booster)


def entity_ids_in(session: Session, *, region: str) -> list[int] | None:
    """Businesses registered in a region (None: the whole province, no list needed)."""
    if region == "34":
        return None
    return list(
        session.scalars(select(Entity.id).where(region_prefix_clause(Entity.region_code, region)))
    )


@dataclass
class Assessed:
    frame: Frame
    probability: np.ndarray
    consequence: np.ndarray
    levels: np.ndarray
    top: pa.Table  # entity_id, top (JSON text)


def _top_table(
    engine: DuckDBEngine, specs: Sequence[IndicatorSpec], rows: Frame, contrib: np.ndarray
) -> pa.Table:
    """The TOP_N indicators that pushed each business's risk up, with their values, as JSON."""
    n, k = contrib.shape
    columns: dict[str, Any] = {"entity_id": rows.ids}
    # A reason is an indicator that pushed the risk up *and* shows something: a count above
    # zero, a last violation within the window. A linear model also credits "fewer alarms than
    # average", which is no reason to visit anyone.
    shows = (
        np.column_stack(
            [
                rows.values[:, j] > 0 if s.higher_is_riskier else rows.values[:, j] < s.window_days
                for j, s in enumerate(specs)
            ]
        )
        if k
        else np.zeros((n, 0), dtype=bool)
    )
    contrib = np.where(shows, contrib, 0.0)
    if k:
        take = min(TOP_N, k)
        part = np.argpartition(-contrib, take - 1, axis=1)[:, :take]
        picked = np.take_along_axis(contrib, part, axis=1)
        order = np.argsort(-picked, axis=1, kind="stable")
        best = np.take_along_axis(part, order, axis=1)
        codes = np.array([s.code for s in specs], dtype=object)
        names = np.array([s.name for s in specs], dtype=object)
        units = np.array([s.unit for s in specs], dtype=object)
        for i in range(take):
            j = best[:, i]
            points = contrib[np.arange(n), j]
            keep = points > 1e-9
            for prefix, labels in (("c", codes), ("n", names), ("u", units)):
                picked_labels = labels[j].copy()
                picked_labels[~keep] = None
                columns[f"{prefix}{i}"] = pa.array(picked_labels.tolist(), pa.string())
            columns[f"v{i}"] = np.round(rows.values[np.arange(n), j], 4)
            columns[f"w{i}"] = np.round(points, 4)
    else:
        take = 0
    engine.load("top_parts", pa.table(columns))
    items = ", ".join(
        f"{{'code': c{i}, 'name': n{i}, 'value': v{i}, 'unit': u{i}, 'points': w{i}}}"
        for i in range(take)
    )
    listed = f"list_filter([{items}], lambda x: x.code IS NOT NULL)" if take else "[]"
    # Column names made here, no values (hence S608 is safe here).
    return engine.query(
        f"SELECT entity_id, CAST(to_json({listed}) AS VARCHAR) AS top FROM top_parts"  # noqa: S608
        " ORDER BY entity_id"
    )


def assess(
    engine: DuckDBEngine, specs: Sequence[IndicatorSpec], scorer: Scorer, as_of: dt.date
) -> Assessed:
    """Score every business loaded in the engine, as of a day."""
    rows = frame_at(engine, specs, as_of)
    scored = scorer.score(rows.values, rows.fields)
    consequence = rules.consequences(rows.fields, rows.capital, rows.subjects)
    levels = rules.levels(scored.probability, consequence)
    top = _top_table(engine, specs, rows, scored.contributions)
    return Assessed(rows, scored.probability, consequence, levels, top)


@dataclass
class RunSummary:
    run_id: int
    kind: str
    model_id: str
    as_of: dt.date
    entities: int
    events: int
    alerts: int
    level_counts: dict[int, int]
    seconds: dict[str, float] = field(default_factory=dict)


def _previous_levels(session: Session, ids: np.ndarray | None) -> dict[int, int]:
    stmt = select(Assessment.entity_id, Assessment.level)
    if ids is not None:
        found: dict[int, int] = {}
        for start in range(0, len(ids), 20_000):
            chunk = [int(i) for i in ids[start : start + 20_000]]
            found |= dict(session.execute(stmt.where(Assessment.entity_id.in_(chunk))).all())
        return found
    return dict(session.execute(stmt).all())


def _assessment_table(
    result: Assessed, model_id: str, as_of: dt.date, now: dt.datetime
) -> pa.Table:
    rows = result.frame
    n = len(rows.ids)
    table = pa.table(
        {
            "entity_id": pa.array(rows.ids, pa.int64()),
            "region_code": pa.array(rows.regions.tolist(), pa.string()),
            "field": pa.array(rows.fields.tolist(), pa.string()),
            "model_id": pa.array([model_id] * n, pa.string()),
            "as_of": pa.array([as_of] * n, pa.date32()),
            "assessed_at": pa.array([now] * n, pa.timestamp("us", tz="UTC")),
            "probability": np.round(result.probability, 6),
            "consequence": result.consequence,
            "level": pa.array(result.levels, pa.int32()),
            "top": result.top.column("top"),
        }
    )
    return store.json_column(table, "top")


def _level_changes(
    result: Assessed, before: dict[int, int], model_id: str, as_of: dt.date, now: dt.datetime
) -> tuple[pa.Table, np.ndarray]:
    """Rows for ``risk_level_change`` and the previous level of each business (0 = none)."""
    rows = result.frame
    previous = np.array([before.get(int(i), 0) for i in rows.ids], dtype=np.int64)
    changed = (previous > 0) & (previous != result.levels)
    n = int(changed.sum())
    table = pa.table(
        {
            "entity_id": pa.array(rows.ids[changed], pa.int64()),
            "region_code": pa.array(rows.regions[changed].tolist(), pa.string()),
            "model_id": pa.array([model_id] * n, pa.string()),
            "at": pa.array([now] * n, pa.timestamp("us", tz="UTC")),
            "as_of": pa.array([as_of] * n, pa.date32()),
            "from_level": pa.array(previous[changed], pa.int32()),
            "to_level": pa.array(result.levels[changed], pa.int32()),
            "probability": np.round(result.probability[changed], 6),
        }
    )
    return table, previous


def _snapshot(session: Session, run_id: int, result: Assessed, as_of: dt.date) -> None:
    rows = result.frame
    counts: dict[tuple[str, str, int], int] = {}
    counties = np.array([r[:6] for r in rows.regions.tolist()], dtype=object)
    keys = np.char.add(
        np.char.add(counties.astype(str), "|"),
        np.char.add(np.char.add(rows.fields.astype(str), "|"), result.levels.astype(str)),
    )
    unique, n = np.unique(keys, return_counts=True)
    for key, count in zip(unique.tolist(), n.tolist(), strict=True):
        county, fld, lvl = key.split("|")
        counts[(county, fld, int(lvl))] = count
    session.add_all(
        Snapshot(run_id=run_id, as_of=as_of, region_code=c, field=f, level=lv, entities=k)
        for (c, f, lv), k in counts.items()
    )


def _watermark(session: Session) -> dt.datetime:
    newest = session.scalar(select(func.max(Record.first_seen)))
    return newest or EPOCH


def last_run(session: Session, kind: str | None = None) -> ScoringRun | None:
    stmt = select(ScoringRun).order_by(ScoringRun.id.desc()).limit(1)
    if kind:
        stmt = stmt.where(ScoringRun.kind == kind)
    return session.scalar(stmt)


def touched_since(session: Session, watermark: dt.datetime, until: dt.datetime) -> list[int]:
    """Businesses with a record (or a mention link) that arrived after ``watermark``."""
    window = (Record.first_seen > watermark, Record.first_seen <= until)
    direct = select(Record.entity_id).where(*window, Record.entity_id.is_not(None))
    via_link = (
        select(MentionLink.entity_id)
        .join(Record, Record.id == MentionLink.record_id)
        .where(*window, MentionLink.entity_id.is_not(None))
    )
    relinked = select(MentionLink.entity_id).where(
        MentionLink.updated_at > watermark, MentionLink.entity_id.is_not(None)
    )
    ids = set(session.scalars(direct)) | set(session.scalars(via_link))
    ids |= set(session.scalars(relinked))
    return sorted(int(i) for i in ids if i is not None)


def _latest_day(session: Session, watermark: dt.datetime) -> dt.date | None:
    newest = session.scalar(
        select(func.max(Record.occurred_at)).where(Record.first_seen > watermark)
    )
    if newest is None:
        return None
    return (newest + dt.timedelta(hours=8)).date()


def run(
    session: Session,
    *,
    actor: Actor,
    kind: str = "full",
    as_of: dt.date | None = None,
    dedup_days: int = 30,
    progress: Any = None,
) -> RunSummary:
    """Re-score every business (``full``) or those touched since the last run
    (``incremental``), write assessments, alerts and credit classes."""
    started = clock.utcnow()
    seconds: dict[str, float] = {}
    tick = time.perf_counter()

    def step(name: str) -> None:
        nonlocal tick
        now_tick = time.perf_counter()
        seconds[name] = round(now_tick - tick, 2)
        tick = now_tick
        if progress is not None:
            progress(name)

    model = active_model(session)
    specs, scorer = scorer_for(session, model)
    previous_run = last_run(session)
    watermark = _watermark(session)
    ids: list[int] | None = None
    today = clock.today()
    if kind == "incremental":
        if previous_run is None:
            kind = "full"  # nothing to be incremental to
        else:
            ids = touched_since(session, previous_run.watermark, watermark)
            latest = _latest_day(session, previous_run.watermark)
            as_of = as_of or min(today, max(previous_run.as_of, latest or previous_run.as_of))
    step("plan")
    with DuckDBEngine() as engine:
        horizon = as_of or today
        alert_specs = alerting.extra_specs()
        loaded = frame.load(
            session,
            engine,
            [*specs, *alert_specs],
            since=horizon - dt.timedelta(days=lookback_days([*specs, *alert_specs]) + 31),
            until=horizon + dt.timedelta(days=1),
            entity_ids=ids,
        )
        step("extract")
        day = as_of or min(today, data_end(engine) or today)
        result = assess(engine, specs, scorer, day)
        step("score")
        previous_day = (
            previous_run.as_of
            if previous_run is not None and previous_run.as_of < day
            else day - dt.timedelta(days=30)
        )
        signals = alerting.signals(engine, specs, result, previous_day)
        step("signals")
    now = clock.utcnow()
    before = _previous_levels(session, None if ids is None else result.frame.ids)
    changes, previous = _level_changes(result, before, model.id, day, now)
    record = ScoringRun(
        kind=kind,
        model_id=model.id,
        as_of=day,
        watermark=watermark,
        started_at=started,
        finished_at=now,
        entities=len(result.frame.ids),
        events=loaded.events,
        alerts=0,
        details={},
        created_by=actor.username,
    )
    session.add(record)
    session.flush()
    table = _assessment_table(result, model.id, day, now)
    if ids is None:
        store.replace_all(session, Assessment.__table__, table)  # type: ignore[arg-type]
    else:
        store.upsert(session, Assessment.__table__, table, ["entity_id"])  # type: ignore[arg-type]
    store.append(session, LevelChange.__table__, changes)  # type: ignore[arg-type]
    step("write assessments")
    raised = alerting.raise_alerts(
        session, result=result, previous=previous, signals=signals, now=now, dedup_days=dedup_days
    )
    step("alerts")
    cuts = credit.classify(
        session,
        result=result,
        specs=specs,
        model_id=model.id,
        as_of=day,
        now=now,
        cuts=None if ids is None else credit.last_cuts(session),
    )
    step("credit classes")
    if ids is None:
        _snapshot(session, record.id, result, day)
    record.alerts = raised
    record.details = {"seconds": seconds, "cuts": cuts}
    record.finished_at = clock.utcnow()
    counts = {lvl: int((result.levels == lvl).sum()) for lvl in (1, 2, 3, 4)}
    audit.record(
        session,
        actor=actor,
        event=RiskScored(
            object_id=str(record.id),
            run_kind=kind,
            model_id=model.id,
            entities=record.entities,
            alerts=raised,
        ),
    )
    step("finish")
    return RunSummary(
        record.id, kind, model.id, day, record.entities, loaded.events, raised, counts, seconds
    )
