"""Importing files: batches that survive crashes, and the quarantine that keeps bad rows.

``run_import`` is a job, not a request: it commits once per chunk, writing the chunk's facts, its
quarantined rows and the batch counters in one transaction. Killed at any moment, a re-run with
the same file and mapping resumes after the last committed row; nothing is lost or written twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import ImportFinished
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.errors import FileRejected, NotFound, OutOfJurisdiction
from lookthrough.core.ids import make_id
from lookthrough.core.roles import Capability
from lookthrough.core.scope import region_prefix_clause, require
from lookthrough.ingest import mapping as mappings
from lookthrough.ingest.chunks import run_chunks
from lookthrough.ingest.mapping import Mapping
from lookthrough.ingest.models import IngestBatch, QuarantineRow
from lookthrough.ingest.pipeline import (
    Mode,
    ReadPlan,
    fork_available,
)
from lookthrough.regions.models import Region

CHUNK_ROWS = 10_000  # rows per transaction: fewer fsyncs, bounded memory
Progress = Callable[[IngestBatch], None]


@dataclass(frozen=True, slots=True)
class BatchSummary:
    batch_id: str
    target: str
    file_name: str
    status: str
    rows_read: int
    accepted: int
    quarantined: int
    duplicates: int
    resumed_from: int

    @classmethod
    def of(cls, batch: IngestBatch, resumed_from: int = 0) -> BatchSummary:
        return cls(
            batch.id,
            batch.target,
            batch.file_name,
            batch.status,
            batch.rows_read,
            batch.accepted,
            batch.quarantined,
            batch.duplicates,
            resumed_from,
        )

    @property
    def adds_up(self) -> bool:
        return self.rows_read == self.accepted + self.quarantined + self.duplicates


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def estimate_rows(path: Path) -> int | None:
    """Roughly how many data rows a file has, for the progress bar."""
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt", ".jsonl", ".ndjson"}:
        lines = 0
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                lines += chunk.count(b"\n")
        return max(lines - (1 if suffix in {".csv", ".txt"} else 0), 0)
    return None


def region_codes(session: Session) -> set[str]:
    return set(session.scalars(select(Region.code)))


def _batch_for(
    session: Session,
    *,
    actor: Actor,
    path: Path,
    mapping: Mapping,
    source: str,
    scope: str,
    file_name: str | None = None,
) -> tuple[IngestBatch, int]:
    """The batch to run: an unfinished one for the same file to resume, or a new one."""
    sha = file_sha256(path)
    fingerprint = make_id("batch", sha, mapping.digest, source, scope, actor.username)
    unfinished = session.scalar(
        select(IngestBatch)
        .where(IngestBatch.fingerprint == fingerprint, IngestBatch.status != "done")
        .order_by(IngestBatch.started_at.desc())
    )
    if unfinished is not None:
        unfinished.status, unfinished.error = "running", None
        return unfinished, unfinished.last_row
    runs = (
        session.scalar(
            select(func.count())
            .select_from(IngestBatch)
            .where(IngestBatch.fingerprint == fingerprint)
        )
        or 0
    )
    now = clock.utcnow()
    batch = IngestBatch(
        id=f"{fingerprint[:30]}-{runs + 1}",
        fingerprint=fingerprint,
        target=mapping.target,
        source=source,
        file_name=(file_name or path.name)[:300],
        file_sha256=sha,
        file_format=path.suffix.lower().lstrip("."),
        mapping_yaml=yaml.safe_dump(_mapping_data(mapping), allow_unicode=True),
        region_code=scope,
        created_by=actor.username,
        status="running",
        rows_total=estimate_rows(path),
        rows_read=0,
        accepted=0,
        quarantined=0,
        duplicates=0,
        last_row=0,
        started_at=now,
        updated_at=now,
    )
    session.add(batch)
    return batch, 0


def _mapping_data(mapping: Mapping) -> dict[str, Any]:
    """The mapping as YAML data, kept with the batch so a fixed row is re-read the same way."""
    data: dict[str, Any] = {
        "target": mapping.target,
        "source": mapping.source,
        "key": list(mapping.key),
        "columns": {k: list(v) for k, v in mapping.columns.items()},
        "defaults": mapping.defaults,
        "values": mapping.values,
        "split": mapping.split,
        "dates": {k: list(v) for k, v in mapping.dates.items()},
    }
    if mapping.encoding:
        data["encoding"] = mapping.encoding
    if mapping.title:
        data["title"] = mapping.title
    if mapping.parent:
        data["parent"] = {
            "kind": mapping.parent.kind,
            "key": list(mapping.parent.key),
            "match": list(mapping.parent.match),
        }
    return data


@dataclass(frozen=True, slots=True)
class OpenBatch:
    """A batch ready to run: created, or found unfinished and to be resumed."""

    batch_id: str
    actor: Actor
    plan: ReadPlan
    scope: str


def open_batch(
    factory: Callable[[], Session],
    *,
    actor: Actor,
    path: Path,
    mapping: Mapping,
    source: str | None = None,
    scope: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    file_name: str | None = None,
) -> OpenBatch:
    """Check the importer's right and scope, then create (or find, to resume) the batch."""
    require(actor, Capability.IMPORT_DATA)
    scope = scope or actor.region
    if not scope.startswith(actor.jurisdiction):
        raise OutOfJurisdiction(region=scope)
    source = source or mapping.source
    with _unit(factory) as session:
        batch, resume_after = _batch_for(
            session,
            actor=actor,
            path=path,
            mapping=mapping,
            source=source,
            scope=scope,
            file_name=file_name,
        )
        regions = region_codes(session)
        batch_id = batch.id
    plan = ReadPlan(
        path=path,
        mapping=mapping,
        source=source,
        regions=frozenset(regions),
        resume_after=resume_after,
        chunk_rows=chunk_rows,
    )
    return OpenBatch(batch_id, actor, plan, scope)


