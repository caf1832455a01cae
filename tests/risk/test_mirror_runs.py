"""A scoring run that reads the records' analytics copy decides exactly what one reading the
database does: the same levels, reasons, credit classes and alerts, full and incremental."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import make_record
from lookthrough.engine import mirror
from lookthrough.registry.models import Entity
from lookthrough.risk import indicators, scoring, training
from lookthrough.risk.models import Alert, Assessment, CreditClass
from risk.conftest import ANALYST


def outcome(db: Session) -> tuple[list[tuple[object, ...]], ...]:
    assessed = [
        (a.entity_id, a.level, round(a.probability, 6), a.consequence, a.top)
        for a in db.scalars(select(Assessment).order_by(Assessment.entity_id))
    ]
    classes = [
        (c.entity_id, c.domain, c.grade)
        for c in db.scalars(select(CreditClass).order_by(CreditClass.entity_id, CreditClass.domain))
    ]
    alerts = sorted(
        (a.entity_id, a.kind, a.indicator_code, a.level) for a in db.scalars(select(Alert))
    )
    return assessed, classes, alerts


def add_complaints(db: Session) -> None:
    for shop in db.scalars(select(Entity).order_by(Entity.id).limit(5)):
        for day in (3, 10, 17, 24):
            record = make_record(db, entity=shop, kind="complaint", text="后厨卫生很差")
            record.occurred_at = dt.datetime(2025, 12, day, 2, tzinfo=dt.UTC)
    db.flush()


def runs(db: Session, folder: Path | None) -> list[tuple[list[tuple[object, ...]], ...]]:
    scoring.run(db, actor=ANALYST, mirror_folder=folder)
    first = outcome(db)
    add_complaints(db)
    summary = scoring.run(db, actor=ANALYST, kind="incremental", mirror_folder=folder)
    assert summary.entities >= 5
    return [first, outcome(db)]


def test_runs_from_the_copy_equal_runs_from_the_database(tiny_db: Session, tmp_path: Path) -> None:
    db = tiny_db
    indicators.seed_defaults(db, actor=ANALYST)
    training.train(db, actor=ANALYST, algorithm="logistic")
    saved = db.begin_nested()
    from_database = runs(db, None)
    saved.rollback()
    from_copy = runs(db, tmp_path)
    assert len(mirror.current_parts(db)) == 2  # the first file and the new complaints
    assert from_copy == from_database
