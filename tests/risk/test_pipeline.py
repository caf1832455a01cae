"""The risk pipeline end to end on a tiny synthetic province: seed the library, train, score
everything, then re-score incrementally after new records arrive."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factories import make_record
from lookthrough.audit.models import AuditEvent
from lookthrough.core.errors import Conflict
from lookthrough.records.models import Record
from lookthrough.registry.models import Entity
from lookthrough.risk import indicators, scoring, service, training
from lookthrough.risk.models import (
    Alert,
    Assessment,
    CreditClass,
    CreditClassChange,
    LevelChange,
    RiskModel,
    Snapshot,
)
from risk.conftest import ANALYST


def last_day(db: Session) -> dt.date:
    """The China calendar day of the newest record: what models and runs take as "now"."""
    newest = db.scalar(select(func.max(Record.occurred_at)))
    assert newest is not None
    return (newest + dt.timedelta(hours=8)).date()


def count(db: Session, model: type) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_scoring_needs_a_trained_model(db: Session) -> None:
    with pytest.raises(Conflict, match="lookthrough risk train"):
        scoring.run(db, actor=ANALYST)


@pytest.mark.parametrize("algorithm", ["logistic", "scorecard", "lightgbm"])
def test_train_and_score_the_province(tiny_db: Session, algorithm: str) -> None:
    db = tiny_db
    assert indicators.seed_defaults(db, actor=ANALYST) == len(indicators.default_library())
    trained = training.train(db, actor=ANALYST, algorithm=algorithm)
    model = db.get(RiskModel, trained.model.id)
    assert model is not None and model.status == "active"
    assert model.metrics["data_end"] == last_day(db).isoformat()
    if algorithm == "lightgbm":
        assert model.booster and model.booster.startswith("tree")  # LightGBM's text format

    summary = scoring.run(db, actor=ANALYST)
    entities = count(db, Entity)
    assert summary.kind == "full" and summary.as_of == last_day(db)
    assert summary.entities == entities == count(db, Assessment)
    assert sum(summary.level_counts.values()) == entities
    assert summary.level_counts[4] > summary.level_counts[1]  # most businesses are low risk
    riskiest = db.scalars(select(Assessment).order_by(Assessment.probability.desc())).first()
    assert riskiest is not None and riskiest.top, "the riskiest business has reasons"
    assert all(item["points"] > 0 and item["name"] for item in riskiest.top)
    # 1+N: a general class for everyone, field classes for those with a field domain.
    assert (
        db.scalar(
            select(func.count()).select_from(CreditClass).where(CreditClass.domain == "general")
        )
        == entities
    )
    assert db.scalar(select(func.count(func.distinct(CreditClass.domain)))) >= 4
    grades = dict(
        db.execute(
            select(CreditClass.grade, func.count())
            .where(CreditClass.domain == "general")
            .group_by(CreditClass.grade)
        ).all()
    )
    assert set(grades) <= {"A", "B", "C", "D"} and grades.get("D", 0) > 0
    assert count(db, CreditClassChange) >= entities  # every first class is history
    assert sum(s.entities for s in db.scalars(select(Snapshot))) == entities
    assert (
        db.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "risk.scored")
        )
        == 1
    )


def test_backtest_on_own_records_reports_the_numbers(tiny_db: Session) -> None:
    db = tiny_db
    indicators.seed_defaults(db, actor=ANALYST)
    result = training.backtest(db, algorithm="logistic")
    assert result["test_as_of"] == (last_day(db) - dt.timedelta(days=365)).isoformat()
    assert result["n_test"] == count(db, Entity)
    for key in ("auc", "recall_at_10pct", "lift_at_10pct", "precision_at_10pct",
                "days_earlier_mean"):  # fmt: skip
        assert result[key] is not None, key
    # 600 businesses are too few to judge the model (test_truth.py does, at small scale).
    assert 0 <= result["auc"] <= 1 and result["recall_at_10pct"] <= 1
    assert result["inspections_in_period"] > 0


def test_incremental_rescore_touches_only_new_records(tiny_db: Session) -> None:
    db = tiny_db
    indicators.seed_defaults(db, actor=ANALYST)
    training.train(db, actor=ANALYST, algorithm="scorecard")
    scoring.run(db, actor=ANALYST)
    calm = db.scalars(
        select(Assessment).where(Assessment.level == 4, Assessment.field == "catering")
    ).first()
    assert calm is not None
    shop = db.get(Entity, calm.entity_id)
    assert shop is not None
    before = {a.entity_id: a.run_id for a in db.scalars(select(Assessment))}

    for day in (3, 10, 17, 24):  # four hygiene complaints in December, two failed inspections
        record = make_record(db, entity=shop, kind="complaint", text="后厨卫生很差，吃完腹泻")
        record.occurred_at = dt.datetime(2025, 12, day, 2, tzinfo=dt.UTC)
    for day in (5, 20):
        record = make_record(db, entity=shop, kind="inspection", result="责令整改", score=55)
        record.occurred_at = dt.datetime(2025, 12, day, 2, tzinfo=dt.UTC)
    sampled = make_record(db, entity=shop, kind="sampling", product="散装熟食", conclusion="不合格")
    sampled.occurred_at = dt.datetime(2025, 12, 8, 2, tzinfo=dt.UTC)
    db.flush()

    summary = scoring.run(db, actor=ANALYST, kind="incremental")
    assert summary.kind == "incremental" and summary.entities == 1
    after = db.get(Assessment, shop.id)
    db.refresh(after)
    assert after is not None and after.level < 4
    untouched = [a for a in db.scalars(select(Assessment)) if a.entity_id != shop.id]
    assert all(a.run_id == before[a.entity_id] for a in untouched)  # not rewritten
    change = db.scalars(select(LevelChange).where(LevelChange.entity_id == shop.id)).one()
    assert (change.from_level, change.to_level) == (4, after.level)
    kinds = set(db.scalars(select(Alert.kind).where(Alert.entity_id == shop.id)))
    assert {"baseline", "threshold"} <= kinds
    alerts = count(db, Alert)

    again = make_record(db, entity=shop, kind="complaint", text="还是很脏")
    again.occurred_at = dt.datetime(2025, 12, 28, 2, tzinfo=dt.UTC)
    db.flush()
    repeat = scoring.run(db, actor=ANALYST, kind="incremental")
    assert repeat.entities == 1
    assert count(db, Alert) == alerts  # the same warnings within the dedup window: not again

    view = service.current_assessment(db, actor=ANALYST, entity_id=shop.id)
    assert view is not None and view.level == after.level and view.reasons
    assert service.credit_classes_of(db, actor=ANALYST, entity_id=shop.id).keys() == {
        "general",
        "food",
    }
