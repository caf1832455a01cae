"""On PostgreSQL an import keeps the planner's statistics of the tables it grows current
(see lookthrough.ingest.statistics); on SQLite it does nothing."""

from __future__ import annotations

import pytest
from ingest_support import Database
from sqlalchemy import text

from lookthrough.ingest.service import mapping_for
from lookthrough.ingest.statistics import FIRST_AFTER, Statistics


def _reltuples(db: Database, table: str) -> float:
    with db.engine.connect() as conn:
        return float(
            conn.execute(
                text("SELECT reltuples FROM pg_class WHERE relname = :t"), {"t": table}
            ).scalar_one()
        )


def test_a_batch_analyses_at_start_and_each_time_it_doubles(registered: Database) -> None:
    statistics = Statistics(registered.factory, mapping_for("entity"))
    if registered.backend != "postgresql":
        statistics.start()
        statistics.written(10 * FIRST_AFTER)
        assert statistics.runs == 0
        return
    assert _reltuples(registered, "entity") <= 0  # never analysed: the planner guesses
    statistics.start()
    assert _reltuples(registered, "entity") == 3  # the three businesses, as ANALYZE counted
    schedule = [FIRST_AFTER // 2, FIRST_AFTER, FIRST_AFTER + 1, 2 * FIRST_AFTER, 3 * FIRST_AFTER]
    runs = []
    for rows in schedule:
        statistics.written(rows)
        runs.append(statistics.runs)
    assert runs == [1, 2, 2, 3, 3]


@pytest.mark.parametrize(
    ("target", "tables"),
    [("entity", ("entity", "person")), ("inspection", ("record", "record_subject"))],
)
def test_the_tables_analysed_are_the_ones_the_target_writes(
    fresh_db: Database, target: str, tables: tuple[str, ...]
) -> None:
    assert Statistics(fresh_db.factory, mapping_for(target)).tables == tables
