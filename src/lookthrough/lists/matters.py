"""事项清单 use cases: matters per jurisdiction and field, versioned on every change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import MatterSaved
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.errors import Conflict, NotFound, ValidationFailed
from lookthrough.core.roles import Capability
from lookthrough.core.scope import (
    ensure_region,
    region_prefix_clause,
    require,
    require_business_reader,
)
from lookthrough.lists import rules
from lookthrough.lists.models import Matter, MatterVersion
from lookthrough.lists.signatures import UNIT_LABELS
from lookthrough.lists.templates import FIELD_LABELS, TEMPLATES, unknown_indicators
from lookthrough.penetration.graph import Population


class RiskPointIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=20, description="风险点编号")
    name: str = Field(min_length=1, max_length=100, description="关键风险点")
    description: str = Field("", max_length=500, description="说明")
    indicators: list[str] = Field(default_factory=list, max_length=20, description="指标代码")


class MatterIn(BaseModel):
    """What an official fills in for a matter (a template fills the rest)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100, description="事项名称")
    description: str = Field("", max_length=2000, description="事项说明")
    risk_points: list[RiskPointIn] = Field(default_factory=list, max_length=30)
    industry_prefixes: list[str] = Field(default_factory=list, max_length=30)
    subject_kinds: list[str] = Field(default_factory=list, max_length=5)
    unit: str = Field("entity", description="统计对象")
    note: str = Field("", max_length=500, description="变更说明")

    @field_validator("industry_prefixes")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if not (1 <= len(v) <= 5 and v[0].isalpha() and v[1:].isdigit())]
        if bad:
            raise ValueError(f"行业代码格式不正确：{'、'.join(bad)}（如 H62、C1331）")
        return value


def _scoped(actor: Actor) -> ColumnElement[bool]:
    return region_prefix_clause(Matter.region_code, actor.region)


def _content(matter: Matter) -> dict[str, Any]:
    return {
        "name": matter.name,
        "description": matter.description,
        "risk_points": matter.risk_points,
        "population": matter.population,
        "status": matter.status,
    }


def population_of(matter: Matter, region: str | None = None) -> Population:
    """The units a matter covers, in its region (or a region inside it)."""
    p = matter.population or {}
    return Population(
        unit=p.get("unit", "entity"),
        region=region or matter.region_code,
        industry_prefixes=tuple(p.get("industry_prefixes", ())),
        subject_kinds=tuple(p.get("subject_kinds", ())),
    )


def _validate(session: Session, data: MatterIn) -> None:
    if data.unit not in UNIT_LABELS:
        raise ValidationFailed(f"统计对象“{data.unit}”不存在")
    codes = [c for rp in data.risk_points for c in rp.indicators]
    if bad := unknown_indicators(session, codes):
        raise ValidationFailed(
            f"风险指标库中没有以下指标代码：{'、'.join(bad)}（请先在风险指标库中定义并发布）",
            field="indicators",
        )
    points = [rp.code for rp in data.risk_points]
    if len(points) != len(set(points)):
        raise ValidationFailed("风险点编号不能重复", field="risk_points")


def create_from_template(session: Session, *, actor: Actor, template: str) -> Matter:
    """A matter for the actor's current region from one of the policy's templates."""
    require(actor, Capability.MANAGE_LISTS)
    found = TEMPLATES.get(template)
    if found is None:
        raise NotFound(f"没有名为“{template}”的事项模板")
    data = MatterIn(
        name=found.name,
        description=found.description,
        risk_points=[RiskPointIn(**rp.as_dict()) for rp in found.risk_points],
        industry_prefixes=list(found.industry_prefixes),
        subject_kinds=list(found.subject_kinds),
        unit=found.unit,
        note=f"由模板“{found.name}”创建",
    )
    return create(session, actor=actor, code=found.code, field=found.field, data=data)


def create(session: Session, *, actor: Actor, code: str, field: str, data: MatterIn) -> Matter:
    require(actor, Capability.MANAGE_LISTS)
    if field not in FIELD_LABELS:
        raise ValidationFailed(f"领域“{field}”不存在", field="field")
    _validate(session, data)
    exists = session.scalar(
        select(Matter.id).where(Matter.region_code == actor.region, Matter.code == code)
    )
    if exists:
        raise Conflict("本辖区已有同名事项，请直接修改该事项", matter_id=exists)
    now = clock.utcnow()
    matter = Matter(code=code, region_code=actor.region, field=field, version=0,
                    created_by=actor.username, created_at=now, updated_at=now)  # fmt: skip
    session.add(matter)
    _apply(session, actor=actor, matter=matter, data=data)
    return matter


def update(session: Session, *, actor: Actor, matter_id: int, data: MatterIn) -> Matter:
    """A new version of a matter; the old one stays readable in its history."""
    require(actor, Capability.MANAGE_LISTS)
    _validate(session, data)
    matter = get(session, actor=actor, matter_id=matter_id)
    return _apply(session, actor=actor, matter=matter, data=data)


def _apply(session: Session, *, actor: Actor, matter: Matter, data: MatterIn) -> Matter:
    before = _content(matter) if matter.version else None
    matter.name, matter.description = data.name, data.description
    matter.risk_points = [rp.model_dump() for rp in data.risk_points]
    matter.population = {
        "unit": data.unit,
        "industry_prefixes": data.industry_prefixes,
        "subject_kinds": data.subject_kinds,
    }
    after = _content(matter)
    changed = rules.changed_fields(before or {}, after)
    if before is not None and not changed:
        raise Conflict("内容没有变化，未生成新版本")
    matter.version += 1
    matter.updated_at = clock.utcnow()
    session.flush()
    session.add(
        MatterVersion(matter_id=matter.id, version=matter.version, snapshot=after,
                      changed=changed, note=data.note, changed_by=actor.username,
                      changed_at=matter.updated_at)
    )  # fmt: skip
    audit.record(
        session,
        actor=actor,
        event=MatterSaved(object_id=str(matter.id), version=matter.version, before=before,
                          after=after),
    )  # fmt: skip
    return matter


def get(session: Session, *, actor: Actor, matter_id: int) -> Matter:
    require_business_reader(actor)
    require(actor, Capability.READ_BUSINESS)
    matter = session.scalar(select(Matter).where(Matter.id == matter_id, _scoped(actor)))
    if matter is None:
        raise NotFound("事项不存在或不在您的管辖范围内")
    ensure_region(actor, matter.region_code)
    return matter


def search(
    session: Session, *, actor: Actor, field: str | None = None, limit: int = 100, offset: int = 0
) -> tuple[Sequence[Matter], int]:
    require(actor, Capability.READ_BUSINESS)
    stmt = select(Matter).where(_scoped(actor))
    if field:
        stmt = stmt.where(Matter.field == field)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Matter.region_code, Matter.name).limit(limit).offset(offset)
    ).all()
    return rows, int(total)


def versions(session: Session, *, actor: Actor, matter_id: int) -> Sequence[MatterVersion]:
    matter = get(session, actor=actor, matter_id=matter_id)
    return session.scalars(
        select(MatterVersion)
        .where(MatterVersion.matter_id == matter.id)
        .order_by(MatterVersion.version.desc())
    ).all()
