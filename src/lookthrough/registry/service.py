"""Use cases over businesses (经营主体), always within the actor's scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import DataExported, PersonalDataRevealed
from lookthrough.core.actor import Actor
from lookthrough.core.db import plan_with_values
from lookthrough.core.errors import NotFound
from lookthrough.core.excel import workbook_bytes
from lookthrough.core.masking import mask_name, mask_phone
from lookthrough.core.roles import Capability
from lookthrough.core.scope import (
    business_clause,
    region_prefix_clause,
    require,
    require_business_reader,
)
from lookthrough.registry.models import Entity


def by_uscc(session: Session, uscc: str) -> Entity | None:
    """Unscoped lookup, for binding accounts and for ingest; never return it to a user as is."""
    return session.scalar(select(Entity).where(Entity.uscc == uscc.strip().upper()))


def _scoped(actor: Actor) -> ColumnElement[bool]:
    return business_clause(actor, region_column=Entity.region_code, entity_column=Entity.id)


@dataclass(frozen=True, slots=True)
class EntityView:
    """What a user may see of a business: personal data masked."""

    id: int
    uscc: str | None
    name: str
    region_code: str
    address: str | None
    legal_rep: str | None
    phone: str | None
    industry_code: str | None
    status: str

    @classmethod
    def of(cls, entity: Entity, *, reveal: bool = False) -> EntityView:
        return cls(
            id=entity.id,
            uscc=entity.uscc,
            name=entity.name,
            region_code=entity.region_code,
            address=entity.address,
            legal_rep=entity.legal_rep if reveal else mask_name(entity.legal_rep),
            phone=entity.phone if reveal else mask_phone(entity.phone),
            industry_code=entity.industry_code,
            status=entity.status,
        )


def search(
    session: Session,
    *,
    actor: Actor,
    query: str | None = None,
    region: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[EntityView], int]:
    """Businesses in scope matching a name, code or address fragment."""
    require_business_reader(actor)
    stmt = select(Entity).where(_scoped(actor))
    if region:
        stmt = stmt.where(region_prefix_clause(Entity.region_code, region))
    if query and query.strip():
        plan_with_values(session)
        like = f"%{query.strip()}%"
        stmt = stmt.where(
            or_(Entity.name.like(like), Entity.uscc.like(like), Entity.address.like(like))
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Entity.name).limit(limit).offset(offset)).all()
    return [EntityView.of(row) for row in rows], int(total)


def get(session: Session, *, actor: Actor, entity_id: int) -> EntityView:
    require_business_reader(actor)
    entity = session.scalar(select(Entity).where(Entity.id == entity_id, _scoped(actor)))
    if entity is None:
        raise NotFound("经营主体不存在或不在您的管辖范围内")
    return EntityView.of(entity)


def reveal(session: Session, *, actor: Actor, entity_id: int) -> EntityView:
    """The unmasked legal representative and phone, for officials who need them (audited)."""
    require(actor, Capability.SEE_PERSONAL_DATA)
    entity = session.scalar(select(Entity).where(Entity.id == entity_id, _scoped(actor)))
    if entity is None:
        raise NotFound("经营主体不存在或不在您的管辖范围内")
    audit.record(
        session,
        actor=actor,
        event=PersonalDataRevealed(object_id=str(entity.id), fields=["legal_rep", "phone"]),
    )
    return EntityView.of(entity, reveal=True)


EXPORT_HEADERS = (
    "统一社会信用代码",
    "名称",
    "区划代码",
    "住所",
    "法定代表人",
    "联系电话",
    "行业代码",
    "状态",
)


def export(
    session: Session, *, actor: Actor, query: str | None = None, region: str | None = None
) -> tuple[bytes, int]:
    """The search result as Excel, masked, audited."""
    views, _ = search(session, actor=actor, query=query, region=region, limit=1_000_000)
    content, count = workbook_bytes(
        "经营主体",
        EXPORT_HEADERS,
        (
            (
                v.uscc,
                v.name,
                v.region_code,
                v.address,
                v.legal_rep,
                v.phone,
                v.industry_code,
                v.status,
            )
            for v in views
        ),
    )
    audit.record(
        session,
        actor=actor,
        event=DataExported(
            object_id="entity",
            rows=count,
            filters={k: v for k, v in {"q": query, "region": region}.items() if v},
        ),
    )
    return content, count


def count_by_region(
    session: Session, *, actor: Actor, parent: str, child_length: int
) -> dict[str, int]:
    """Businesses in scope, counted by the child region of ``parent`` they lie in."""
    require_business_reader(actor)
    key = func.substr(Entity.region_code, 1, child_length)
    rows = session.execute(
        select(key, func.count())
        .where(_scoped(actor), region_prefix_clause(Entity.region_code, parent))
        .group_by(key)
    ).all()
    return {str(code): int(n) for code, n in rows}
