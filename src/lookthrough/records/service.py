"""Use cases over regulatory records, always within the actor's scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.errors import NotFound
from lookthrough.core.scope import business_clause, region_prefix_clause, require_business_reader
from lookthrough.records.kinds import KINDS
from lookthrough.records.models import Record

KIND_LABELS = {code: kind.label for code, kind in KINDS.items()}


def _scoped(actor: Actor) -> ColumnElement[bool]:
    return business_clause(actor, region_column=Record.region_code, entity_column=Record.entity_id)


@dataclass(frozen=True, slots=True)
class RecordView:
    id: str
    kind: str
    kind_label: str
    region_code: str
    entity_id: int | None
    occurred_at: datetime
    title: str
    source: str

    @classmethod
    def of(cls, record: Record) -> RecordView:
        return cls(
            id=record.id,
            kind=record.kind,
            kind_label=KIND_LABELS.get(record.kind, record.kind),
            region_code=record.region_code,
            entity_id=record.entity_id,
            occurred_at=record.occurred_at,
            title=record.title,
            source=record.source,
        )


def search(
    session: Session,
    *,
    actor: Actor,
    kind: str | None = None,
    entity_id: int | None = None,
    region: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[RecordView], int]:
    require_business_reader(actor)
    stmt = select(Record).where(_scoped(actor))
    if kind:
        stmt = stmt.where(Record.kind == kind)
    if entity_id is not None:
        stmt = stmt.where(Record.entity_id == entity_id)
    if region:
        stmt = stmt.where(region_prefix_clause(Record.region_code, region))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Record.occurred_at.desc()).limit(limit).offset(offset)
    ).all()
    return [RecordView.of(row) for row in rows], int(total)


def get(session: Session, *, actor: Actor, record_id: str) -> RecordView:
    require_business_reader(actor)
    record = session.scalar(select(Record).where(Record.id == record_id, _scoped(actor)))
    if record is None:
        raise NotFound("监管信息不存在或不在您的管辖范围内")
    return RecordView.of(record)


def count_by_region(
    session: Session, *, actor: Actor, parent: str, child_length: int
) -> dict[str, int]:
    require_business_reader(actor)
    key = func.substr(Record.region_code, 1, child_length)
    rows = session.execute(
        select(key, func.count())
        .where(_scoped(actor), region_prefix_clause(Record.region_code, parent))
        .group_by(key)
    ).all()
    return {str(code): int(n) for code, n in rows}
