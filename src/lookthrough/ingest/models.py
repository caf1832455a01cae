"""Import batches and quarantined rows.

A batch is one file imported with one mapping; its id is derived from the file's bytes and the
mapping, so importing the same file again resumes or repeats the same batch. Its counters are
committed together with each chunk of rows, so after a crash they still add up:
``rows_read = accepted + quarantined + duplicates``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lookthrough.core.db import Base, UTCDateTime


class IngestBatch(Base):
    __tablename__ = "ingest_batch"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    # Same file, mapping, source and importer: a failed batch with this fingerprint resumes.
    fingerprint: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(30))
    source: Mapped[str] = mapped_column(String(100))
    file_name: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64))
    file_format: Mapped[str] = mapped_column(String(20))
    mapping_yaml: Mapped[str] = mapped_column(Text)
    region_code: Mapped[str] = mapped_column(String(12), index=True)  # uploader's jurisdiction
    created_by: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(12))  # running | done | failed
    rows_total: Mapped[int | None] = mapped_column(Integer)  # estimate, for the progress bar
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    quarantined: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    last_row: Mapped[int] = mapped_column(Integer, default=0)  # last source row committed
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class QuarantineRow(Base):
    """A source row that was not accepted, with every reason, kept until fixed or dismissed."""

    __tablename__ = "quarantine_row"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("ingest_batch.id"), index=True)
    row_no: Mapped[int] = mapped_column(Integer)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # column, rule, value, reason
    raw: Mapped[dict[str, Any]] = mapped_column(JSON)
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open|resubmitted|dismissed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(80))
