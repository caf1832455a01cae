"""Relations between businesses, people and equipment: endpoints by credit code, person number
or equipment (its category as a Chinese word or as a code), and unknown endpoints quarantined."""

from __future__ import annotations

from pathlib import Path

from ingest_support import SHUSHAN_1, SHUSHAN_2, Database, run, write_csv
from sqlalchemy import select

from lookthrough.ingest.models import QuarantineRow
from lookthrough.registry.models import Relation

RELATION_HEADER = [
    "关系类别",
    "起点统一社会信用代码",
    "起点自然人编号",
    "起点自然人姓名",
    "终点统一社会信用代码",
    "终点监管对象（类别:编号）",
]


def test_relations_resolve_every_kind_of_endpoint(registered: Database, tmp_path: Path) -> None:
    run(
        registered,
        write_csv(
            tmp_path / "设备.csv",
            ["对象类别", "对象编号", "所属主体统一社会信用代码"],
            [["电梯", "E-1", SHUSHAN_1], ["elevator", "E-2", SHUSHAN_1]],
        ),
        "subject",
    )
    rows = [
        ["维保", SHUSHAN_2, "", "", "", "电梯:E-1"],  # the word people write
        ["maintains", SHUSHAN_2, "", "", "", "elevator:E-2"],  # the code
        ["供货", SHUSHAN_2, "", "", SHUSHAN_1, ""],
        ["实际控制", "", "P-9", "王五", SHUSHAN_1, ""],
        ["维保", SHUSHAN_2, "", "", "", "电梯:没有这台"],
        ["结拜", SHUSHAN_2, "", "", SHUSHAN_1, ""],
    ]
    summary = run(registered, write_csv(tmp_path / "关系.csv", RELATION_HEADER, rows), "relation")
    assert (summary.rows_read, summary.accepted, summary.quarantined) == (6, 4, 2)
    with registered.factory() as session:
        kinds = sorted(session.scalars(select(Relation.kind)))
        held = {
            q.row_no: " ".join(p["reason"] for p in q.problems)
            for q in session.scalars(select(QuarantineRow))
        }
    assert kinds == ["controls", "maintains", "maintains", "supplies"]
    assert set(held) == {6, 7}
    assert "监管对象" in held[6] and "不存在" in held[6], held[6]
    assert "关系类别须为" in held[7]
