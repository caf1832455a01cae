"""The records' analytics copy reads exactly what the database read does: after new imports,
after corrections that supersede a record, with mentions linked and unlinked in between, for
everyone and for some businesses; and a rolled-back refresh leaves nothing that is read."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from factories import make_entity, make_record
from indicator_samples import COMPLAINTS, FAILED
from lookthrough.core import clock
from lookthrough.engine import mirror, service
from lookthrough.engine.definitions import IndicatorSpec
from lookthrough.engine.models import MirrorPart
from lookthrough.engine.seam import DuckDBEngine
from lookthrough.records.models import Record
from lookthrough.registry.models import Entity
from lookthrough.resolution.models import MentionLink
from lookthrough.risk import frame

AS_OF = dt.date(2026, 6, 30)
SINCE = dt.date(2020, 1, 1)


def watermark(db: Session) -> dt.datetime:
    newest = db.scalar(select(func.max(Record.first_seen)))
    assert newest is not None
    return newest


def features(
    db: Session, ids: list[int] | None, folder: Path | None, specs: list[IndicatorSpec]
) -> list[tuple[object, ...]]:
    at = None if folder is None else mirror.MirrorAt(folder, watermark(db))
    with DuckDBEngine() as engine:
        frame.load(db, engine, specs, since=SINCE, until=AS_OF + dt.timedelta(days=1),
                   entity_ids=ids, mirror_at=at)  # fmt: skip
        table = service.features(engine, specs, AS_OF)
    return sorted(zip(*(c.to_pylist() for c in table.columns), strict=True))


def same_both_ways(db: Session, folder: Path, ids: list[int] | None = None) -> None:
    specs = [COMPLAINTS, FAILED]
    assert features(db, ids, folder, specs) == features(db, ids, None, specs)


def link(db: Session, record_id: str, entity_id: int, status: str = "auto") -> None:
    db.add(MentionLink(record_id=record_id, entity_id=entity_id, score=0.9, status=status,
                       reasons=["测试"], method="rules", updated_at=clock.utcnow()))  # fmt: skip
    db.flush()


def test_copy_follows_imports_corrections_and_links(db: Session, tmp_path: Path) -> None:
    shop, other = make_entity(db), make_entity(db)
    make_record(db, entity=shop, kind="complaint", text="饭菜不新鲜")
    first = make_record(db, entity=other, kind="inspection", result="发现问题")
    named = make_record(db, region=shop.region_code, kind="complaint", text="某店卫生差")
    link(db, named.id, shop.id)
    same_both_ways(db, tmp_path)
    same_both_ways(db, tmp_path, [shop.id])
    assert len(mirror.current_parts(db)) == 1

    # New records, one of them a correction of an inspection already in the copy.
    fixed = make_record(db, entity=other, kind="inspection", result="未发现问题")
    fixed.supersedes_id = first.id
    make_record(db, entity=other, kind="inspection", result="发现问题")
    make_record(db, entity=shop, kind="complaint", text="又来投诉")
    db.flush()
    same_both_ways(db, tmp_path)
    same_both_ways(db, tmp_path, [other.id])
    parts = mirror.current_parts(db)
    assert [p.removed for p in parts] == [0, 1]
    assert features(db, [other.id], tmp_path, [FAILED])[0][1] == 1.0  # the corrected one is gone

    # Resolution rebuilds links in place (deleted and inserted again): read fresh each time.
    db.execute(delete(MentionLink).where(MentionLink.record_id == named.id))
    link(db, named.id, other.id, "confirmed")
    same_both_ways(db, tmp_path)
    same_both_ways(db, tmp_path, [shop.id, other.id])


def test_a_refresh_with_nothing_new_adds_no_part(db: Session, tmp_path: Path) -> None:
    shop = make_entity(db)
    make_record(db, entity=shop, kind="complaint", text="一次投诉")
    same_both_ways(db, tmp_path)
    same_both_ways(db, tmp_path)
    assert len(mirror.current_parts(db)) == 1


def test_a_run_reading_more_fields_starts_a_new_generation(db: Session, tmp_path: Path) -> None:
    shop = make_entity(db)
    make_record(db, entity=shop, kind="complaint", text="投诉")
    make_record(db, entity=shop, kind="inspection", result="发现问题")
    features(db, None, tmp_path, [COMPLAINTS])
    (before,) = mirror.current_parts(db)
    assert before.signature["kinds"] == ["complaint"]
    assert features(db, None, tmp_path, [COMPLAINTS, FAILED]) == features(
        db, None, None, [COMPLAINTS, FAILED]
    )
    (after,) = mirror.current_parts(db)
    assert after.generation == before.generation + 1
    # The older generation goes at the next refresh, once the newer one is committed.
    assert Path(before.events_path).exists()
    features(db, None, tmp_path, [COMPLAINTS, FAILED])
    assert not Path(before.events_path).exists()
    assert [p.generation for p in db.scalars(select(MirrorPart))] == [after.generation]


def test_a_rolled_back_refresh_leaves_nothing_that_is_read(db: Session, tmp_path: Path) -> None:
    shop = make_entity(db)
    make_record(db, entity=shop, kind="complaint", text="投诉")
    same_both_ways(db, tmp_path)
    saved = db.begin_nested()
    make_record(db, entity=shop, kind="complaint", text="未提交的投诉")
    same_both_ways(db, tmp_path)
    assert len(mirror.current_parts(db)) == 2
    saved.rollback()
    assert len(mirror.current_parts(db)) == 1  # the new file is on disk, named by no row
    assert db.scalar(select(func.count()).select_from(MirrorPart)) == 1
    same_both_ways(db, tmp_path)
    assert db.scalar(select(func.count()).select_from(Entity)) >= 1


def test_files_of_rolled_back_runs_are_swept_a_day_later(db: Session, tmp_path: Path) -> None:
    shop = make_entity(db)
    make_record(db, entity=shop, kind="complaint", text="投诉")
    orphan, young = tmp_path / "records-9-old.parquet", tmp_path / "records-9-young.parquet"
    orphan.write_bytes(b"left by a run that rolled back")
    young.write_bytes(b"a run still going on")
    day_ago = (clock.utcnow() - mirror.ORPHAN_AGE - dt.timedelta(minutes=1)).timestamp()
    os.utime(orphan, (day_ago, day_ago))
    same_both_ways(db, tmp_path)
    assert not orphan.exists() and young.exists()
    (part,) = mirror.current_parts(db)
    assert Path(part.events_path).exists() and Path(part.mentions_path).exists()
