"""The timeline: every current record of a business, its own and those linked to it by name.

A business's records are the ones that carry its id (``record.entity_id``) plus the ones whose
mention — a name as a complainant wrote it — entity resolution linked to it. The two are read as
a ``UNION ALL`` of two index scans (``ix_record_entity_time`` and the mention links of the
business): an ``OR`` of the two would make PostgreSQL scan all ~44 million records. A record that
a correction superseded is left out; the correction stands in its place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Subquery,
    bindparam,
    exists,
    func,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from lookthrough.core.actor import Actor
from lookthrough.core.roles import Capability, can
from lookthrough.core.scope import region_prefix_clause, within
from lookthrough.ingest.models import IngestBatch
from lookthrough.profile.rules import TEXT_FIELDS, Audience, row_summary, visible_payload
from lookthrough.records.kinds import KINDS
from lookthrough.records.models import Record
from lookthrough.resolution import service as resolution
from lookthrough.resolution.models import MentionLink

CHINA = ZoneInfo("Asia/Shanghai")
KIND_LABELS = {code: kind.label for code, kind in KINDS.items()}
_S = TypeVar("_S", bound=Select[*tuple[Any, ...]])
LINKED_LABEL = "经名称匹配关联"


@dataclass(frozen=True, slots=True)
class Filters:
    """What the timeline is narrowed to: kinds, a date range (China dates), words."""

    kinds: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    text: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in {
                "kind": ",".join(self.kinds),
                "date_from": self.date_from.isoformat() if self.date_from else None,
                "date_to": self.date_to.isoformat() if self.date_to else None,
                "text": self.text,
            }.items()
            if v
        }


@dataclass(frozen=True, slots=True)
class TimelineRow:
    id: str
    kind: str
    kind_label: str
    occurred_at: datetime
    title: str
    summary: str
    region_code: str
    source: str
    batch_id: str | None
    batch_file: str | None  # only when the viewer may open the batch
    source_row: int | None
    linked: bool  # reached through a mention link, not the record's own entity id
    link_score: float | None
    correction: bool  # this record corrects (supersedes) an earlier one
    payload: dict[str, Any]

    @property
    def link_label(self) -> str | None:
        return LINKED_LABEL if self.linked else None


def record_scope(actor: Actor, audience: Audience) -> ColumnElement[bool]:
    """Officials see the records made in their region; the business sees all of its own.

    (The business's own file was checked first: every record here is about it.)"""
    if audience is Audience.ENTERPRISE:
        return true()
    return region_prefix_clause(Record.region_code, actor.region)


# The timeline's statements are built once per shape (which filters are set, who looks) with
# the values as parameters, and reused: building and keying a UNION of two scoped index scans
# cost more of a file's CPU than PostgreSQL took to run it (bench/RESULTS.md, the file).
_ENTITY = bindparam("tl_entity", type_=Integer())
_LIKE = bindparam("tl_like", type_=String())


@dataclass(frozen=True, slots=True)
class _Shape:
    enterprise: bool
    kinds: bool = False
    date_from: bool = False
    date_to: bool = False
    text: bool = False

    @classmethod
    def of(cls, audience: Audience, filters: Filters) -> _Shape:
        return cls(
            audience is Audience.ENTERPRISE,
            bool(filters.kinds),
            filters.date_from is not None,
            filters.date_to is not None,
            bool(filters.text),
        )


def _params(entity_id: int, actor: Actor, audience: Audience, filters: Filters) -> dict[str, Any]:
    params: dict[str, Any] = {"tl_entity": entity_id}
    if audience is not Audience.ENTERPRISE:
        params["tl_region"], params["tl_region_len"] = actor.region, len(actor.region)
    if filters.kinds:
        params["tl_kinds"] = list(filters.kinds)
    if filters.date_from:
        params["tl_from"] = datetime.combine(filters.date_from, time(), CHINA)
    if filters.date_to:
        params["tl_to"] = datetime.combine(filters.date_to + timedelta(days=1), time(), CHINA)
    if filters.text:
        params["tl_like"] = f"%{filters.text.strip()}%"
    return params


def _narrowed(stmt: _S, shape: _Shape) -> _S:
    if not shape.enterprise:
        # The region as a filter that no index can serve: the business's records are found by
        # its id. As a range of two parameters, PostgreSQL's generic plan for the prepared
        # statement (psycopg prepares after five runs) guessed the range held 0.5% of the
        # records and ANDed a bitmap of all 2 M of them with the business's few (65 ms instead
        # of 0.3; bench/RESULTS.md, the file, third pass).
        stmt = stmt.where(
            func.substr(Record.region_code, 1, bindparam("tl_region_len", type_=Integer()))
            == bindparam("tl_region", type_=String())
        )
    if shape.kinds:
        stmt = stmt.where(Record.kind.in_(bindparam("tl_kinds", expanding=True)))
    if shape.date_from:
        stmt = stmt.where(Record.occurred_at >= bindparam("tl_from"))
    if shape.date_to:
        stmt = stmt.where(Record.occurred_at < bindparam("tl_to"))
    if shape.text:
        stmt = stmt.where(
            or_(
                Record.title.like(_LIKE),
                *(Record.payload[name].as_string().like(_LIKE) for name in TEXT_FIELDS),
            )
        )
    return stmt


@lru_cache(maxsize=64)
def _ids(shape: _Shape) -> Subquery:
    """(id, occurred_at, score) of the timeline's records: own ones, then linked ones."""
    later = aliased(Record)
    current = ~exists().where(later.supersedes_id == Record.id)
    own = select(Record.id, Record.occurred_at, null().label("score")).where(
        Record.entity_id == _ENTITY, current
    )
    links = resolution.linked_record_ids(_ENTITY).subquery()
    linked = (
        select(Record.id, Record.occurred_at, MentionLink.score.label("score"))
        .join(links, links.c.record_id == Record.id)
        .join(MentionLink, MentionLink.record_id == Record.id)
        .where(or_(Record.entity_id.is_(None), Record.entity_id != _ENTITY), current)
    )
    return union_all(_narrowed(own, shape), _narrowed(linked, shape)).subquery()


@lru_cache(maxsize=64)
def _count_statement(shape: _Shape) -> Select[int]:
    return select(func.count()).select_from(_ids(shape))


@lru_cache(maxsize=4)
def _kinds_statement(shape: _Shape) -> Select[str, int]:
    ids = _ids(shape)
    return select(Record.kind, func.count()).join(ids, ids.c.id == Record.id).group_by(Record.kind)


@lru_cache(maxsize=64)
def _page_statement(shape: _Shape) -> Select[Record, float | None, str | None, str | None]:
    ids = _ids(shape)
    page = (
        select(ids.c.id, ids.c.score)
        .order_by(ids.c.occurred_at.desc(), ids.c.id)
        .limit(bindparam("tl_limit", type_=Integer()))
        .offset(bindparam("tl_offset", type_=Integer()))
        .subquery()
    )
    return (
        select(Record, page.c.score, IngestBatch.file_name, IngestBatch.region_code)
        .join(page, page.c.id == Record.id)
        .outerjoin(IngestBatch, IngestBatch.id == Record.batch_id)
        .order_by(Record.occurred_at.desc(), Record.id)
    )


def count(
    session: Session, *, actor: Actor, audience: Audience, entity_id: int, filters: Filters
) -> int:
    params = _params(entity_id, actor, audience, filters)
    return int(session.scalar(_count_statement(_Shape.of(audience, filters)), params) or 0)


def counts_by_kind(
    session: Session, *, actor: Actor, audience: Audience, entity_id: int
) -> dict[str, int]:
    """How many records of each kind the business has (for the filter's choices)."""
    params = _params(entity_id, actor, audience, Filters())
    rows = session.execute(_kinds_statement(_Shape.of(audience, Filters())), params).all()
    return {str(kind): int(n) for kind, n in sorted(rows, key=lambda r: -int(r[1]))}


def rows(
    session: Session,
    *,
    actor: Actor,
    audience: Audience,
    entity_id: int,
    filters: Filters,
    limit: int,
    offset: int = 0,
) -> list[TimelineRow]:
    """One page of the timeline, newest first (the caller has checked the business is in scope)."""
    params = _params(entity_id, actor, audience, filters)
    params |= {"tl_limit": limit, "tl_offset": offset}
    found = session.execute(_page_statement(_Shape.of(audience, filters)), params).all()
    opens_batches = audience is Audience.OFFICIAL and can(actor.role, Capability.IMPORT_DATA)
    result = []
    for record, score, file_name, batch_region in found:
        shown = visible_payload(record.kind, record.payload or {}, audience)
        batch_visible = bool(
            opens_batches and batch_region and within(str(batch_region), actor.region)
        )
        result.append(
            TimelineRow(
                id=record.id,
                kind=record.kind,
                kind_label=KIND_LABELS.get(record.kind, record.kind),
                occurred_at=record.occurred_at,
                title=record.title,
                summary=row_summary(record.kind, shown),
                region_code=record.region_code,
                source=record.source,
                batch_id=record.batch_id if batch_visible else None,
                batch_file=file_name if batch_visible else None,
                source_row=record.source_row,
                linked=score is not None,
                link_score=None if score is None else float(score),
                correction=record.supersedes_id is not None,
                payload=shown,
            )
        )
    return result


def of_kinds(
    session: Session,
    *,
    actor: Actor,
    audience: Audience,
    entity_id: int,
    kinds: Sequence[str],
    limit: int = 200,
) -> list[TimelineRow]:
    """The current records of some kinds (licences, list entries), newest first."""
    return rows(
        session,
        actor=actor,
        audience=audience,
        entity_id=entity_id,
        filters=Filters(kinds=tuple(kinds)),
        limit=limit,
    )
