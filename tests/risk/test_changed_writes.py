"""A full re-score rewrites only the current rows that changed, and a row that was not rewritten
still says the day of the last run; an incremental run re-scores only what is new, whatever the
links' own clock says."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import make_entity, make_record
from lookthrough.core import clock
from lookthrough.registry.models import Entity
from lookthrough.resolution.models import MentionLink
from lookthrough.risk import indicators, scoring, service, store, training
from lookthrough.risk.models import Assessment, CreditClass
from risk.conftest import ANALYST

COLUMNS = ("region_code", "grade", "probability", "model_id")


def classes(rows: list[tuple[int, str, str, float]], run_id: int) -> pa.Table:
    table = pa.table(
        {
            "entity_id": pa.array([r[0] for r in rows], pa.int64()),
            "domain": [r[1] for r in rows],
            "region_code": ["340104"] * len(rows),
            "grade": [r[2] for r in rows],
            "probability": [r[3] for r in rows],
            "model_id": ["m"] * len(rows),
            "run_id": pa.array([run_id] * len(rows), pa.int64()),
        }
    )
    return store.with_digest(table, COLUMNS)


def stored(db: Session) -> tuple[pa.Table, list[tuple[object, ...]]]:
    rows = db.execute(
        select(CreditClass.entity_id, CreditClass.domain, CreditClass.grade, CreditClass.digest,
               CreditClass.run_id).order_by(CreditClass.entity_id, CreditClass.domain)
    ).all()  # fmt: skip
    before = pa.table(
        {
            "entity_id": pa.array([r[0] for r in rows], pa.int64()),
            "domain": pa.array([r[1] for r in rows], pa.string()),
            "digest": pa.array([r[3] for r in rows], pa.int64()),
        }
    )
    return before, [(r[0], r[1], r[2], r[4]) for r in rows]


def test_only_changed_rows_are_written_and_gone_rows_deleted(db: Session) -> None:
    shops = [make_entity(db) for _ in range(5)]
    ids = [s.id for s in shops]
    table: object = CreditClass.__table__
    first = [(i, "general", "B", 0.2) for i in ids] + [(ids[0], "food", "C", 0.2)]
    assert store.write_changed(db, table, classes(first, 1), ["entity_id", "domain"],  # type: ignore[arg-type]
                               stored(db)[0]) == 6  # fmt: skip
    second = [(i, "general", "B", 0.2) for i in ids[1:]] + [(ids[1], "food", "D", 0.9)]
    second[0] = (ids[1], "general", "C", 0.4)
    before, _ = stored(db)
    written = store.write_changed(db, table, classes(second, 2), ["entity_id", "domain"], before)  # type: ignore[arg-type]
    assert written == 2  # one changed grade, one new domain; three unchanged rows kept
    _, rows = stored(db)
    assert rows == sorted(
        [(ids[1], "general", "C", 2), (ids[1], "food", "D", 2)]
        + [(i, "general", "B", 1) for i in ids[2:]]
    )


def test_a_row_not_rewritten_stands_for_the_last_run(tiny_db: Session) -> None:
    db = tiny_db
    indicators.seed_defaults(db, actor=ANALYST)
    training.train(db, actor=ANALYST, algorithm="scorecard")
    first = scoring.run(db, actor=ANALYST)
    assert first.written["assessments"] == first.entities
    again = scoring.run(db, actor=ANALYST)
    assert again.written == {"assessments": 0, "credit_classes": 0}
    any_row = db.scalars(select(Assessment)).first()
    assert any_row is not None and any_row.run_id == first.run_id
    view = service.current_assessment(db, actor=ANALYST, entity_id=any_row.entity_id)
    run = db.get(scoring.ScoringRun, again.run_id)
    assert view is not None and run is not None
    assert (view.as_of, view.assessed_at) == (run.as_of, run.finished_at)


def test_links_changed_before_the_last_run_do_not_touch_again(tiny_db: Session) -> None:
    db = tiny_db
    indicators.seed_defaults(db, actor=ANALYST)
    training.train(db, actor=ANALYST, algorithm="scorecard")
    named, other = db.scalars(select(Entity).order_by(Entity.id).limit(2)).all()
    mention = make_record(db, region=named.region_code, kind="complaint", text="某店卫生差")
    # Resolution runs after the import: the link is newer than every record.
    db.add(MentionLink(record_id=mention.id, entity_id=named.id, score=0.9, status="auto",
                       reasons=["测试"], method="rules",
                       updated_at=clock.utcnow() + dt.timedelta(seconds=1)))  # fmt: skip
    db.flush()
    scoring.run(db, actor=ANALYST)
    make_record(db, entity=other, kind="complaint", text="新投诉")
    summary = scoring.run(db, actor=ANALYST, kind="incremental")
    assert summary.entities == 1
