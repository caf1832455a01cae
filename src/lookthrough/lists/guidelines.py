"""Guidelines use cases: write them from a matter's chain, edit, publish on the public pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import GuidelineSaved
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.errors import Conflict, NotFound, ValidationFailed
from lookthrough.core.roles import Capability
from lookthrough.core.scope import region_prefix_clause, require
from lookthrough.lists import matters, rules, writing
from lookthrough.lists.models import (
    Dissection,
    Guideline,
    Matter,
    Problem,
    Rectification,
    RectificationTarget,
    RootCause,
)
from lookthrough.lists.signatures import UNIT_LABELS
from lookthrough.lists.templates import FIELD_LABELS
from lookthrough.penetration.graph import FACTOR_TYPES
from lookthrough.penetration.models import PenetrationFactor, PenetrationRun
from lookthrough.regions import service as regions_service
from lookthrough.registry.models import Entity

AUDIENCES = {"official": "监管工作指引", "business": "合规指引"}


class SectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    heading: str = Field(min_length=1, max_length=100, description="标题")
    body: str = Field("", max_length=20000, description="正文")


class GuidelineIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    title: str = Field(min_length=1, max_length=200, description="指引名称")
    sections: list[SectionIn] = Field(min_length=1, max_length=40)


@dataclass(frozen=True, slots=True)
class PublicGuideline:
    """What the public pages show: the published copy, its region and field — nothing else."""

    id: int
    title: str
    sections: list[dict[str, str]]
    audience: str
    region_name: str
    field_label: str
    published_at: datetime
    version: int


def status_of(g: Guideline) -> str:
    if g.published_version is None:
        return "draft"
    return "published" if g.published_version == g.version else "changed"


STATUS_LABELS = {"draft": "草稿", "published": "已公开", "changed": "已公开（有未公开的修改）"}


def _scoped(actor: Actor) -> ColumnElement[bool]:
    return region_prefix_clause(Guideline.region_code, actor.region)


def _facts(session: Session, matter: Matter) -> writing.ChainFacts:
    region = regions_service.get(session, matter.region_code)
    confirmed = session.scalars(
        select(Problem)
        .where(Problem.matter_id == matter.id, Problem.status == "confirmed")
        .order_by(Problem.businesses.desc(), Problem.id)
    ).all()
    facts = []
    for p in confirmed:
        causes = session.execute(
            select(RootCause.category, RootCause.description)
            .where(RootCause.problem_id == p.id)
            .order_by(RootCause.id)
        ).all()
        run_id = session.scalar(
            select(func.max(PenetrationRun.id)).where(PenetrationRun.problem_id == p.id)
        )
        types = session.scalars(
            select(PenetrationFactor.factor_type)
            .where(PenetrationFactor.run_id == run_id, PenetrationFactor.significant)
            .order_by(PenetrationFactor.rank)
        ).all()
        tasks = session.execute(
            select(Rectification.title, Rectification.measures, Rectification.policy)
            .where(Rectification.problem_id == p.id)
            .order_by(Rectification.id)
        ).all()
        facts.append(
            writing.ProblemFacts(
                title=p.title,
                # Complaint topics show people's own words: they stay out of a document.
                manifestations=[] if p.source == "complaint_topic" else list(p.manifestations),
                businesses=p.businesses, records=p.records, severity=p.severity,
                direction=rules.direction(p.trend), causes=[(c, d) for c, d in causes],
                factor_types=list(dict.fromkeys(FACTOR_TYPES.get(t, t) for t in types)),
                measures=[(t, m, pol) for t, m, pol in tasks],
            )
        )  # fmt: skip
    unit = (matter.population or {}).get("unit", "entity")
    return writing.ChainFacts(
        matter=matter.name, field_label=FIELD_LABELS.get(matter.field, matter.field),
        region=region.name if region else matter.region_code, description=matter.description,
        unit_label=UNIT_LABELS.get(unit, unit), risk_points=list(matter.risk_points),
        problems=facts,
    )  # fmt: skip


def generate(
    session: Session, *, actor: Actor, matter_id: int, audience: Literal["official", "business"]
) -> Guideline:
    """A new draft guideline written from the matter's chain as it is now."""
    require(actor, Capability.MANAGE_LISTS)
    matter = matters.get(session, actor=actor, matter_id=matter_id)
    facts = _facts(session, matter)
    title, sections = (
        writing.official_guideline(facts) if audience == "official"
        else writing.business_guideline(facts)
    )  # fmt: skip
    made = Guideline(matter_id=matter.id, region_code=matter.region_code, audience=audience,
                     title=title[:200], sections=sections, version=1, updated_by=actor.username,
                     updated_at=clock.utcnow())  # fmt: skip
    session.add(made)
    session.flush()
    _audit(session, actor, made)
    return made


def _audit(session: Session, actor: Actor, g: Guideline) -> None:
    audit.record(session, actor=actor,
                 event=GuidelineSaved(object_id=str(g.id), version=g.version,
                                      status=status_of(g)))  # fmt: skip


