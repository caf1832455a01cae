"""Importing into a real database: counts add up, ids are stable, corrections supersede."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from ingest_support import (
    ENTITIES,
    ENTITY_HEADER,
    FINDING_HEADER,
    FINDINGS,
    INSPECTION_HEADER,
    INSPECTIONS,
    LUYANG,
    SHUSHAN_1,
    SHUSHAN_2,
    UNREGISTERED,
    Database,
    counts,
    quarantined,
    records,
    run,
    write_csv,
)
from sqlalchemy import func, select

from lookthrough.ingest.models import IngestBatch
from lookthrough.ingest.pipeline import Mode
from lookthrough.ingest.service import BatchSummary
from lookthrough.registry.models import Entity


def test_entity_import_counts_add_up(fresh_db: Database, tmp_path: Path) -> None:
    bad = [
        [SHUSHAN_1[:17] + ("0" if SHUSHAN_1[17] != "0" else "1"), "坏代码", "340104", "", ""],
        [UNREGISTERED, "", "340104", "", ""],  # no name
    ]
    path = write_csv(tmp_path / "主体.csv", ENTITY_HEADER, [*ENTITIES, *bad, ENTITIES[0]])
    summary = run(fresh_db, path, "entity")
    assert counts(summary) == (6, 3, 2, 1)
    assert summary.adds_up and summary.status == "done"


def test_records_resolve_their_business_and_region(registered: Database, tmp_path: Path) -> None:
    summary = run(
        registered, write_csv(tmp_path / "检查.csv", INSPECTION_HEADER, INSPECTIONS), "inspection"
    )
    assert counts(summary) == (3, 3, 0, 0)
    stored = {r["key"]: (r["uscc"], r["region"]) for r in records(registered).values()}
    assert stored == {
        "R1": (SHUSHAN_1, "340104"),
        "R2": (SHUSHAN_2, "340104"),
        "R3": (LUYANG, "340103"),
    }


def test_record_payload_is_typed_and_mapped(registered: Database, tmp_path: Path) -> None:
    run(
        registered,
        write_csv(tmp_path / "检查.csv", INSPECTION_HEADER, INSPECTIONS[:1]),
        "inspection",
    )
    (record,) = records(registered).values()
    assert record["payload"] == {
        "inspection_type": "日常检查",
        "result": "未发现问题",
        "score": 95.0,
        "inspectors": [],
    }
    assert record["title"] == "日常检查：未发现问题"


def test_record_counts_add_up_with_bad_rows_and_duplicates(
    registered: Database, tmp_path: Path
) -> None:
    rows = [
        *INSPECTIONS,
        ["R4", UNREGISTERED, "2026-03-04", "日常检查", "合格", "90"],  # business unknown
        ["R5", SHUSHAN_1, "2026-02-30", "日常检查", "合格", "90"],  # no such date
        INSPECTIONS[0],  # the same row again
    ]
    summary = run(
        registered, write_csv(tmp_path / "检查.csv", INSPECTION_HEADER, rows), "inspection"
    )
    assert counts(summary) == (6, 3, 2, 1)
    assert summary.adds_up
    assert len(records(registered)) == 3


def test_reimport_adds_nothing(registered: Database, tmp_path: Path) -> None:
    rows = [*INSPECTIONS, ["R5", SHUSHAN_1, "bad date", "日常检查", "合格", "90"]]
    path = write_csv(tmp_path / "检查.csv", INSPECTION_HEADER, rows)
    first = run(registered, path, "inspection")
    before = records(registered)
    again = run(registered, path, "inspection")
    assert counts(again) == (4, 0, 1, 3)
    assert again.batch_id != first.batch_id, "a repeated file is a new batch of the same file"
    assert records(registered) == before


def test_reimport_of_businesses_adds_nothing(registered: Database, tmp_path: Path) -> None:
    again = run(registered, write_csv(tmp_path / "again.csv", ENTITY_HEADER, ENTITIES), "entity")
    assert counts(again) == (3, 0, 0, 3)
    with registered.factory() as session:
        assert session.scalar(select(func.count()).select_from(Entity)) == 3


def test_changed_row_supersedes_the_stored_record(registered: Database, tmp_path: Path) -> None:
    run(registered, write_csv(tmp_path / "v1.csv", INSPECTION_HEADER, INSPECTIONS), "inspection")
    before = records(registered)
    changed = [[*INSPECTIONS[0][:5], "75"], *INSPECTIONS[1:]]
    summary = run(
        registered, write_csv(tmp_path / "v2.csv", INSPECTION_HEADER, changed), "inspection"
    )
    assert counts(summary) == (3, 1, 0, 2)
    after = records(registered)
    assert before.items() <= after.items(), "stored records are never changed (append-only)"
    (new_id,) = after.keys() - before.keys()
    (old_id,) = [i for i, r in before.items() if r["key"] == "R1"]
    assert after[new_id]["supersedes"] == old_id
    assert after[new_id]["payload"]["score"] == 75.0


def test_changed_row_later_in_the_same_file_supersedes_the_earlier(
    registered: Database, tmp_path: Path
) -> None:
    rows = [*INSPECTIONS, [*INSPECTIONS[0][:5], "75"]]  # R1 corrected in another chunk
    run(registered, write_csv(tmp_path / "检查.csv", INSPECTION_HEADER, rows), "inspection")
    by_key = [r for r in records(registered).values() if r["key"] == "R1"]
    assert sorted((r["payload"]["score"], r["supersedes"] is not None) for r in by_key) == [
        (75.0, True),
        (95.0, False),
    ]


def crash_in_second_chunk(batch: IngestBatch) -> None:
    if batch.rows_read > 2:
        raise RuntimeError("power cut")  # inside the chunk's transaction: it rolls back


def interrupted_then_resumed(db: Database, path: Path) -> BatchSummary:
    with pytest.raises(RuntimeError):
        run(db, path, "inspection", progress=crash_in_second_chunk)
    return run(db, path, "inspection")


def test_interrupted_import_resumes_after_the_last_committed_chunk(
    registered: Database, tmp_path: Path
) -> None:
    rows = [*INSPECTIONS, ["R4", SHUSHAN_1, "2026-03-04", "日常检查", "合格", "91"]]
    path = write_csv(tmp_path / "检查.csv", INSPECTION_HEADER, rows)
    with pytest.raises(RuntimeError):
        run(registered, path, "inspection", progress=crash_in_second_chunk)
    assert {r["key"] for r in records(registered).values()} == {"R1", "R2"}
    resumed = run(registered, path, "inspection")
    assert resumed.resumed_from == 3  # the last committed row: header is row 1
    assert counts(resumed) == (4, 4, 0, 0)
    assert {r["key"] for r in records(registered).values()} == {"R1", "R2", "R3", "R4"}


def test_correction_after_a_resume_supersedes_the_row_committed_before(
    registered: Database, tmp_path: Path
) -> None:
    rows = [*INSPECTIONS, [*INSPECTIONS[0][:5], "75"]]
    interrupted_then_resumed(registered, write_csv(tmp_path / "检查.csv", INSPECTION_HEADER, rows))
    correction = [r for r in records(registered).values() if r["payload"]["score"] == 75.0]
    assert correction[0]["supersedes"] is not None


def test_correction_after_a_resume_names_the_same_version_as_without_one(
    new_db: Callable[[], Database], tmp_path: Path
) -> None:
    r1 = INSPECTIONS[0][:5]
    # R1 scored 70 then 80 in the first chunk (70's id happens to sort after 80's), then 90.
    rows = [[*r1, "70"], [*r1, "80"], *INSPECTIONS[1:], [*r1, "90"]]
    path = write_csv(tmp_path / "检查.csv", INSPECTION_HEADER, rows)
    named = []
    for interrupted in (False, True):
        db = new_db()
        run(db, write_csv(tmp_path / "主体.csv", ENTITY_HEADER, ENTITIES), "entity")
        if interrupted:
            interrupted_then_resumed(db, path)
        else:
            run(db, path, "inspection")
        stored = records(db)
        (latest,) = [r for r in stored.values() if r["payload"]["score"] == 90.0]
        named.append(stored[latest["supersedes"]]["payload"]["score"])
    assert named == [80.0, 80.0]


def test_findings_hang_under_their_inspection_by_key(registered: Database, tmp_path: Path) -> None:
    run(registered, write_csv(tmp_path / "检查.csv", INSPECTION_HEADER, INSPECTIONS), "inspection")
    orphan = ["R9", "1", SHUSHAN_1, "2026-03-09", "无对应检查", "一般"]
    path = write_csv(tmp_path / "问题.csv", FINDING_HEADER, [*FINDINGS, orphan])
    assert counts(run(registered, path, "finding")) == (4, 4, 0, 0)
    stored = records(registered)
    inspection_of = {r["key"]: i for i, r in stored.items() if r["kind"] == "inspection"}
    parents = {r["key"]: r["parent"] for r in stored.values() if r["kind"] == "finding"}
    assert parents == {
        "R2|1": inspection_of["R2"],
        "R2|2": inspection_of["R2"],
        "R3|1": inspection_of["R3"],
        "R9|1": None,
    }


def import_everything(db: Database, folder: Path, mode: Mode) -> list[tuple[int, int, int, int]]:
    corrected = [
        *INSPECTIONS,
        [*INSPECTIONS[1][:5], "60"],
        ["R5", UNREGISTERED, "2026-03-05", "日常检查", "合格", "90"],
    ]
    return [
        counts(run(db, write_csv(folder / name, header, rows), target, mode=mode))
        for name, header, rows, target in [
            ("主体.csv", ENTITY_HEADER, ENTITIES, "entity"),
            ("检查.csv", INSPECTION_HEADER, corrected, "inspection"),
            ("问题.csv", FINDING_HEADER, [*FINDINGS, FINDINGS[0]], "finding"),
        ]
    ]


def test_process_and_thread_readers_give_identical_results(
    new_db: Callable[[], Database], tmp_path: Path
) -> None:
    results = {}
    for mode in ("process", "thread"):
        db = new_db()
        (tmp_path / mode).mkdir()
        summaries = import_everything(db, tmp_path / mode, mode)
        kept = [(q.row_no, q.problems, q.raw) for q in quarantined(db)]
        results[mode] = (summaries, records(db), kept)
    assert results["process"] == results["thread"]
    assert len(results["process"][1]) == 7  # 4 inspections (one corrected) and 3 findings


def test_record_ids_do_not_depend_on_the_database(
    new_db: Callable[[], Database], tmp_path: Path
) -> None:
    ids = []
    for _ in range(2):
        db = new_db()
        run(db, write_csv(tmp_path / "主体.csv", ENTITY_HEADER, ENTITIES), "entity")
        run(db, write_csv(tmp_path / "检查.csv", INSPECTION_HEADER, INSPECTIONS), "inspection")
        ids.append(set(records(db)))
    assert ids[0] == ids[1] and len(ids[0]) == 3
