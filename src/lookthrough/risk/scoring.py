"""Scoring runs: the full re-score (a command and a scheduled job) and the incremental one
(only businesses touched by records that arrived since the last run).

A run loads the active model's indicators into the analytics engine, scores, and writes the
current assessments, level changes, alerts, "1+N" credit classes and (full runs) a snapshot of
counts for the trend lines — all in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import RiskScored
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.core.errors import Conflict
from lookthrough.core.scope import region_prefix_clause
from lookthrough.engine.compile import lookback_days
from lookthrough.engine.definitions import IndicatorSpec
from lookthrough.engine.mirror import MirrorAt
from lookthrough.engine.seam import DuckDBEngine
from lookthrough.records.models import Record
from lookthrough.registry.models import Entity
from lookthrough.resolution.models import MentionLink
from lookthrough.risk import alerting, credit, frame, indicators, rules, store, writes
from lookthrough.risk.dataset import Frame, data_end, frame_at
from lookthrough.risk.models import Assessment, LevelChange, RiskModel, ScoringRun
from lookthrough.risk.scorers import Scorer, restore

TOP_N = 3
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def mirror_folder(settings: Settings) -> Path:
    """Where the records' analytics copy lives: beside the embedded database and exports, in a
    folder per database (each sweeps the files its own table does not name)."""
    database = hashlib.sha256(settings.database_url.encode()).hexdigest()[:12]
    return settings.var_dir / "analytics" / database


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
    """The TOP_N indicators that pushed each business's risk up, with their values, as JSON.
    Only numbers leave numpy (positions, values, points); DuckDB joins the names in."""
    n, k = contrib.shape
    take = min(TOP_N, k)
    if take == 0:
        return pa.table({"entity_id": rows.ids, "top": pa.array(["[]"] * n, pa.string())})
    # A reason is an indicator that pushed the risk up *and* shows something: a count above
    # zero, a last violation within the window. A linear model also credits "fewer alarms than
    # average", which is no reason to visit anyone.
    for j, spec in enumerate(specs):
        quiet = (
            rows.values[:, j] <= 0
            if spec.higher_is_riskier
            else (rows.values[:, j] >= spec.window_days)
        )
        contrib[quiet, j] = 0.0
    part = np.argpartition(-contrib, take - 1, axis=1)[:, :take]
    picked = np.take_along_axis(contrib, part, axis=1)
    order = np.argsort(-picked, axis=1, kind="stable")
    best = np.take_along_axis(part, order, axis=1)
    points = np.take_along_axis(contrib, best, axis=1)
    values = np.take_along_axis(rows.values, best, axis=1)
    columns: dict[str, Any] = {"entity_id": rows.ids}
    for i in range(take):
        columns[f"j{i}"] = np.where(points[:, i] > 1e-9, best[:, i], -1).astype(np.int32)
        columns[f"v{i}"] = np.round(values[:, i], 4)
        columns[f"w{i}"] = np.round(points[:, i], 4)
    engine.load("top_parts", pa.table(columns))
    engine.load(
        "top_specs",
        pa.table(
            {
                "j": pa.array(range(k), pa.int32()),
                "code": [s.code for s in specs],
                "name": [s.name for s in specs],
                "unit": [s.unit for s in specs],
            }
        ),
    )
    items = ", ".join(
        f"{{'code': s{i}.code, 'name': s{i}.name, 'value': t.v{i}, 'unit': s{i}.unit, "
        f"'points': t.w{i}}}"
        for i in range(take)
    )
    joins = " ".join(f"LEFT JOIN top_specs s{i} ON s{i}.j = t.j{i}" for i in range(take))
    # Column and table names made here, no values (S608 is safe here).
    return engine.query(
        f"SELECT t.entity_id, CAST(to_json(list_filter([{items}], "  # noqa: S608
        f"lambda x: x.code IS NOT NULL)) AS VARCHAR) AS top FROM top_parts t {joins} "
        "ORDER BY t.entity_id"
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
    written: dict[str, int] = field(default_factory=dict)  # current rows written, by table


def _watermark(session: Session) -> dt.datetime:
    newest = session.scalar(select(func.max(Record.first_seen)))
    return newest or EPOCH


def last_run(session: Session, kind: str | None = None) -> ScoringRun | None:
    stmt = select(ScoringRun).order_by(ScoringRun.id.desc()).limit(1)
    if kind:
        stmt = stmt.where(ScoringRun.kind == kind)
    return session.scalar(stmt)


def _links_watermark(session: Session) -> dt.datetime | None:
    return session.scalar(select(func.max(MentionLink.updated_at)))


def _previous_links_watermark(run: ScoringRun) -> dt.datetime:
    """The newest link change the run had seen (runs before it was kept: its record watermark)."""
    kept = (run.details or {}).get("links_watermark")
    return dt.datetime.fromisoformat(kept) if kept else run.watermark


def touched_since(
    session: Session,
    watermark: dt.datetime,
    until: dt.datetime,
    links_after: dt.datetime | None = None,
) -> list[int]:
    """Businesses with a record that arrived after ``watermark``, or a mention link changed
    after ``links_after``. Links have a clock of their own: resolution runs after the import,
    so every link is newer than every record, and comparing them with the records' watermark
    made each incremental run re-score every business with a linked complaint."""
    window = (Record.first_seen > watermark, Record.first_seen <= until)
    direct = select(Record.entity_id).where(*window, Record.entity_id.is_not(None))
    via_link = (
        select(MentionLink.entity_id)
        .join(Record, Record.id == MentionLink.record_id)
        .where(*window, MentionLink.entity_id.is_not(None))
    )
    relinked = select(MentionLink.entity_id).where(
        MentionLink.updated_at > (watermark if links_after is None else links_after),
        MentionLink.entity_id.is_not(None),
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
    mirror_folder: Path | None = None,
) -> RunSummary:
    """Re-score every business (``full``) or those touched since the last run
    (``incremental``), write assessments, alerts and credit classes. With ``mirror_folder``
    the records are read from their analytics copy there (kept up to date by each run)."""
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
    links_watermark = _links_watermark(session)
    ids: list[int] | None = None
    today = clock.today()
    if kind == "incremental":
        if previous_run is None:
            kind = "full"  # nothing to be incremental to
        else:
            ids = touched_since(
                session,
                previous_run.watermark,
                watermark,
                links_after=_previous_links_watermark(previous_run),
            )
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
            mirror_at=None if mirror_folder is None else MirrorAt(mirror_folder, watermark),
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
    previous = writes.previous_levels(session, result.frame.ids, full=ids is None)
    changes = writes.level_changes(result, previous.levels, model.id, day, now)
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
    table = writes.assessment_table(result, model.id, record.id)
    if ids is None:
        target: Any = Assessment.__table__
        written = store.write_changed(session, target, table, ["entity_id"], previous.rows)
    else:
        written = int(table.num_rows)
        store.upsert(session, Assessment.__table__, table, ["entity_id"])  # type: ignore[arg-type]
    store.append(session, LevelChange.__table__, changes)  # type: ignore[arg-type]
    step("write assessments")
    raised = alerting.raise_alerts(
        session,
        result=result,
        previous=previous.levels,
        signals=signals,
        now=now,
        dedup_days=dedup_days,
    )
    step("alerts")
    cuts, classes_written = credit.classify(
        session,
        result=result,
        specs=specs,
        model_id=model.id,
        run_id=record.id,
        as_of=day,
        now=now,
        cuts=None if ids is None else credit.last_cuts(session),
    )
    step("credit classes")
    if ids is None:
        writes.snapshot(session, record.id, result, day)
    record.alerts = raised
    record.details = {
        "seconds": seconds,
        "cuts": cuts,
        "rows_written": {"assessments": written, "credit_classes": classes_written},
        "links_watermark": links_watermark.isoformat() if links_watermark else None,
    }
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
        record.id, kind, model.id, day, record.entities, loaded.events, raised, counts, seconds,
        record.details["rows_written"],
    )  # fmt: skip
