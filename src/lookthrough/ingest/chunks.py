"""The writing side of an import: parcels from the reader, committed in chunks.

Each parcel (a couple of thousand rows) is written as it arrives, into the chunk's open
transaction, so reading and writing alternate finely; every ``chunk_rows`` rows the chunk's
records, its quarantined rows and the batch counters are committed together. That commit is the
unit of crash safety: a re-run resumes after the last committed source row.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from lookthrough.core import clock
from lookthrough.ingest.models import IngestBatch, QuarantineRow
from lookthrough.ingest.pipeline import Failed, Header, Mode, ReadPlan, read_chunks
from lookthrough.ingest.readers import as_dict
from lookthrough.ingest.shapes import Candidate, Problem
from lookthrough.ingest.statistics import Statistics
from lookthrough.ingest.writers import Context, writer_for

Progress = Callable[[IngestBatch], None]


class ChunkWriter:
    def __init__(
        self,
        factory: Callable[[], Session],
        plan: ReadPlan,
        *,
        batch_id: str,
        scope: str,
        progress: Progress | None,
    ) -> None:
        self.factory, self.plan, self.batch_id, self.scope = factory, plan, batch_id, scope
        self.progress = progress
        self.statistics = Statistics(factory, plan.mapping)
        self.written = 0  # rows this run has committed
        self.memo: dict[str, dict[Any, Any]] = {}  # look-ups remembered across chunks
        self.session: Session | None = None
        self.ctx: Context | None = None
        self._reset()

    def _reset(self) -> None:
        self.rows = self.accepted = self.duplicates = self.quarantined = 0
        self.last_row = 0

    def _open(self, header: Header) -> tuple[Session, Context]:
        if self.session is None or self.ctx is None:
            self.session = self.factory()
            self.ctx = Context(
                mapping=self.plan.mapping,
                source=self.plan.source,
                batch_id=self.batch_id,
                scope=self.scope,
                now=clock.utcnow(),
                columns=header.columns,
                memo=self.memo,
            )
        return self.session, self.ctx

    def add(self, header: Header, parcel: list[Candidate]) -> None:
        session, ctx = self._open(header)
        # Rows refused while reading, taken before the writer adds refusals of its own.
        bad: list[tuple[Candidate, list[Problem]]] = [(c, c.problems) for c in parcel if c.problems]
        good = [c for c in parcel if not c.problems]
        if good:
            result = writer_for(self.plan.mapping)(session, good, ctx)
            bad += result.rejected
            self.accepted += result.accepted
            self.duplicates += result.duplicates
        session.add_all(
            QuarantineRow(
                batch_id=self.batch_id,
                row_no=c.row_no,
                problems=[p.as_dict() for p in problems],
                raw=as_dict(header.names, c.raw or []),
                region_code=self.scope,
                status="open",
                created_at=ctx.now,
            )
            for c, problems in bad
        )
        self.quarantined += len(bad)
        self.rows += len(parcel)
        self.last_row = parcel[-1].row_no
        if self.rows >= self.plan.chunk_rows:
            self.commit()

    def commit(self) -> None:
        """Commit the open chunk with the batch's counters (one transaction)."""
        session = self.session
        if session is None:
            return
        try:
            batch = session.get(IngestBatch, self.batch_id)
            assert batch is not None
            batch.rows_read += self.rows
            batch.accepted += self.accepted
            batch.duplicates += self.duplicates
            batch.quarantined += self.quarantined
            batch.last_row = self.last_row
            batch.updated_at = clock.utcnow()
            session.flush()
            if self.progress is not None:  # inside the transaction: a failure here loses it all
                self.progress(batch)
            session.commit()
            self.written += self.rows
        finally:
            session.close()
            self.session, self.ctx = None, None
            self._reset()
        self.statistics.written(self.written)

    def abort(self) -> None:
        if self.session is not None:
            self.session.rollback()
            self.session.close()
            self.session, self.ctx = None, None


def run_chunks(
    factory: Callable[[], Session],
    *,
    plan: ReadPlan,
    batch_id: str,
    scope: str,
    progress: Progress | None,
    mode: Mode,
) -> None:
    """Write the reader's parcels as they come, committing every ``plan.chunk_rows`` rows."""
    writer = ChunkWriter(factory, plan, batch_id=batch_id, scope=scope, progress=progress)
    writer.statistics.start()
    header: Header | None = None
    # Parcels unpickle into millions of short-lived acyclic objects: the cycle collector would
    # only rescan them (a tenth of the writer's time). It runs again when the import is done.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for message in read_chunks(plan, mode=mode):
            if isinstance(message, Header):
                header = message
            elif isinstance(message, Failed):
                raise message.error
            elif message is not None and header is not None:
                writer.add(header, message)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    finally:
        if collecting:
            gc.enable()
