"""The bulk writer leaves PostgreSQL's planner statistics current (the file needs them)."""

from __future__ import annotations

import pyarrow as pa
import pytest
from sqlalchemy import Column, Index, Integer, MetaData, String, Table, select, text
from sqlalchemy.orm import Session

from lookthrough.risk import store


def _probe(db: Session) -> Table:
    table = Table(
        "store_probe",
        MetaData(),
        Column("entity_id", Integer, primary_key=True),
        Column("region_code", String(12), nullable=False),
        Index("ix_store_probe_region", "region_code"),
    )
    table.create(db.connection())
    return table


def _rows(n: int) -> pa.Table:
    return pa.table(
        {
            "entity_id": pa.array(range(1, n + 1), pa.int32()),
            "region_code": pa.array([f"3401{i % 90:02d}" for i in range(n)]),
        }
    )


def test_a_full_replace_leaves_statistics_and_the_rows(db: Session) -> None:
    table = _probe(db)
    n = max(store.REBUILD_ROWS, store.ANALYSE_ROWS)
    store.replace_all(db, table, _rows(n))
    assert db.scalar(select(text("count(*)")).select_from(table)) == n
    if db.get_bind().dialect.name != "postgresql":
        return
    analysed = db.scalar(text("SELECT count(*) FROM pg_stats WHERE tablename = 'store_probe'"))
    assert analysed == 2  # both columns have statistics
    # With them the planner knows a province-wide range matches every row and reads the key.
    plan = "\n".join(
        db.scalars(
            text(
                "EXPLAIN SELECT * FROM store_probe WHERE entity_id = 7 "
                "AND region_code >= '34' AND region_code < '35'"
            )
        )
    )
    assert "ix_store_probe_region" not in plan, plan


@pytest.mark.parametrize("n", [store.ANALYSE_ROWS - 1])
def test_small_writes_do_not_analyse(db: Session, n: int) -> None:
    table = _probe(db)
    store.replace_all(db, table, _rows(n))
    assert db.scalar(select(text("count(*)")).select_from(table)) == n
    if db.get_bind().dialect.name == "postgresql":
        assert db.scalar(text("SELECT count(*) FROM pg_stats WHERE tablename = 'store_probe'")) == 0
