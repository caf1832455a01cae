"""Regulatory records (监管信息): one fact each, append-only, with provenance.

A record's id is derived from its source, kind, source key and content, so importing the same
file twice adds nothing; a changed row becomes a new record whose ``supersedes_id`` names the one
it corrects. Only ``last_seen`` is ever updated in place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from lookthrough.core.db import Base, UTCDateTime


class Record(Base):
    __tablename__ = "record"
    # Few indexes, each earning its place: imports pay for every one of them.
    __table_args__ = (
        Index("ix_record_source_key", "source", "kind", "source_key"),
        Index("ix_record_entity_time", "entity_id", "occurred_at"),
        Index(
            "ix_record_parent",
            "parent_id",
            sqlite_where=text("parent_id IS NOT NULL"),
            postgresql_where=text("parent_id IS NOT NULL"),
        ),
        Index(
            "ix_record_supersedes",
            "supersedes_id",
            sqlite_where=text("supersedes_id IS NOT NULL"),
            postgresql_where=text("supersedes_id IS NOT NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("region.code"), index=True)
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entity.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(String(300))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    parent_id: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(100))
    source_key: Mapped[str] = mapped_column(String(200))
    batch_id: Mapped[str | None] = mapped_column(String(40))
    source_row: Mapped[int | None] = mapped_column(Integer)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    supersedes_id: Mapped[str | None] = mapped_column(String(40))


class RecordSubject(Base):
    """Which subjects (elevators, lots, shops …) a record concerns."""

    __tablename__ = "record_subject"

    record_id: Mapped[str] = mapped_column(ForeignKey("record.id"), primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), primary_key=True, index=True)
