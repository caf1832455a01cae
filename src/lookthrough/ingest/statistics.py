"""Keeping PostgreSQL's planner statistics current while an import grows a table.

Every look-up an import makes (is this business, subject or record already known?) is a
prepared statement. PostgreSQL plans it once for the table as its statistics describe it; a
table that was empty when planned is "known" to be tiny, and the plan reads it whole on every
chunk. With autovacuum behind (or off, as on many test servers) a 7.5-million-row entity import
fell to 500 rows/s after 150k rows. So the import analyses the tables it writes when a batch
starts and each time the batch has doubled what it wrote since the last analysis — about ten
times for a province-sized file. ANALYZE samples (30k rows by default), so each takes well under
a second, and it invalidates the cached plans so they are made again with the true sizes.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.orm import Session

from lookthrough.ingest.mapping import Mapping

FIRST_AFTER = 10_000  # rows written before the first analysis within a batch

_TABLES = {
    "entity": ("entity", "person"),
    "subject": ("subject",),
    "relation": ("relation", "person"),
}
_RECORD_TABLES = ("record", "record_subject")


class Statistics:
    """Analyse the tables a batch writes: at its start, then at 10k, 20k, 40k … rows."""

    def __init__(self, factory: Callable[[], Session], mapping: Mapping) -> None:
        self.factory = factory
        self.tables = _RECORD_TABLES if mapping.is_record else _TABLES[mapping.target]
        self.next_at = FIRST_AFTER
        self.runs = 0
        with factory() as session:
            self.enabled = session.get_bind().dialect.name == "postgresql"

    def start(self) -> None:
        self._analyse()

    def written(self, rows: int) -> None:
        """Called after each commit with the rows the batch has written so far."""
        if rows >= self.next_at:
            self._analyse()
            self.next_at = max(rows * 2, self.next_at * 2)

    def _analyse(self) -> None:
        if not self.enabled:
            return
        with self.factory() as session:
            for table in self.tables:
                session.execute(text(f"ANALYZE {table}"))
            session.commit()
        self.runs += 1
