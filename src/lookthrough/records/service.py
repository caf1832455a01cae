"""Use cases over regulatory records, always within the actor's scope."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.errors import NotFound, ValidationFailed
from lookthrough.core.ids import make_id
from lookthrough.core.scope import (
    business_clause,
    ensure_region,
    region_prefix_clause,
    require_business_reader,
)
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


@dataclass(frozen=True, slots=True)
class NewRecord:
    """A fact the platform itself produced (an inspection's result, a measure's outcome)."""

    kind: str
    region_code: str
    entity_id: int | None
    occurred_at: datetime
    title: str
    payload: dict[str, Any]
    source_key: str  # stable key in ``source``: the same key again is a correction
    parent_id: str | None = None


def append(session: Session, *, actor: Actor, source: str, new: NewRecord, now: datetime) -> Record:
    """Append one record through the same rules as an import: the payload is validated by its
    kind, the id is derived from source, kind, key and content (writing the same fact twice
    adds nothing), and a changed fact under the same key supersedes the latest version."""
    ensure_region(actor, new.region_code, within_jurisdiction=True)
    kind = KINDS.get(new.kind)
    if kind is None:
        raise ValidationFailed(f"未知的监管信息类别：{new.kind}")
    try:
        model = kind.payload.model_validate(new.payload)
    except PydanticValidationError as error:
        raise ValidationFailed(f"{kind.label}内容不符合要求：{error.errors()[0]['msg']}") from error
    payload = json.loads(model.model_dump_json(exclude_none=True))
    content = "\x1f".join(
        (
            kind.code,
            new.occurred_at.isoformat(),
            str(new.entity_id or ""),
            new.region_code,
            new.title,
            json.dumps(payload, ensure_ascii=False, sort_keys=True),
            new.parent_id or "",
        )
    )
    record_id = make_id(source, kind.code, new.source_key, content)
    existing = session.get(Record, record_id)
    if existing is not None:
        existing.last_seen = now
        return existing
    latest = session.scalar(
        select(Record.id)
        .where(
            Record.source == source, Record.kind == kind.code, Record.source_key == new.source_key
        )
        .order_by(Record.first_seen.desc(), Record.id.desc())
        .limit(1)
    )
    record = Record(
        id=record_id,
        kind=kind.code,
        region_code=new.region_code,
        entity_id=new.entity_id,
        occurred_at=new.occurred_at,
        title=new.title[:300],
        payload=payload,
        parent_id=new.parent_id,
        source=source,
        source_key=new.source_key,
        first_seen=now,
        last_seen=now,
        supersedes_id=latest,
    )
    session.add(record)
    session.flush()
    return record
