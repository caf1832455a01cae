"""整改清单 use cases: tasks for one business or the whole class (一类一策), each targeted business
moving through the state machine on its own, verified by a follow-up inspection or sampling
record; overdue tasks listed."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import RectificationMoved, RectificationOpened
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from lookthrough.core.roles import Capability, Role
from lookthrough.core.scope import (
    business_clause,
    require,
)
from lookthrough.lists import causes, problems, rules, tasks
from lookthrough.lists.models import (
    Problem,
    Rectification,
    RectificationEvent,
    RectificationEvidence,
    RectificationTarget,
    RootCause,
)
from lookthrough.records.models import Record
from lookthrough.registry.models import Entity


class TaskIn(BaseModel):
    """What an official fills in to open a rectification task."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    title: str = Field(min_length=1, max_length=200, description="整改任务")
    scope: Literal["one", "class"] = Field(description="整改对象：单户或同类主体")
    entity_id: int | None = Field(None, description="单户整改的经营主体编号")
    uscc: str | None = Field(None, max_length=18, description="或其统一社会信用代码")
    measures: str = Field(min_length=1, max_length=5000, description="整改措施")
    policy: str = Field("", max_length=5000, description="一类一策：本类主体适用的整改政策")
    responsible: str = Field(min_length=1, max_length=100, description="责任人")
    deadline: date = Field(description="整改时限")
    cause_id: int | None = Field(None, description="针对的成因")


def _class_targets(session: Session, actor: Actor, problem: Problem) -> list[Entity]:
    ids = list(causes.affected_businesses(session, actor=actor, problem=problem))
    found: list[Entity] = []
    for n in range(0, len(ids), 2000):
        found += session.scalars(
            select(Entity).where(
                Entity.id.in_(ids[n : n + 2000]),
                business_clause(actor, region_column=Entity.region_code, entity_column=Entity.id),
            )
        ).all()
    return sorted(found, key=lambda e: e.id)


def open_task(
    session: Session, *, actor: Actor, problem_id: int, data: TaskIn, today: date
) -> Rectification:
    """Open a task for one business, or for every business in scope that shows the problem."""
    require(actor, Capability.MANAGE_LISTS)
    problem = problems.get(session, actor=actor, problem_id=problem_id)
    if problem.status != "confirmed":
        raise ValidationFailed("只有已确认的问题才能下达整改任务")
    if data.deadline < today:
        raise ValidationFailed("整改时限不能早于今天", field="deadline")
    if data.cause_id is not None:
        owner = session.scalar(select(RootCause.problem_id).where(RootCause.id == data.cause_id))
        if owner != problem.id:
            raise ValidationFailed("所选成因不属于该问题", field="cause_id")
    if data.scope == "one":
        if data.entity_id is None and not data.uscc:
            raise ValidationFailed("单户整改请选择整改对象", field="entity_id")
        entity = causes.business(session, actor=actor, entity_id=data.entity_id, uscc=data.uscc)
        targets = [entity]
    else:
        if not data.policy:
            raise ValidationFailed("一类一策：请填写本类主体适用的整改政策", field="policy")
        targets = _class_targets(session, actor, problem)
        if not targets:
            raise ValidationFailed("该问题在您的管辖范围内没有涉及的经营主体", field="scope")
    now = clock.utcnow()
    task = Rectification(
        problem_id=problem.id, cause_id=data.cause_id, region_code=problem.region_code,
        scope=data.scope, title=data.title, measures=data.measures, policy=data.policy,
        responsible=data.responsible, deadline=data.deadline, state="open",
        created_by=actor.username, created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(task)
    session.flush()
    session.add_all(
        RectificationTarget(rectification_id=task.id, entity_id=e.id, region_code=e.region_code,
                            state="open", updated_at=now)
        for e in targets
    )  # fmt: skip
    session.flush()
    audit.record(
        session,
        actor=actor,
        event=RectificationOpened(object_id=str(task.id), problem_id=problem.id,
                                  targets=len(targets)),
    )  # fmt: skip
    return task


def _verification(
    session: Session, actor: Actor, target: RectificationTarget, task: Rectification,
    record_id: str | None,
) -> str:  # fmt: skip
    if not record_id:
        raise ValidationFailed("核验须填写跟踪检查或抽检记录编号", field="record_id")
    record = session.scalar(
        select(Record).where(
            Record.id == record_id.strip(),
            business_clause(
                actor, region_column=Record.region_code, entity_column=Record.entity_id
            ),
        )
    )
    if record is None:
        raise NotFound("监管信息不存在或不在您的管辖范围内")
    refused = rules.verification_refused(
        kind=record.kind, payload=record.payload or {}, record_entity=record.entity_id,
        target_entity=target.entity_id, occurred=record.occurred_at.date(),
        opened=task.created_at.date(),
    )  # fmt: skip
    if refused:
        raise ValidationFailed(refused, field="record_id")
    return record.id


def _evidence_since_reopen(session: Session, target: RectificationTarget) -> int:
    reopened = session.scalar(
        select(func.max(RectificationEvent.at)).where(
            RectificationEvent.target_id == target.id, RectificationEvent.action == "reopen"
        )
    )
    stmt = select(func.count()).where(RectificationEvidence.target_id == target.id)
    if reopened is not None:
        stmt = stmt.where(RectificationEvidence.submitted_at > reopened)
    return int(session.scalar(stmt) or 0)


def move(
    session: Session,
    *,
    actor: Actor,
    target_id: int,
    action: str,
    note: str = "",
    record_id: str | None = None,
) -> RectificationTarget:
    """Move one targeted business through the state machine (illegal moves: 409)."""
    target = tasks.get_target(session, actor=actor, target_id=target_id)
    enterprise = actor.role is Role.ENTERPRISE
    if enterprise and action not in rules.ENTERPRISE_ACTIONS:
        raise PermissionDenied("经营主体只能开始整改和提交整改材料，核验由监管部门进行")
    if not enterprise:
        require(actor, Capability.MANAGE_LISTS)
    task = session.get(Rectification, target.rectification_id)
    assert task is not None
    before = target.state
    after = rules.next_state(before, action)
    note = note.strip()[:2000]
    verified_by = None
    if action == "submit" and not _evidence_since_reopen(session, target):
        raise Conflict("请先上传整改材料再提交")
    if action == "reopen" and not note:
        raise ValidationFailed("退回重改请说明理由", field="note")
    if action == "verify":
        verified_by = _verification(session, actor, target, task, record_id)
        target.verification_record_id = verified_by
    now = clock.utcnow()
    target.state, target.updated_at = after, now
    session.add(
        RectificationEvent(rectification_id=task.id, target_id=target.id, action=action,
                           from_state=before, to_state=after, note=note, record_id=verified_by,
                           actor=actor.username, actor_role=actor.role.value, at=now)
    )  # fmt: skip
    session.flush()
    task.state = rules.task_state(
        session.scalars(
            select(RectificationTarget.state).where(RectificationTarget.rectification_id == task.id)
        )
    )
    task.updated_at = now
    audit.record(
        session,
        actor=actor,
        event=RectificationMoved(object_id=str(task.id), target_id=target.id, action=action,
                                 before={"state": before},
                                 after={"state": after, "record_id": verified_by}),
    )  # fmt: skip
    return target
