"""Rows that cannot be accepted: quarantined with column, rule, value and a Chinese reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ingest_support import (
    ENTITIES,
    ENTITY_HEADER,
    INSPECTION_HEADER,
    INSPECTIONS,
    SHUSHAN_1,
    UNREGISTERED,
    Database,
    counts,
    quarantined,
    records,
    run,
    write_csv,
)
from sqlalchemy import select

from lookthrough.core.errors import FileRejected
from lookthrough.ingest.models import IngestBatch
from lookthrough.records.models import Record
from lookthrough.registry import uscc
from lookthrough.registry.models import Entity

# 蜀山区 code whose inner organisation-code check is wrong but whose 18th character is right.
LEGACY = SHUSHAN_1[:16] + ("0" if SHUSHAN_1[16] != "0" else "1")
LEGACY += uscc.check_character(LEGACY)

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
    "code for manual review": (
        ["R9", LEGACY, "2026-03-01", "日常检查", "合格", "90"],
        "统一社会信用代码",
        "uscc_review",
        LEGACY,
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
