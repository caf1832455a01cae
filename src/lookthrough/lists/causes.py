"""成因清单 use cases: suggest representative subjects to dissect, record joint dissection
sessions, and record root causes by category, each linked to its evidence."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import DissectionRecorded, RootCauseRecorded
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.errors import NotFound, ValidationFailed
from lookthrough.core.roles import Capability
from lookthrough.core.scope import business_clause, region_prefix_clause, require
from lookthrough.lists import problems, rules
from lookthrough.lists.models import Dissection, Problem, ProblemEvidence, RootCause
from lookthrough.penetration import service as penetration
from lookthrough.records import service as records_service
from lookthrough.records.models import Record
from lookthrough.registry.models import Entity, Subject
from lookthrough.risk import service as risk_service

SUGGESTED = 6  # representative subjects suggested per problem
# The records counted by the risk proxy: what the bureau itself found wrong.
VIOLATION_KINDS = ("penalty", "finding", "abnormal_list", "dishonesty_list")
RISK_WINDOW = timedelta(days=365)


class ParticipantIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=40, description="姓名")
    organisation: str = Field(min_length=1, max_length=100, description="单位")
    kind: Literal["regulator", "technical", "research"] = Field(description="单位类别")


class DissectedIn(BaseModel):
    """A dissected business, named by its id or its credit code."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    entity_id: int | None = Field(None, description="解剖对象（经营主体编号）")
    uscc: str | None = Field(None, max_length=18, description="或其统一社会信用代码")
    reason: str = Field(min_length=1, max_length=300, description="选取理由")

    @model_validator(mode="after")
    def _named(self) -> DissectedIn:
        if self.entity_id is None and not self.uscc:
            raise ValueError("请填写解剖对象的编号或统一社会信用代码")
        return self


class DissectionIn(BaseModel):
    """解剖会商 as an official records it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    held_on: date = Field(description="会商日期")
    place: str = Field("", max_length=200, description="地点")
    summary: str = Field("", max_length=5000, description="会商纪要")
    participants: list[ParticipantIn] = Field(min_length=1, max_length=30)
    subjects: list[DissectedIn] = Field(min_length=1, max_length=20)


class CauseIn(BaseModel):
    """A root cause: its category, what it is, and the evidence it rests on."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    category: Literal["管理制度", "设施设备", "能力建设", "责任落实"] = Field(
        description="成因类别"
    )
    description: str = Field(min_length=1, max_length=2000, description="成因描述")
    evidence_records: list[str] = Field(default_factory=list, max_length=50)
    factor: str | None = Field(None, max_length=200, description="穿透分析因素（类型:编号）")
    dissection_id: int | None = Field(None, description="来自哪次解剖会商")


@dataclass(frozen=True, slots=True)
class Suggestion:
    candidate: rules.Candidate
    reason: str
    violations: int | None  # the proxy's count; None when the band is the assessment's
    level: int | None = None  # the risk domain's current level, when assessed


@dataclass(frozen=True, slots=True)
class RiskOf:
    """A business's risk band for stratifying, and what it rests on."""

    band: str  # 高 | 中 | 低
    basis: str
    level: int | None
    violations: int | None


def _scoped(column: object, actor: Actor) -> ColumnElement[bool]:
    return region_prefix_clause(column, actor.region)


def risk_of(
    session: Session, *, actor: Actor, entity_ids: Iterable[int], until: date
) -> dict[int, RiskOf]:
    """The risk band of each business: the risk domain's current assessment (level I–IV →
    高/中/低), or, for a business it has not assessed yet, the violation-count proxy — and the
    basis says which. This is the one place representative subjects read risk from."""
    ids = set(entity_ids)
    levels = risk_service.levels_of(session, actor=actor, entity_ids=ids)
    counted = risk_proxy(session, entity_ids=ids - levels.keys(), until=until)
    found = {
        e: RiskOf(rules.level_band(n), f"风险评估 {risk_service.level_name(n)}", n, None)
        for e, n in levels.items()
    }
    for e in ids - levels.keys():
        n = counted.get(e, 0)
        found[e] = RiskOf(rules.risk_band(n), f"未作风险评估，按近一年违法违规记录 {n} 条估计",
                          None, n)  # fmt: skip
    return found