def run_batch(
    factory: Callable[[], Session],
    opened: OpenBatch,
    *,
    progress: Progress | None = None,
    mode: Mode = "process",
) -> BatchSummary:
    """Run an opened batch to the end, one committed transaction per chunk.

    ``mode="thread"`` reads on a thread instead of a forked process (for callers that have
    threads of their own, like the web server)."""
    batch_id = opened.batch_id
    if mode == "process" and fork_available():
        # The reader process resolves references on its own connection (see references.py).
        with factory() as session:
            url = session.get_bind().engine.url.render_as_string(hide_password=False)
        opened = replace(
            opened,
            plan=replace(opened.plan, database_url=url, scope=opened.scope, batch_id=batch_id),
        )
    try:
        run_chunks(
            factory,
            plan=opened.plan,
            batch_id=batch_id,
            scope=opened.scope,
            progress=progress,
            mode=mode,
        )
    except BaseException as error:
        message = (
            error.message
            if isinstance(error, FileRejected)
            else "导入中断，可重新导入同一文件以续传"
        )
        with _unit(factory) as session:
            failed = session.get(IngestBatch, batch_id)
            if failed is not None:
                failed.status, failed.error = "failed", message
                failed.updated_at = clock.utcnow()
        raise
    with _unit(factory) as session:
        done = session.get(IngestBatch, batch_id)
        assert done is not None
        done.status, done.finished_at = "done", clock.utcnow()
        audit.record(
            session,
            actor=opened.actor,
            event=ImportFinished(
                object_id=done.id,
                target=done.target,
                file_name=done.file_name,
                rows_read=done.rows_read,
                accepted=done.accepted,
                quarantined=done.quarantined,
                duplicates=done.duplicates,
            ),
        )
        return BatchSummary.of(done, opened.plan.resume_after)


def run_import(
    factory: Callable[[], Session],
    *,
    actor: Actor,
    path: Path,
    mapping: Mapping,
    source: str | None = None,
    scope: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    progress: Progress | None = None,
    mode: Mode = "process",
) -> BatchSummary:
    """Import one file. Resumes an unfinished batch of the same file; commits per chunk."""
    opened = open_batch(
        factory,
        actor=actor,
        path=path,
        mapping=mapping,
        source=source,
        scope=scope,
        chunk_rows=chunk_rows,
    )
    return run_batch(factory, opened, progress=progress, mode=mode)


class _unit:
    """A session committed on success (the job's own transaction boundary)."""

    def __init__(self, factory: Callable[[], Session]) -> None:
        self.session = factory()

    def __enter__(self) -> Session:
        return self.session

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        try:
            if kind is None:
                self.session.commit()
            else:
                self.session.rollback()
        finally:
            self.session.close()


def mapping_for(target: str, path: Path | None = None) -> Mapping:
    """The mapping to use: a file given by the user, or the shipped one for the target."""
    if path is not None:
        found = mappings.load(path)
        if found.target != target:
            raise FileRejected(f"映射文件的目标“{found.target}”与所选类别“{target}”不一致")
        return found
    return mappings.builtin(target)


# -- reading batches and quarantine ----------------------------------------------------------


def batches(
    session: Session, *, actor: Actor, limit: int = 50, offset: int = 0
) -> tuple[list[IngestBatch], int]:
    """Batches imported into the actor's region or below, newest first."""
    require(actor, Capability.IMPORT_DATA)
    stmt = select(IngestBatch).where(region_prefix_clause(IngestBatch.region_code, actor.region))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(IngestBatch.started_at.desc()).limit(limit).offset(offset)
    ).all()
    return list(rows), int(total)


def get_batch(session: Session, *, actor: Actor, batch_id: str) -> IngestBatch:
    require(actor, Capability.IMPORT_DATA)
    batch = session.get(IngestBatch, batch_id)
    if batch is None or not batch.region_code.startswith(actor.region):
        raise NotFound("导入批次不存在或不在您的管辖范围内")
    return batch


def quarantine(
    session: Session,
    *,
    actor: Actor,
    batch_id: str,
    status: str | None = "open",
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[QuarantineRow], int]:
    batch = get_batch(session, actor=actor, batch_id=batch_id)
    stmt = select(QuarantineRow).where(QuarantineRow.batch_id == batch.id)
    if status:
        stmt = stmt.where(QuarantineRow.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(QuarantineRow.row_no).limit(limit).offset(offset)).all()
    return list(rows), int(total)
