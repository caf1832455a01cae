"""Data and helpers shared by the import tests (a conftest cannot be imported by name)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from lookthrough.core.actor import Actor
from lookthrough.core.roles import Role
from lookthrough.ingest import service
from lookthrough.ingest.models import IngestBatch, QuarantineRow
from lookthrough.ingest.pipeline import Mode
from lookthrough.ingest.service import BatchSummary
from lookthrough.records.models import Record
from lookthrough.registry import uscc
from lookthrough.registry.models import Entity


@dataclass
class Database:
    url: str
    engine: Engine
    factory: sessionmaker[Session]

    @property
    def backend(self) -> str:
        return self.engine.dialect.name


def importer(region: str = "34") -> Actor:
    """The actor `lookthrough import` uses: a province analyst looking at ``region``."""
    return Actor(
        user_id=None,
        username="tests:import",
        role=Role.PROVINCE_ANALYST,
        jurisdiction="34",
        region=region,
    )


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def analyse_like_autovacuum(db: Database) -> None:
    """Refresh PostgreSQL's statistics of the record table, as autovacuum would.

    Test servers often run with autovacuum off. Without statistics, the planner expects one row
    per (source, kind) and checks source keys by filter instead of by index, so every chunk of a
    resumed import scans all stored records (a resumed 120k-row import then takes minutes
    instead of seconds). Reported as a product issue; these tests are about other things."""
    if db.backend == "postgresql":
        with db.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE record")
            connection.commit()


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
