"""Importing files into a real database: counts, idempotency, corrections, quarantine, parents."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ingest_support import Database, importer, write_csv
from sqlalchemy import func, select

from lookthrough.core.errors import FileRejected
from lookthrough.ingest import manifest, service
from lookthrough.ingest.models import IngestBatch, QuarantineRow
from lookthrough.ingest.pipeline import Mode
from lookthrough.ingest.service import BatchSummary
from lookthrough.records.models import Record
from lookthrough.registry import uscc
from lookthrough.registry.models import Entity

LOOKTHROUGH = str(Path(sys.executable).with_name("lookthrough"))
SHUSHAN_1 = uscc.make("91", "340104", "MA2N0001")  # 蜀山区
SHUSHAN_2 = uscc.make("92", "340104", "MA2N0002")
LUYANG = uscc.make("91", "340103", "MA2N0003")  # 庐阳区
UNREGISTERED = uscc.make("91", "340104", "MA2N0009")

ENTITY_HEADER = ["统一社会信用代码", "主体名称", "所属区划代码", "住所", "法定代表人"]
ENTITIES = [
    [SHUSHAN_1, "合肥一号餐饮有限公司", "340104", "黄山路1号", "张一"],
    [SHUSHAN_2, "合肥二号小吃店", "340104", "黄山路2号", "张二"],
    [LUYANG, "合肥三号超市有限公司", "340103", "长江路3号", "张三"],
]
INSPECTION_HEADER = ["检查编号", "统一社会信用代码", "检查日期", "检查类型", "检查结果", "评分"]
INSPECTIONS = [
    ["R1", SHUSHAN_1, "2026-03-01", "日常检查", "合格", "95"],
    ["R2", SHUSHAN_2, "2026/03/02", "日常检查", "不合格", "58"],
    ["R3", LUYANG, "20260303", "专项检查", "基本符合", "80"],
]
FINDING_HEADER = ["检查编号", "问题序号", "统一社会信用代码", "检查日期", "问题描述", "严重程度"]
FINDINGS = [
    ["R2", "1", SHUSHAN_2, "2026-03-02", "从业人员未持健康证", "较重"],
    ["R2", "2", SHUSHAN_2, "2026-03-02", "冷藏温度超标", "一般"],
    ["R3", "1", LUYANG, "2026-03-03", "进货查验记录不全", "一般"],
]


def run(
    db: Database,
    path: Path,
    target: str,
    *,
    scope: str = "34",
    mode: Mode = "process",
    chunk_rows: int = 2,  # small chunks: every test crosses chunk boundaries
    progress: Callable[[IngestBatch], None] | None = None,
) -> BatchSummary:
    return service.run_import(
        db.factory,
        actor=importer(scope),
        path=path,
        mapping=service.mapping_for(target),
        scope=scope,
        mode=mode,
        chunk_rows=chunk_rows,
        progress=progress,
    )


def counts(summary: BatchSummary) -> tuple[int, int, int, int]:
    return (summary.rows_read, summary.accepted, summary.quarantined, summary.duplicates)


def records(db: Database) -> dict[str, dict[str, Any]]:
    with db.factory() as session:
        rows = session.execute(select(Record, Entity.uscc).outerjoin(Entity)).all()
        return {
            r.id: {
                "kind": r.kind,
                "key": r.source_key,
                "uscc": entity_uscc,
                "region": r.region_code,
                "parent": r.parent_id,
                "supersedes": r.supersedes_id,
                "payload": r.payload,
                "title": r.title,
            }
            for r, entity_uscc in rows
        }


def quarantined(db: Database) -> list[QuarantineRow]:
    with db.factory() as session:
        return list(session.scalars(select(QuarantineRow).order_by(QuarantineRow.id)))


@pytest.fixture
def registered(fresh_db: Database, tmp_path: Path) -> Database:
    """A database holding the three businesses."""
    run(fresh_db, write_csv(tmp_path / "主体.csv", ENTITY_HEADER, ENTITIES), "entity")
    return fresh_db


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


def test_interrupted_import_resumes_after_the_last_committed_chunk(
    registered: Database, tmp_path: Path
) -> None:
    rows = [*INSPECTIONS, ["R4", SHUSHAN_1, "2026-03-04", "日常检查", "合格", "91"]]
    path = write_csv(tmp_path / "检查.csv", INSPECTION_HEADER, rows)

    def crash_in_second_chunk(batch: IngestBatch) -> None:
        if batch.rows_read > 2:
            raise RuntimeError("power cut")  # inside the chunk's transaction: it rolls back

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
    path = write_csv(tmp_path / "检查.csv", INSPECTION_HEADER, rows)

    def crash_in_second_chunk(batch: IngestBatch) -> None:
        if batch.rows_read > 2:
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        run(registered, path, "inspection", progress=crash_in_second_chunk)
    run(registered, path, "inspection")
    correction = [r for r in records(registered).values() if r["payload"]["score"] == 75.0]
    assert correction[0]["supersedes"] is not None


BAD_ROWS = {
    "impossible date": (
        ["R9", SHUSHAN_1, "2026-13-45", "日常检查", "合格", "90"],
        "检查日期",
        "date_invalid",
        "2026-13-45",
    ),
    "missing date": (["R9", SHUSHAN_1, "", "日常检查", "合格", "90"], "检查日期", "required", None),
    "invalid code": (
        ["R9", SHUSHAN_1[:17] + "I", "2026-03-01", "日常检查", "合格", "90"],
        "统一社会信用代码",
        "uscc_invalid",
        SHUSHAN_1[:17] + "I",
    ),
    "unknown business": (
        ["R9", UNREGISTERED, "2026-03-01", "日常检查", "合格", "90"],
        "统一社会信用代码",
        "entity_missing",
        UNREGISTERED,
    ),
    "score above 100": (
        ["R9", SHUSHAN_1, "2026-03-01", "日常检查", "合格", "150"],
        "评分",
        "payload_less_than_equal",
        "150",
    ),
    "result not allowed": (
        ["R9", SHUSHAN_1, "2026-03-01", "日常检查", "很好", "90"],
        "检查结果",
        "payload_literal_error",
        "很好",
    ),
}


@pytest.mark.parametrize(
    ("row", "column", "rule", "value"), list(BAD_ROWS.values()), ids=list(BAD_ROWS)
)
def test_quarantined_row_says_column_rule_value_and_why_in_chinese(
    registered: Database, tmp_path: Path, row: list[str], column: str, rule: str, value: str | None
) -> None:
    summary = run(
        registered, write_csv(tmp_path / "检查.csv", INSPECTION_HEADER, [row]), "inspection"
    )
    assert counts(summary) == (1, 0, 1, 0)
    (kept,) = quarantined(registered)
    (problem,) = kept.problems
    assert (problem["column"], problem["rule"], problem["value"]) == (column, rule, value)
    assert re.search(r"[\u4e00-\u9fff]", problem["reason"]), problem["reason"]
    assert kept.row_no == 2 and kept.batch_id == summary.batch_id and kept.status == "open"
    assert kept.raw == dict(zip(INSPECTION_HEADER, [cell or None for cell in row], strict=True))


def test_missing_required_column_refuses_the_file(registered: Database, tmp_path: Path) -> None:
    header = [h for h in INSPECTION_HEADER if h != "检查日期"]
    rows = [
        [c for h, c in zip(INSPECTION_HEADER, r, strict=True) if h != "检查日期"]
        for r in INSPECTIONS
    ]
    with pytest.raises(FileRejected) as refused:
        run(registered, write_csv(tmp_path / "检查.csv", header, rows), "inspection")
    assert refused.value.context == {"missing": ["检查日期"]}
    assert "缺少必需的列：检查日期" in refused.value.message
    with registered.factory() as session:
        batch = session.scalars(select(IngestBatch).where(IngestBatch.target == "inspection")).one()
        assert (batch.status, batch.error) == ("failed", refused.value.message)
    assert records(registered) == {}


def test_business_file_without_a_code_column_is_refused(fresh_db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "主体.csv", ["主体名称"], [["合肥一号"]])
    with pytest.raises(FileRejected) as refused:
        run(fresh_db, path, "entity")
    assert refused.value.context == {"missing": ["统一社会信用代码"]}


def test_business_outside_the_scope_is_quarantined(fresh_db: Database, tmp_path: Path) -> None:
    summary = run(
        fresh_db,
        write_csv(tmp_path / "主体.csv", ENTITY_HEADER, ENTITIES),
        "entity",
        scope="340104",
    )
    assert counts(summary) == (3, 2, 1, 0)
    (kept,) = quarantined(fresh_db)
    assert [(p["rule"], p["value"]) for p in kept.problems] == [("out_of_scope", "340103")]


def test_record_outside_the_scope_is_quarantined(registered: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "检查.csv", INSPECTION_HEADER, INSPECTIONS)
    summary = run(registered, path, "inspection", scope="340104")
    assert counts(summary) == (3, 2, 1, 0)
    (kept,) = quarantined(registered)
    assert (kept.row_no, kept.region_code) == (4, "340104")
    assert [(p["column"], p["rule"], p["value"]) for p in kept.problems] == [
        ("所属区划代码", "out_of_scope", "340103")
    ]


FORMULAS = ['=HYPERLINK("http://evil.example","点我")', "+86 551 1234", "-2+3", "@SUM(A1:A9)"]


def test_formula_like_strings_are_stored_verbatim(fresh_db: Database, tmp_path: Path) -> None:
    name, address, legal_rep, matter = FORMULAS
    row = [SHUSHAN_1, name, "340104", address, legal_rep]
    run(fresh_db, write_csv(tmp_path / "主体.csv", ENTITY_HEADER, [row]), "entity")
    header = [*INSPECTION_HEADER, "监管事项"]
    run(
        fresh_db,
        write_csv(tmp_path / "检查.csv", header, [[*INSPECTIONS[0], matter]]),
        "inspection",
    )
    with fresh_db.factory() as session:
        entity = session.scalars(select(Entity)).one()
        assert (entity.name, entity.address, entity.legal_rep) == (name, address, legal_rep)
        assert session.scalars(select(Record)).one().payload["matter"] == matter


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


def write_folder(folder: Path) -> Path:
    """Businesses, inspections and findings, listed in the manifest in the wrong order."""
    folder.mkdir()
    write_csv(folder / "findings.csv", FINDING_HEADER, FINDINGS)
    write_csv(folder / "inspections.csv", INSPECTION_HEADER, INSPECTIONS)
    write_csv(folder / "businesses.csv", ENTITY_HEADER, ENTITIES)
    files = [
        ("findings.csv", "finding"),
        ("inspections.csv", "inspection"),
        ("businesses.csv", "entity"),
    ]
    data = {"files": [{"path": p, "target": t} for p, t in files]}
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def test_manifest_plan_puts_dependencies_first(tmp_path: Path) -> None:
    jobs = manifest.plan(write_folder(tmp_path / "bundle"))
    assert [(j.path.name, j.target) for j in jobs] == [
        ("businesses.csv", "entity"),
        ("inspections.csv", "inspection"),
        ("findings.csv", "finding"),
    ]


def cli(db: Database, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LOOKTHROUGH_DATABASE_URL": db.url, "LOOKTHROUGH_VAR_DIR": str(tmp_path)}
    return subprocess.run(
        [LOOKTHROUGH, "import", *args],
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_cli_imports_a_folder_in_dependency_order(fresh_db: Database, tmp_path: Path) -> None:
    done = cli(fresh_db, tmp_path, str(write_folder(tmp_path / "bundle")), "--json")
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert [(r["target"], r["accepted"], r["adds_up"]) for r in results] == [
        ("entity", 3, True),
        ("inspection", 3, True),
        ("finding", 3, True),
    ]
    findings = [r for r in records(fresh_db).values() if r["kind"] == "finding"]
    assert all(r["parent"] for r in findings), "findings were imported after their inspections"


def test_cli_json_for_one_file(fresh_db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "主体.csv", ENTITY_HEADER, [*ENTITIES, ENTITIES[0]])
    done = cli(fresh_db, tmp_path, str(path), "--kind", "entity", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == {
        "batch_id",
        "target",
        "file_name",
        "status",
        "rows_read",
        "accepted",
        "quarantined",
        "duplicates",
        "resumed_from",
        "adds_up",
    }
    assert (result["rows_read"], result["accepted"], result["duplicates"], result["adds_up"]) == (
        4,
        3,
        1,
        True,
    )


def test_cli_refused_file_exits_1_with_the_reason(fresh_db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "检查.csv", ["检查编号"], [["R1"]])
    done = cli(fresh_db, tmp_path, str(path), "--kind", "inspection")
    assert done.returncode == 1
    assert "缺少必需的列：检查日期" in done.stderr


def test_cli_file_without_kind_is_a_usage_error(fresh_db: Database, tmp_path: Path) -> None:
    done = cli(fresh_db, tmp_path, str(write_csv(tmp_path / "a.csv", ["a"], [["1"]])))
    assert done.returncode == 2


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
