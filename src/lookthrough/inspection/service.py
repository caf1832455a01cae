"""Use cases of 双随机 plans: making a plan, finding it, its subject pool and its visits.

Every query is scoped to the actor's region; every change is audited. A plan goes draft →
committed (candidate hash and seed commitment published) → drawn (seed revealed, visits made);
those two steps are ``commit_reveal``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import InspectionPlanCreated
from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.core.errors import Conflict, NotFound, ValidationFailed
from lookthrough.core.roles import Capability
from lookthrough.core.scope import ensure_region, region_prefix_clause, require
from lookthrough.inspection import pools, publication, risk_inputs, rules
from lookthrough.inspection.draw import DrawInputError
from lookthrough.inspection.models import (
    InspectionPlan,
    InspectionTask,
    Inspector,
    TaskInspector,
)
from lookthrough.inspection.schemas import PlanFile
from lookthrough.records.models import Record
from lookthrough.registry.models import Entity

CLOSED_STATUSES = ("注销", "吊销")
CHINA = ZoneInfo("Asia/Shanghai")
STATUS_LABELS = {"draft": "草稿", "committed": "已公布承诺", "drawn": "已抽取"}


def _refused(error: DrawInputError) -> ValidationFailed:
    return ValidationFailed(str(error))


# -- plans --------------------------------------------------------------------------------


def create_plan(
    session: Session,
    *,
    actor: Actor,
    settings: Settings,
    plan: PlanFile,
    classes: dict[str, list[str | None]] | None,
    classes_source: str,
    now: datetime,
) -> InspectionPlan:
    """A draft plan; the items and inspectors the file names join the list and the pool."""
    require(actor, Capability.PLAN_INSPECTIONS)
    ensure_region(actor, plan.subjects.region)
    if session.scalar(select(InspectionPlan.id).where(InspectionPlan.code == plan.code)):
        raise Conflict(f"计划编号“{plan.code}”已存在，抽取不能重复进行")
    try:
        spec = plan.to_spec(
            unclassified_as=settings.inspection_unclassified_as,
            cap=settings.inspection_visit_cap,
            team_size=settings.inspection_team_size,
        )
        rules.check_spec(spec)
    except DrawInputError as error:
        raise _refused(error) from error
    for item in plan.items:
        pools.save_item(session, actor=actor, item=item, now=now)
    for person in plan.inspectors:
        pools.save_inspector(session, actor=actor, inspector=person, now=now)
    row = InspectionPlan(
        code=plan.code,
        name=plan.name,
        region_code=plan.subjects.region,
        year=plan.year,
        status="draft",
        spec=publication.plan_rules(spec),
        classes=classes,
        classes_source=classes_source if classes else risk_inputs.FROM_RISK_LATER,
        created_by=actor.username,
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        event=InspectionPlanCreated(
            object_id=str(row.id),
            code=row.code,
            region=row.region_code,
            classes_source=row.classes_source,
        ),
    )
    return row


def get_plan(session: Session, *, actor: Actor, plan_id: int) -> InspectionPlan:
    require(actor, Capability.PLAN_INSPECTIONS)
    plan = session.scalar(
        select(InspectionPlan).where(
            InspectionPlan.id == plan_id,
            region_prefix_clause(InspectionPlan.region_code, actor.region),
        )
    )
    if plan is None:
        raise NotFound("抽查计划不存在或不在您的管辖范围内")
    return plan


def plans(session: Session, *, actor: Actor) -> Sequence[InspectionPlan]:
    require(actor, Capability.PLAN_INSPECTIONS)
    return session.scalars(
        select(InspectionPlan)
        .where(region_prefix_clause(InspectionPlan.region_code, actor.region))
        .order_by(InspectionPlan.id.desc())
    ).all()


@dataclass(frozen=True)
class Pool:
    table: rules.SubjectTable
    entity_ids: np.ndarray[Any, np.dtype[np.int64]]
    inputs: risk_inputs.RiskInputs


def subject_pool(session: Session, *, actor: Actor, spec: rules.PlanSpec, classes: Any) -> Pool:
    """The subject pool 主体库 of a plan: businesses in its region still trading, with their
    credit class and risk level (the risk domain's, or the plan's table where it has one) and
    their visits so far this year (inspection records, and visits other plans have scheduled)."""
    businesses = select(
        Entity.id, Entity.uscc, Entity.key, Entity.region_code, Entity.industry_code
    ).where(
        region_prefix_clause(Entity.region_code, spec.region),
        Entity.status.not_in(CLOSED_STATUSES),
    )
    # Core rows, read as columns: the province's 7.5M businesses need no ORM row processing.
    rows = (
        session.connection()
        .execute(
            risk_inputs.with_risk(
                businesses, actor=actor, region=spec.region, entity_id=Entity.id
            ).order_by(Entity.id)
        )
        .all()
    )
    ids, usccs, registry_keys, regions, industries, grades, levels = (
        list(zip(*rows, strict=True)) if rows else [()] * 7
    )
    start = datetime(spec.year, 1, 1, tzinfo=CHINA)  # the calendar year bureaus count by
    end = datetime(spec.year + 1, 1, 1, tzinfo=CHINA)
    visits: dict[int, int] = dict(
        session.execute(  # type: ignore[arg-type]
            select(Record.entity_id, func.count())
            .where(
                Record.kind == "inspection",
                Record.occurred_at >= start,
                Record.occurred_at < end,
                region_prefix_clause(Record.region_code, spec.region),
                Record.supersedes_id.is_(None),
            )
            .group_by(Record.entity_id)
        ).all()
    )
    planned = session.execute(
        select(InspectionTask.entity_id, func.count())
        .join(InspectionPlan, InspectionPlan.id == InspectionTask.plan_id)
        .where(
            InspectionPlan.year == spec.year,
            InspectionTask.status == "assigned",
            region_prefix_clause(InspectionTask.region_code, spec.region),
        )
        .group_by(InspectionTask.entity_id)
    ).all()
    for entity_id, count in planned:  # done visits are records already
        visits[entity_id] = visits.get(entity_id, 0) + int(count)
    keys = [u or k for u, k in zip(usccs, registry_keys, strict=True)]
    inputs = risk_inputs.lookup(keys=keys, grades=grades, levels=levels, given=classes)
    width = max((len(k.encode()) for k in keys), default=1)
    table = rules.SubjectTable(
        keys=np.array([k.encode() for k in keys], dtype=f"S{width}"),
        regions=np.array([r.encode() for r in regions], dtype="S12"),
        industries=np.array([(i or "").encode() for i in industries], dtype="S8"),
        classes=inputs.classes,
        risk=inputs.risk,
        visits=np.array([visits.get(i, 0) for i in ids], dtype=np.int32),
    )
    return Pool(table, np.array(ids, dtype=np.int64), inputs)


@dataclass(frozen=True, slots=True)
class VisitRow:
    task: InspectionTask
    business: str
    uscc: str | None
    team: list[str]  # "department: code, code"


def visits(session: Session, *, plan: InspectionPlan) -> list[VisitRow]:
    """A plan's visits in draw order, with their teams (inspector codes, by department)."""
    rows = session.execute(
        select(InspectionTask, Entity.name, Entity.uscc)
        .join(Entity, Entity.id == InspectionTask.entity_id)
        .where(InspectionTask.plan_id == plan.id)
        .order_by(InspectionTask.position)
    ).all()
    teams: dict[int, dict[str, list[str]]] = {}
    for task_id, dept, code in session.execute(
        select(TaskInspector.task_id, TaskInspector.department, Inspector.code)
        .join(Inspector, Inspector.id == TaskInspector.inspector_id)
        .join(InspectionTask, InspectionTask.id == TaskInspector.task_id)
        .where(InspectionTask.plan_id == plan.id)
        .order_by(Inspector.code)
    ):
        teams.setdefault(task_id, {}).setdefault(dept, []).append(code)
    return [
        VisitRow(
            t, name, uscc, [f"{d}：{'、'.join(c)}" for d, c in sorted(teams.get(t.id, {}).items())]
        )
        for t, name, uscc in rows
    ]


def open_visits(session: Session, *, plan_ids: Sequence[int]) -> dict[int, int]:
    """Visits not yet done (so not yet published), per plan."""
    rows = session.execute(
        select(InspectionTask.plan_id, func.count())
        .where(InspectionTask.plan_id.in_(plan_ids), InspectionTask.status != "done")
        .group_by(InspectionTask.plan_id)
    ).all()
    return {int(plan_id): int(n) for plan_id, n in rows}
