"""What the engine reads from the operational database: linked complaints count, superseded
records and unlinked mentions do not, and the per-business read returns what the full read does."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from factories import make_entity, make_record
from indicator_samples import COMPLAINTS, FAILED
from lookthrough.core import clock
from lookthrough.engine import extract, service
from lookthrough.engine.seam import DuckDBEngine
from lookthrough.resolution.models import MentionLink
from lookthrough.risk import frame

AS_OF = dt.date(2026, 6, 30)


def link(db: Session, record_id: str, entity_id: int, status: str) -> None:
    db.add(MentionLink(record_id=record_id, entity_id=entity_id, score=0.9, status=status,
                       reasons=["测试"], method="rules", updated_at=clock.utcnow()))  # fmt: skip
    db.flush()


def computed(db: Session, ids: list[int] | None) -> dict[int, tuple[float, float]]:
    with DuckDBEngine() as engine:
        frame.load(db, engine, [COMPLAINTS, FAILED], since=dt.date(2020, 1, 1),
                   until=AS_OF + dt.timedelta(days=1), entity_ids=ids)  # fmt: skip
        table = service.features(engine, [COMPLAINTS, FAILED], AS_OF)
    return {
        e: (c, f)
        for e, c, f in zip(
            table.column("entity_id").to_pylist(),
            table.column("complaints_all").to_pylist(),
            table.column("failed_inspections").to_pylist(),
            strict=True,
        )
    }


def test_linked_mentions_count_and_superseded_records_do_not(db: Session) -> None:
    shop, other = make_entity(db), make_entity(db)
    make_record(db, entity=shop, kind="complaint", text="饭菜不新鲜")
    by_name = make_record(db, region=shop.region_code, kind="complaint", text="某店卫生差")
    confirmed = make_record(db, region=shop.region_code, kind="complaint", text="又是这家店")
    doubtful = make_record(db, region=shop.region_code, kind="complaint", text="好像是这家")
    link(db, by_name.id, shop.id, "auto")
    link(db, confirmed.id, shop.id, "confirmed")
    link(db, doubtful.id, shop.id, "review")  # not yet linked: waits for a person
    old = make_record(db, entity=other, kind="inspection", result="发现问题")
    newer = make_record(db, entity=other, kind="inspection", result="未发现问题")
    newer.supersedes_id = old.id  # a correction: the old result no longer counts
    make_record(db, entity=other, kind="inspection", result="发现问题")
    db.flush()
    everyone = computed(db, None)
    assert everyone[shop.id] == (3.0, 0.0)
    assert everyone[other.id] == (0.0, 1.0)
    assert computed(db, [shop.id]) == {shop.id: everyone[shop.id]}
    assert computed(db, [other.id, shop.id]) == {k: everyone[k] for k in (shop.id, other.id)}


def test_days_are_china_calendar_days(db: Session) -> None:
    shop = make_entity(db)
    late = make_record(db, entity=shop, kind="complaint", text="夜里投诉")
    # 2026-06-30 20:00 UTC is 2026-07-01 04:00 in China: after the as-of day.
    late.occurred_at = dt.datetime(2026, 6, 30, 20, 0, tzinfo=dt.UTC)
    db.flush()
    table = extract.to_arrow(
        db,
        extract.events_select(
            db,
            kinds=["complaint"],
            payload={},
            since=dt.date(2026, 1, 1),
            until=dt.date(2026, 12, 31),
            entity_ids=[shop.id],
        ),
        extract.events_schema({}),
    )
    assert table.column("day").to_pylist() == [dt.date(2026, 7, 1)]
    assert computed(db, [shop.id])[shop.id][0] == 0.0
