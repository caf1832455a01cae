"""Opening a business's file: registration, licences, subjects and the sections of other domains.

Every use case checks first that the business lies in the actor's scope (an official's region,
or the enterprise user's own business) and answers "not found" otherwise, so a file outside the
jurisdiction cannot even be told apart from one that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.errors import NotFound
from lookthrough.core.masking import mask_name, mask_phone
from lookthrough.core.roles import Role
from lookthrough.core.scope import (
    THE_BUSINESS,
    Reach,
    business_clause,
    business_param_clause,
    business_params,
    require_business_reader,
)
from lookthrough.ingest.shapes import SUBJECT_KINDS
from lookthrough.profile import sections, timeline
from lookthrough.profile.rules import Audience, parse_date
from lookthrough.regions.models import Region
from lookthrough.registry.models import Entity, Relation, Subject

NOT_FOUND = "经营主体不存在或不在您的管辖范围内"
LICENCE_STATUSES = ("有效", "已过期")
SUBJECT_LIMIT = 200


def audience_of(actor: Actor) -> Audience:
    return Audience.ENTERPRISE if actor.role is Role.ENTERPRISE else Audience.OFFICIAL


def entity_scope(actor: Actor) -> ColumnElement[bool]:
    return business_clause(actor, region_column=Entity.region_code, entity_column=Entity.id)


@lru_cache(maxsize=4)
def _in_scope_statement(reach: Reach) -> Select[Entity]:
    scope = business_param_clause(reach, region_column=Entity.region_code, entity_column=Entity.id)
    return select(Entity).where(Entity.id == THE_BUSINESS, scope)


def entity_in_scope(session: Session, *, actor: Actor, entity_id: int) -> Entity:
    """The business, if this actor may open its file; NotFound otherwise."""
    require_business_reader(actor)
    entity = session.scalar(_in_scope_statement(Reach.of(actor)), business_params(actor, entity_id))
    if entity is None:
        raise NotFound(NOT_FOUND)
    return entity


@dataclass(frozen=True, slots=True)
class Registration:
    """登记信息, personal data masked."""

    id: int
    uscc: str | None
    name: str
    entity_type: str | None
    status: str
    region_code: str
    region_names: list[str]
    address: str | None
    legal_rep: str | None
    phone: str | None
    capital_wan: Decimal | None
    industry_code: str | None
    registered_on: date | None
    source: str
    batch_id: str | None
    source_row: int | None
    first_seen: datetime

    @classmethod
    def of(cls, entity: Entity, region_names: list[str]) -> Registration:
        return cls(
            id=entity.id,
            uscc=entity.uscc,
            name=entity.name,
            entity_type=entity.entity_type,
            status=entity.status,
            region_code=entity.region_code,
            region_names=region_names,
            address=entity.address,
            legal_rep=mask_name(entity.legal_rep),
            phone=mask_phone(entity.phone),
            capital_wan=entity.capital_wan,
            industry_code=entity.industry_code,
            registered_on=entity.registered_on,
            source=entity.source,
            batch_id=entity.batch_id,
            source_row=entity.source_row,
            first_seen=entity.first_seen,
        )


@dataclass(frozen=True, slots=True)
class Licence:
    record_id: str
    licence_type: str
    licence_no: str
    valid_from: date | None
    valid_to: date | None
    scope: str | None
    status: str  # 有效 | 已过期


@dataclass(frozen=True, slots=True)
class SubjectRow:
    id: int
    kind: str
    kind_label: str
    identifier: str
    name: str
    counterpart: str | None  # the maintenance contractor of an elevator, a shop's platform


@dataclass(frozen=True, slots=True)
class ProfileFile:
    audience: Audience
    registration: Registration
    licences: list[Licence]
    subjects: list[SubjectRow]
    subject_counts: dict[str, int]  # kind label → number
    record_counts: dict[str, int]  # kind → number of timeline records
    sections: list[sections.Section]

    @property
    def subject_total(self) -> int:
        return sum(self.subject_counts.values())

    @property
    def record_total(self) -> int:
        return sum(self.record_counts.values())


# Record kinds read once when a file opens: licences here, list entries for the lists section.
STANDING_KINDS = ("licence", "abnormal_list", "dishonesty_list")


def licences(rows: Sequence[timeline.TimelineRow], today: date) -> list[Licence]:
    found = []
    for row in rows:
        if row.kind != "licence":
            continue
        p = row.payload
        valid_to = parse_date(p.get("valid_to"))
        found.append(
            Licence(
                record_id=row.id,
                licence_type=str(p.get("licence_type") or ""),
                licence_no=str(p.get("licence_no") or ""),
                valid_from=parse_date(p.get("valid_from")),
                valid_to=valid_to,
                scope=p.get("scope"),
                status=LICENCE_STATUSES[1 if valid_to is not None and valid_to < today else 0],
            )
        )
    return found


def _subject_scope(actor: Actor) -> ColumnElement[bool]:
    return business_clause(
        actor, region_column=Subject.region_code, entity_column=Subject.entity_id
    )


@lru_cache(maxsize=8)
def _subjects_statement(reach: Reach, limit: int) -> Select[Subject]:
    scope = business_param_clause(
        reach, region_column=Subject.region_code, entity_column=Subject.entity_id
    )
    return (
        select(Subject)
        .where(Subject.entity_id == THE_BUSINESS, scope)
        .order_by(Subject.kind, Subject.identifier)
        .limit(limit)
    )


def subjects(
    session: Session, *, actor: Actor, entity_id: int, limit: int = SUBJECT_LIMIT
) -> tuple[list[SubjectRow], dict[str, int]]:
    """The business's elevators, cylinders, lots, shops and premises, with who maintains each
    elevator and which platform each shop sells on (when that business is in scope too)."""
    found = session.scalars(
        _subjects_statement(Reach.of(actor), limit), business_params(actor, entity_id)
    ).all()
    counts: dict[str, int] = {}
    if len(found) < limit:  # all of them are here: count them here
        for subject in found:
            label = SUBJECT_KINDS.get(subject.kind, subject.kind)
            counts[label] = counts.get(label, 0) + 1
    else:
        scope = _subject_scope(actor)
        counts = {
            SUBJECT_KINDS.get(kind, kind): int(n)
            for kind, n in session.execute(
                select(Subject.kind, func.count())
                .where(Subject.entity_id == entity_id, scope)
                .group_by(Subject.kind)
                .order_by(Subject.kind)
            )
        }
    ids = [s.id for s in found]
    counterpart: dict[int, int] = {}
    if ids:
        edges = session.execute(
            select(Relation.kind, Relation.from_id, Relation.to_id).where(
                or_(
                    (Relation.kind == "maintains")
                    & (Relation.to_type == "subject")
                    & Relation.to_id.in_(ids)
                    & (Relation.from_type == "entity"),
                    (Relation.kind == "sells_on")
                    & (Relation.from_type == "subject")
                    & Relation.from_id.in_(ids)
                    & (Relation.to_type == "entity"),
                )
            )
        ).all()
        for kind, from_id, to_id in edges:
            if kind == "maintains":
                counterpart[to_id] = from_id
            else:
                counterpart[from_id] = to_id
    names: dict[int, str] = {}
    if counterpart:  # most businesses have no elevator or shop: no query for their names
        names = {
            int(i): str(n)
            for i, n in session.execute(
                select(Entity.id, Entity.name).where(
                    Entity.id.in_(set(counterpart.values())), entity_scope(actor)
                )
            )
        }
    rows = [
        SubjectRow(
            id=s.id,
            kind=s.kind,
            kind_label=SUBJECT_KINDS.get(s.kind, s.kind),
            identifier=s.identifier,
            name=s.name,
            counterpart=names.get(counterpart[s.id], "（不在管辖范围内）")
            if s.id in counterpart
            else None,
        )
        for s in found
    ]
    return rows, counts


@lru_cache(maxsize=4)
def _entity_statement(reach: Reach) -> Select[Entity, str, str]:
    above = [func.substr(Entity.region_code, 1, n) for n in (2, 4, 6, 9)]
    scope = business_param_clause(reach, region_column=Entity.region_code, entity_column=Entity.id)
    return (
        select(Entity, Region.code, Region.name)
        .outerjoin(Region, Region.code.in_([*above, Entity.region_code]))
        .where(Entity.id == THE_BUSINESS, scope)
    )


def entity_with_region_names(
    session: Session, *, actor: Actor, entity_id: int
) -> tuple[Entity, list[str]]:
    """entity_in_scope and region_names in one statement (a file opens with both): the
    business joined to its region and the regions above it (codes nest by prefix)."""
    require_business_reader(actor)
    rows = session.execute(
        _entity_statement(Reach.of(actor)), business_params(actor, entity_id)
    ).all()
    if not rows:
        raise NotFound(NOT_FOUND)
    named = sorted((len(code), str(name)) for _, code, name in rows if code is not None)
    return rows[0][0], [name for _, name in named]


def open_file(session: Session, *, actor: Actor, entity_id: int) -> ProfileFile:
    """The whole file of one business, as this actor may see it."""
    entity, names = entity_with_region_names(session, actor=actor, entity_id=entity_id)
    audience = audience_of(actor)
    today = clock.today()
    subject_rows, subject_counts = subjects(session, actor=actor, entity_id=entity.id)
    standing = timeline.of_kinds(
        session, actor=actor, audience=audience, entity_id=entity.id, kinds=STANDING_KINDS
    )
    ctx = sections.Context(
        actor=actor,
        audience=audience,
        entity_id=entity.id,
        region_code=entity.region_code,
        today=today,
        standing=standing,
    )
    return ProfileFile(
        audience=audience,
        registration=Registration.of(entity, names),
        licences=licences(standing, today),
        subjects=subject_rows,
        subject_counts=subject_counts,
        record_counts=timeline.counts_by_kind(
            session, actor=actor, audience=audience, entity_id=entity.id
        ),
        sections=sections.build_sections(session, ctx),
    )


def timeline_page(
    session: Session,
    *,
    actor: Actor,
    entity_id: int,
    filters: timeline.Filters,
    limit: int,
    offset: int,
    opened: ProfileFile | None = None,
) -> tuple[Sequence[timeline.TimelineRow], int]:
    """One page of a business's filtered timeline and the number of rows it has in all.

    ``opened``: the file the caller has just opened for this actor (so the business is known to
    be in scope); when no date or words narrow the timeline its counts by kind are the total."""
    audience = audience_of(actor)
    if opened is None or opened.registration.id != entity_id:
        entity_id = entity_in_scope(session, actor=actor, entity_id=entity_id).id
        opened = None
    if opened is not None and not (filters.date_from or filters.date_to or filters.text):
        counts = opened.record_counts
        total = (
            sum(counts.get(k, 0) for k in filters.kinds) if filters.kinds else sum(counts.values())
        )
    else:
        total = timeline.count(
            session, actor=actor, audience=audience, entity_id=entity_id, filters=filters
        )
    found = timeline.rows(
        session,
        actor=actor,
        audience=audience,
        entity_id=entity_id,
        filters=filters,
        limit=limit,
        offset=offset,
    )
    return found, total