def risk_proxy(session: Session, *, entity_ids: Iterable[int], until: date) -> dict[int, int]:
    """Violations per business in the year up to ``until`` — the stand-in for a risk level,
    for businesses the risk domain has not assessed (see ``risk_of``)."""
    ids = sorted(set(entity_ids))
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC)
    start = end - RISK_WINDOW
    counts: Counter[int] = Counter()
    for n in range(0, len(ids), 2000):
        chunk = ids[n : n + 2000]
        rows = session.execute(
            select(Record.entity_id, func.count())
            .where(
                Record.entity_id.in_(chunk),
                Record.kind.in_(VIOLATION_KINDS),
                Record.occurred_at >= start,
                Record.occurred_at < end,
            )
            .group_by(Record.entity_id)
        ).all()
        counts.update({int(e): int(c) for e, c in rows if e is not None})
    return dict(counts)


def affected_businesses(session: Session, *, actor: Actor, problem: Problem) -> dict[int, int]:
    """Business → the problem's records that concern it (objects count for their user)."""
    units = problems.evidence(session, actor=actor, problem_id=problem.id)
    unit = problems.signatures_of(problem)[0].unit if problem.signatures else "entity"
    if unit == "entity":
        return {u: len(r) for u, r in units.items()}
    owners: Counter[int] = Counter()
    ids = list(units)
    for n in range(0, len(ids), 2000):
        for subject_id, entity_id in session.execute(
            select(Subject.id, Subject.entity_id).where(
                Subject.id.in_(ids[n : n + 2000]), Subject.entity_id.is_not(None)
            )
        ):
            if entity_id is not None:
                owners[int(entity_id)] += len(units[int(subject_id)])
    return dict(owners)


def suggest(
    session: Session, *, actor: Actor, problem_id: int, k: int = SUGGESTED
) -> list[Suggestion]:
    """Representative subjects to dissect, stratified by county, size and risk, with reasons."""
    require(actor, Capability.READ_BUSINESS)
    problem = problems.get(session, actor=actor, problem_id=problem_id)
    counts = affected_businesses(session, actor=actor, problem=problem)
    if not counts:
        return []
    latest = session.scalar(
        select(func.max(ProblemEvidence.occurred_at)).where(
            ProblemEvidence.problem_id == problem.id
        )
    )
    until = min(clock.today(), latest.date()) if latest else clock.today()
    risk = risk_of(session, actor=actor, entity_ids=counts, until=until)
    candidates = []
    ids = list(counts)
    for n in range(0, len(ids), 2000):
        for e in session.scalars(
            select(Entity).where(
                Entity.id.in_(ids[n : n + 2000]),
                business_clause(actor, region_column=Entity.region_code, entity_column=Entity.id),
            )
        ):
            capital = float(e.capital_wan) if e.capital_wan is not None else None
            candidates.append(
                rules.Candidate(e.id, e.name, e.region_code, rules.size_band(capital),
                                risk[e.id].band, counts[e.id], risk[e.id].basis)
            )  # fmt: skip
    return [
        Suggestion(c, reason, risk[c.entity_id].violations, risk[c.entity_id].level)
        for c, reason in rules.representatives(candidates, k)
    ]


def record_dissection(
    session: Session, *, actor: Actor, problem_id: int, data: DissectionIn
) -> Dissection:
    """Record a joint dissection session on a confirmed problem."""
    require(actor, Capability.MANAGE_LISTS)
    problem = _confirmed(session, actor, problem_id)
    if refused := rules.dissection_refused([p.kind for p in data.participants]):
        raise ValidationFailed(refused, field="participants")
    if data.held_on > clock.today():
        raise ValidationFailed("会商日期不能晚于今天", field="held_on")
    subjects = [
        {"entity_id": business(session, actor=actor, entity_id=s.entity_id, uscc=s.uscc).id,
         "reason": s.reason}
        for s in data.subjects
    ]  # fmt: skip
    ids = [s["entity_id"] for s in subjects]
    if len(ids) != len(set(ids)):
        raise ValidationFailed("解剖对象不能重复", field="subjects")
    made = Dissection(
        problem_id=problem.id, region_code=problem.region_code, held_on=data.held_on,
        place=data.place, summary=data.summary,
        participants=[p.model_dump() for p in data.participants],
        subjects=subjects,
        created_by=actor.username, created_at=clock.utcnow(),
    )  # fmt: skip
    session.add(made)
    session.flush()
    audit.record(
        session,
        actor=actor,
        event=DissectionRecorded(object_id=str(problem.id), dissection_id=made.id,
                                 subjects=len(ids)),
    )  # fmt: skip
    return made