def get(session: Session, *, actor: Actor, guideline_id: int) -> Guideline:
    require(actor, Capability.READ_BUSINESS)
    found = session.scalar(select(Guideline).where(Guideline.id == guideline_id, _scoped(actor)))
    if found is None:
        raise NotFound("指引不存在或不在您的管辖范围内")
    return found


def search(
    session: Session, *, actor: Actor, matter_id: int | None = None, limit: int = 100,
    offset: int = 0,
) -> tuple[Sequence[Guideline], int]:  # fmt: skip
    require(actor, Capability.READ_BUSINESS)
    stmt = select(Guideline).where(_scoped(actor))
    if matter_id is not None:
        stmt = stmt.where(Guideline.matter_id == matter_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Guideline.updated_at.desc(), Guideline.id.desc()).limit(limit).offset(offset)
    ).all()
    return rows, int(total)


def update(session: Session, *, actor: Actor, guideline_id: int, data: GuidelineIn) -> Guideline:
    """Save an edit as a new version (the published copy, if any, stays until republished)."""
    require(actor, Capability.MANAGE_LISTS)
    g = get(session, actor=actor, guideline_id=guideline_id)
    sections = [s.model_dump() for s in data.sections]
    if (g.title, g.sections) == (data.title, sections):
        raise Conflict("内容没有变化，未生成新版本")
    g.title, g.sections = data.title, sections
    g.version += 1
    g.updated_by, g.updated_at = actor.username, clock.utcnow()
    session.flush()
    _audit(session, actor, g)
    return g


def _known_names(session: Session, matter_id: int) -> set[str]:
    """People's names the chain holds: dissection participants, responsible persons, and the
    legal representatives of businesses it targets. None may appear in a published text."""
    problem_ids = select(Problem.id).where(Problem.matter_id == matter_id)
    names: set[str] = set()
    for participants in session.scalars(
        select(Dissection.participants).where(Dissection.problem_id.in_(problem_ids))
    ):
        names |= {str(p.get("name", "")) for p in participants}
    tasks = select(Rectification.id).where(Rectification.problem_id.in_(problem_ids))
    names |= set(
        session.scalars(select(Rectification.responsible).where(Rectification.id.in_(tasks)))
    )
    names |= {
        n
        for n in session.scalars(
            select(Entity.legal_rep)
            .join(RectificationTarget, RectificationTarget.entity_id == Entity.id)
            .where(RectificationTarget.rectification_id.in_(tasks))
        )
        if n
    }
    return {n.strip() for n in names if n and n.strip()}


def publish(session: Session, *, actor: Actor, guideline_id: int) -> Guideline:
    """Put the current version on the public pages, once it holds no personal data."""
    require(actor, Capability.MANAGE_LISTS)
    g = get(session, actor=actor, guideline_id=guideline_id)
    if g.published_version == g.version:
        raise Conflict("当前版本已经公开")
    text = g.title + "\n" + "\n".join(f"{s['heading']}\n{s['body']}" for s in g.sections)
    if found := rules.personal_data_in(text, _known_names(session, g.matter_id)):
        raise ValidationFailed(f"指引含有个人信息（{'、'.join(found)}），请修改后再公开")
    g.published_version, g.published_title = g.version, g.title
    g.published_sections, g.published_at = list(g.sections), clock.utcnow()
    session.flush()
    _audit(session, actor, g)
    return g


def withdraw(session: Session, *, actor: Actor, guideline_id: int) -> Guideline:
    require(actor, Capability.MANAGE_LISTS)
    g = get(session, actor=actor, guideline_id=guideline_id)
    if g.published_version is None:
        raise Conflict("该指引尚未公开")
    g.published_version = g.published_title = g.published_sections = g.published_at = None
    session.flush()
    _audit(session, actor, g)
    return g


def _public(session: Session, g: Guideline) -> PublicGuideline:
    region = regions_service.get(session, g.region_code)
    field = session.scalar(select(Matter.field).where(Matter.id == g.matter_id)) or ""
    assert g.published_title is not None and g.published_at is not None
    return PublicGuideline(g.id, g.published_title, list(g.published_sections or []),
                           AUDIENCES[g.audience], region.name if region else g.region_code,
                           FIELD_LABELS.get(field, field), g.published_at,
                           g.published_version or g.version)  # fmt: skip


def public_list(
    session: Session, *, region: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[PublicGuideline], int]:
    """Published guidelines for anyone, newest first (no login: only the published copies)."""
    stmt = select(Guideline).where(Guideline.published_at.is_not(None))
    if region:
        stmt = stmt.where(region_prefix_clause(Guideline.region_code, region))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Guideline.published_at.desc(), Guideline.id.desc()).limit(limit)
        .offset(offset)
    ).all()  # fmt: skip
    return [_public(session, g) for g in rows], int(total)


def public_get(session: Session, *, guideline_id: int) -> PublicGuideline:
    g = session.scalar(
        select(Guideline).where(Guideline.id == guideline_id, Guideline.published_at.is_not(None))
    )
    if g is None:
        raise NotFound("指引不存在或尚未公开")
    return _public(session, g)
