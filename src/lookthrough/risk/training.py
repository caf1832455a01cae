"""Training a scorer on past outcomes, and the backtest: train on the past, score a later period.

Indicator values as of a day are matched with what happened in the 12 months after it
(``rules.OUTCOMES``). Training stacks the years the data allows (as of one and two years before
its end); the backtest trains as of two years before the end and scores as of one year before,
then compares with what the last year brought.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import RiskModelTrained
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.errors import Conflict, ValidationFailed
from lookthrough.engine.definitions import IndicatorSpec
from lookthrough.engine.seam import DuckDBEngine
from lookthrough.registry.models import Entity
from lookthrough.risk import frame, indicators, metrics, rules
from lookthrough.risk.dataset import (
    Frame,
    checked_after,
    data_end,
    frame_at,
    inspections_between,
    outcome_after,
)
from lookthrough.risk.models import RiskModel
from lookthrough.risk.scorers import ALGORITHMS, Scorer, fit, new_scorer

YEAR = dt.timedelta(days=rules.HORIZON_DAYS)
EARLIEST = dt.date(1990, 1, 1)


def _stack(frames: Sequence[Frame]) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.vstack([f.values for f in frames]),
        np.concatenate([f.fields for f in frames]),
    )


@dataclass
class Trained:
    model: RiskModel
    scorer: Scorer


def _load_all(
    session: Session,
    engine: DuckDBEngine,
    specs: Sequence[IndicatorSpec],
    entity_ids: Sequence[int] | None = None,
) -> dt.date:
    frame.load(
        session,
        engine,
        specs,
        since=EARLIEST,
        until=clock.today() + dt.timedelta(days=1),
        entity_ids=entity_ids,
        with_outcomes=True,
    )
    end = data_end(engine)
    if end is None:
        raise Conflict("没有可用于训练的监管信息，请先导入数据")
    return end


def _fit_years(
    engine: DuckDBEngine, specs: Sequence[IndicatorSpec], algorithm: str, anchors: list[dt.date]
) -> tuple[Scorer, int, float]:
    frames = [frame_at(engine, specs, day) for day in anchors]
    outcomes = np.concatenate([outcome_after(engine, day) for day in anchors])
    checked = np.concatenate([checked_after(engine, day) for day in anchors])
    values, fields = _stack(frames)
    if outcomes.min(initial=0) == outcomes.max(initial=0):
        raise Conflict("训练期内没有（或全部是）不良结果，无法训练模型")
    scorer = fit(new_scorer(algorithm, specs), values, fields, outcomes, checked)
    return scorer, len(outcomes), float(outcomes.mean())


def _anchors(end: dt.date, years: int) -> list[dt.date]:
    """As-of days whose following 12 months lie inside the data, newest first."""
    return [end - YEAR * (i + 1) for i in range(years)]


def _sample_ids(session: Session, size: int) -> list[int]:
    """A reproducible random sample of businesses (training a province needs no 7.5 M rows)."""
    ids = np.array(session.scalars(select(Entity.id)).all(), dtype=np.int64)
    if len(ids) <= size:
        return sorted(ids.tolist())
    picked = np.random.default_rng(7).choice(ids, size=size, replace=False)
    return sorted(picked.tolist())


def train(
    session: Session,
    *,
    actor: Actor,
    algorithm: str = "logistic",
    years: int = 2,
    activate: bool = True,
    sample: int | None = None,
) -> Trained:
    """Train on the published indicators; the new model becomes the active one."""
    if algorithm not in ALGORITHMS:
        raise ValidationFailed(f"未知的算法“{algorithm}”（可选：{'、'.join(ALGORITHMS)}）")
    rows = indicators.published(session)
    specs = [IndicatorSpec.model_validate(r.definition) for r in rows]
    if not specs:
        raise Conflict("指标体系为空，请先发布指标（lookthrough risk seed 载入默认指标库）")
    ids = _sample_ids(session, sample) if sample else None
    with DuckDBEngine() as engine:
        end = _load_all(session, engine, specs, ids)
        anchors = _anchors(end, years)
        scorer, n_train, base_rate = _fit_years(engine, specs, algorithm, anchors)
    params, booster = scorer.to_params()
    digest = hashlib.sha256(
        json.dumps(params, sort_keys=True, ensure_ascii=False).encode() + (booster or "").encode()
    ).hexdigest()
    now = clock.utcnow()
    model = RiskModel(
        id=f"{algorithm}-{now:%Y%m%d%H%M%S}-{digest[:6]}",
        algorithm=algorithm,
        status="active" if activate else "retired",
        indicators=[{"code": r.code, "version": r.version} for r in rows],
        params=params,
        booster=booster,
        sha256=digest,
        metrics={
            "n_train": n_train,
            "base_rate": round(base_rate, 4),
            "anchors": [a.isoformat() for a in anchors],
            "data_end": end.isoformat(),
            "sample": sample,
            "outcome": rules.OUTCOME_LABEL,
        },
        trained_as_of=anchors[0],
        created_by=actor.username,
        created_at=now,
    )
    if activate:
        for old in session.scalars(select(RiskModel).where(RiskModel.status == "active")):
            old.status = "retired"
    session.add(model)
    session.flush()
    audit.record(
        session,
        actor=actor,
        event=RiskModelTrained(
            object_id=model.id,
            algorithm=algorithm,
            sha256=digest,
            n_train=n_train,
            activated=activate,
        ),
    )
    return Trained(model, scorer)


def backtest(session: Session, *, algorithm: str = "logistic", years: int = 1) -> dict[str, Any]:
    """Train as of two years before the data's end, score as of one year before, and measure
    against the last 12 months: AUC, recall/precision/lift at 5/10/20 % and mean days earlier."""
    specs = indicators.published_specs(session)
    if not specs:
        raise Conflict("指标体系为空，请先发布指标")
    with DuckDBEngine() as engine:
        end = _load_all(session, engine, specs)
        test_day = end - YEAR
        anchors = [test_day - YEAR * (i + 1) for i in range(years)]
        scorer, n_train, _ = _fit_years(engine, specs, algorithm, anchors)
        rows = frame_at(engine, specs, test_day)
        label = outcome_after(engine, test_day)
        visits = inspections_between(engine, test_day, test_day + YEAR)
    probability = scorer.score(rows.values, rows.fields, explain=False).probability
    by_id = dict(zip(rows.ids.tolist(), probability.tolist(), strict=True))
    visit_scores = np.array([by_id.get(int(e), 0.0) for e in visits.entity_ids])
    out = metrics.summary(label, probability, visits=(visits.days, visit_scores, visits.violated))
    return {
        "algorithm": algorithm,
        "train_as_of": [a.isoformat() for a in anchors],
        "test_as_of": test_day.isoformat(),
        "test_until": (test_day + YEAR).isoformat(),
        "n_train": n_train,
        **out,
        "entity_ids": rows.ids.tolist(),
        "scores": probability.tolist(),
    }