def business(
    session: Session, *, actor: Actor, entity_id: int | None = None, uscc: str | None = None
) -> Entity:
    """A business in the actor's scope, by id or by credit code (NotFound otherwise)."""
    stmt = select(Entity).where(
        business_clause(actor, region_column=Entity.region_code, entity_column=Entity.id)
    )
    if entity_id is not None:
        stmt = stmt.where(Entity.id == entity_id)
    elif uscc:
        stmt = stmt.where(Entity.uscc == uscc.strip().upper())
    else:
        raise ValidationFailed("请指定经营主体", field="entity_id")
    found = session.scalar(stmt)
    if found is None:
        raise NotFound(f"经营主体不存在或不在您的管辖范围内：{entity_id or uscc}")
    return found


def _confirmed(session: Session, actor: Actor, problem_id: int) -> Problem:
    problem = problems.get(session, actor=actor, problem_id=problem_id)
    if problem.status != "confirmed":
        raise ValidationFailed("只有已确认的问题才能分析成因、下达整改")
    return problem


def factor_refs(session: Session, *, actor: Actor, problem_id: int) -> dict[str, str]:
    """``type:ref`` → label of the factors of the problem's newest penetration run."""
    run = penetration.latest(session, actor=actor, problem_id=problem_id)
    if run is None:
        return {}
    return {f"{f.factor_type}:{f.ref}": f.label for f in penetration.factors(session, run=run)}


def record_cause(session: Session, *, actor: Actor, problem_id: int, data: CauseIn) -> RootCause:
    """A root cause of a confirmed problem, linked to records and/or a penetration factor."""
    require(actor, Capability.MANAGE_LISTS)
    problem = _confirmed(session, actor, problem_id)
    records = list(dict.fromkeys(r.strip() for r in data.evidence_records if r.strip()))
    if not records and not data.factor:
        raise ValidationFailed("成因须关联证据：请选择监管信息或穿透分析因素", field="evidence")
    for record_id in records:
        records_service.get(session, actor=actor, record_id=record_id)  # in scope, or NotFound
    if data.factor and data.factor not in factor_refs(session, actor=actor, problem_id=problem.id):
        raise ValidationFailed("所选因素不在该问题最近一次穿透分析结果中", field="factor")
    if data.dissection_id is not None:
        owner = session.scalar(
            select(Dissection.problem_id).where(Dissection.id == data.dissection_id)
        )
        if owner != problem.id:
            raise ValidationFailed("所选解剖会商不属于该问题", field="dissection_id")
    cause = RootCause(
        problem_id=problem.id, dissection_id=data.dissection_id, region_code=problem.region_code,
        category=data.category, description=data.description, evidence_records=records,
        factor=data.factor, created_by=actor.username, created_at=clock.utcnow(),
    )  # fmt: skip
    session.add(cause)
    session.flush()
    audit.record(
        session,
        actor=actor,
        event=RootCauseRecorded(object_id=str(problem.id), cause_id=cause.id,
                                category=cause.category),
    )  # fmt: skip
    return cause


def dissections(session: Session, *, actor: Actor, problem_id: int) -> Sequence[Dissection]:
    problem = problems.get(session, actor=actor, problem_id=problem_id)
    return session.scalars(
        select(Dissection)
        .where(Dissection.problem_id == problem.id, _scoped(Dissection.region_code, actor))
        .order_by(Dissection.held_on.desc(), Dissection.id.desc())
    ).all()


def causes(session: Session, *, actor: Actor, problem_id: int) -> Sequence[RootCause]:
    problem = problems.get(session, actor=actor, problem_id=problem_id)
    return session.scalars(
        select(RootCause)
        .where(RootCause.problem_id == problem.id, _scoped(RootCause.region_code, actor))
        .order_by(RootCause.id)
    ).all()


def search(
    session: Session,
    *,
    actor: Actor,
    matter_id: int | None = None,
    category: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[Sequence[tuple[RootCause, Problem]], int]:
    """成因清单 in the actor's region and below, with the problem each explains."""
    require(actor, Capability.READ_BUSINESS)
    stmt = (
        select(RootCause, Problem)
        .join(Problem, Problem.id == RootCause.problem_id)
        .where(_scoped(RootCause.region_code, actor))
    )
    if matter_id is not None:
        stmt = stmt.where(Problem.matter_id == matter_id)
    if category:
        stmt = stmt.where(RootCause.category == category)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.order_by(Problem.matter_id, Problem.id, RootCause.id).limit(limit).offset(offset)
    ).all()
    return [(c, p) for c, p in rows], int(total)


def entity_names(session: Session, *, actor: Actor, ids: Iterable[int]) -> dict[int, str]:
    """Names of the businesses in scope among ``ids`` (others are not named)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {
        int(i): str(n)
        for i, n in session.execute(
            select(Entity.id, Entity.name).where(
                Entity.id.in_(wanted),
                business_clause(actor, region_column=Entity.region_code, entity_column=Entity.id),
            )
        )
    }
