"""Raising early warnings from a scoring run: level rises, threshold crossings, departures from
a business's own baseline. Each alert is routed to the business's region and deduplicated: the
same warning about the same business is not raised twice within the dedup window.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from lookthrough.engine import extract
from lookthrough.engine import service as engine_service
from lookthrough.engine.definitions import IndicatorSpec
from lookthrough.engine.seam import AnalyticsEngine
from lookthrough.risk import rules, store
from lookthrough.risk.frame import numpy_columns
from lookthrough.risk.models import Alert
from lookthrough.risk.scorers import applies

if TYPE_CHECKING:
    from lookthrough.risk.scoring import Assessed

RISE_ALERT_LEVEL = 3  # a rise is warned of when it ends at III (一般) or above


def _internal(code: str, window: int) -> IndicatorSpec:
    return IndicatorSpec(
        code=code,
        name="投诉基线",
        kinds=["complaint"],
        window_days=window,
        threshold=1,
        matter="预警",
        risk_point="投诉激增",
        explanation="投诉基线（内部）",
    )


RECENT = _internal("baseline_recent", rules.BASELINE_RECENT_DAYS)
HISTORY = _internal("baseline_history", rules.BASELINE_HISTORY_DAYS)


def extra_specs() -> list[IndicatorSpec]:
    """What alerting reads beyond the model's indicators (loaded in the same pass)."""
    return [RECENT, HISTORY]


@dataclass
class Signals:
    crossed: list[tuple[int, IndicatorSpec, float]]  # (row, indicator, value now)
    spikes: list[tuple[int, float, float]]  # (row, recent count, history count)


def signals(
    engine: AnalyticsEngine,
    specs: Sequence[IndicatorSpec],
    result: Assessed,
    previous_day: dt.date,
) -> Signals:
    rows = result.frame
    watched = [(j, s) for j, s in enumerate(specs) if s.alert]
    crossed: list[tuple[int, IndicatorSpec, float]] = []
    if watched:
        before = numpy_columns(
            engine_service.features(engine, [s for _, s in watched], previous_day),
            [s.code for _, s in watched],
        )
        for position, (j, spec) in enumerate(watched):
            hits = rules.newly_crossed(
                rows.values[:, j], before[:, position], spec.threshold, spec.higher_is_riskier
            ) & applies(spec, rows.fields)
            crossed += [(int(i), spec, float(rows.values[i, j])) for i in np.flatnonzero(hits)]
    recent = numpy_columns(engine_service.features(engine, [RECENT], rows.as_of), [RECENT.code])
    earlier = rows.as_of - dt.timedelta(days=rules.BASELINE_RECENT_DAYS)
    history = numpy_columns(engine_service.features(engine, [HISTORY], earlier), [HISTORY.code])
    spiking = rules.departs_from_baseline(recent[:, 0], history[:, 0])
    spikes = [(int(i), float(recent[i, 0]), float(history[i, 0])) for i in np.flatnonzero(spiking)]
    return Signals(crossed, spikes)


def _fmt(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def raise_alerts(
    session: Session,
    *,
    result: Assessed,
    previous: np.ndarray,
    signals: Signals,
    now: dt.datetime,
    dedup_days: int,
) -> int:
    """Add the run's alerts, skipping those raised about the same thing within the window."""
    rows = result.frame
    wanted: list[Alert] = []

    def add(i: int, kind: str, code: str | None, title: str, detail: dict[str, object]) -> None:
        entity_id = int(rows.ids[i])
        wanted.append(
            Alert(
                kind=kind,
                entity_id=entity_id,
                region_code=str(rows.regions[i].as_py()),
                indicator_code=code,
                level=int(result.levels[i]),
                title=title,
                detail=detail,
                dedup_key=f"{kind}:{entity_id}:{code or ''}",
                raised_at=now,
                state="open",
                updated_at=now,
            )
        )

    rises = np.flatnonzero(
        (previous > 0) & (result.levels < previous) & (result.levels <= RISE_ALERT_LEVEL)
    )
    for row in rises.tolist():
        before, after = int(previous[row]), int(result.levels[row])
        add(
            row,
            "level_rise",
            None,
            f"风险等级由{rules.level_label(before)}上升为{rules.level_label(after)}",
            {"from": before, "to": after, "probability": round(float(result.probability[row]), 4)},
        )
    for i, spec, value in signals.crossed:
        add(
            i,
            "threshold",
            spec.code,
            f"{spec.name}达到 {_fmt(value)}{spec.unit}，越过阈值 {_fmt(spec.threshold)}{spec.unit}",
            {"value": value, "threshold": spec.threshold, "risk_point": spec.risk_point},
        )
    for i, recent, history in signals.spikes:
        add(
            i,
            "baseline",
            "complaints",
            f"近30天投诉 {_fmt(recent)} 件，明显高于此前12个月月均 {history / 12:.1f} 件",
            {"recent": recent, "history_12m": history},
        )
    if not wanted:
        return 0
    cutoff = now - dt.timedelta(days=dedup_days)
    # Looked up by key (the dedup index), not every alert of the window: an incremental run
    # costs what it touched, not what the province raised this month.
    seen: set[str] = set()
    for part in extract.chunks(sorted({a.dedup_key for a in wanted}), session):
        assert part is not None
        seen.update(
            session.scalars(
                select(Alert.dedup_key).where(
                    Alert.raised_at >= cutoff,
                    extract.one_of_text(session, Alert.dedup_key, part),
                )
            )
        )
    fresh = [a for a in wanted if a.dedup_key not in seen]
    # Thousands at a time after a full run: written as one table, not object by object.
    table = pa.table(
        {
            "kind": [a.kind for a in fresh],
            "entity_id": pa.array([a.entity_id for a in fresh], pa.int64()),
            "region_code": [a.region_code for a in fresh],
            "indicator_code": pa.array([a.indicator_code for a in fresh], pa.string()),
            "level": pa.array([a.level for a in fresh], pa.int32()),
            "title": [a.title for a in fresh],
            "detail": [json.dumps(a.detail, ensure_ascii=False) for a in fresh],
            "dedup_key": [a.dedup_key for a in fresh],
            "raised_at": pa.array([now] * len(fresh), pa.timestamp("us", tz="UTC")),
            "state": ["open"] * len(fresh),
            "updated_at": pa.array([now] * len(fresh), pa.timestamp("us", tz="UTC")),
        }
    )
    store.append(session, Alert.__table__, store.json_column(table, "detail"))  # type: ignore[arg-type]
    return len(fresh)
