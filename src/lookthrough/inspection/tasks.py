"""Visits on site: the inspector's task list, the checklist from the screening manuals, the
findings written back as records, the public results (一公开) and the manuals themselves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import ChecklistSubmitted, ManualSaved
from lookthrough.core.actor import Actor
from lookthrough.core.errors import InvalidTransition, NotFound, ValidationFailed
from lookthrough.core.roles import Capability, Role
from lookthrough.core.scope import region_prefix_clause, require
from lookthrough.inspection.models import (
    InspectionItem,
    InspectionPlan,
    InspectionTask,
    Inspector,
    ScreeningItem,
    ScreeningManual,
    TaskAnswer,
    TaskInspector,
)
from lookthrough.inspection.schemas import ChecklistIn, ManualIn
from lookthrough.records import service as records_service
from lookthrough.registry.models import Entity

SOURCE = "inspection_plan"  # provenance of the records visits write


# -- screening manuals (排查指导手册) --------------------------------------------------------


def save_manual(
    session: Session, *, actor: Actor, manual: ManualIn, now: datetime
) -> ScreeningManual:
    """A new manual for a matter (the newest one of a matter is the one used on site)."""
    require(actor, Capability.PLAN_INSPECTIONS)
    row = ScreeningManual(
        matter=manual.matter, title=manual.title, region_code=actor.region,
        created_by=actor.username, created_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    for n, item in enumerate(manual.items):
        session.add(ScreeningItem(manual_id=row.id, position=n, **item.model_dump()))
    session.flush()
    audit.record(
        session,
        actor=actor,
        event=ManualSaved(object_id=str(row.id), matter=row.matter, items=len(manual.items)),
    )
    return row


def manuals(session: Session, *, actor: Actor) -> Sequence[ScreeningManual]:
    require(actor, Capability.WORK_TASKS)
    return session.scalars(select(ScreeningManual).order_by(ScreeningManual.matter)).all()


def latest_manual(session: Session, matter: str) -> ScreeningManual | None:
    return session.scalar(
        select(ScreeningManual)
        .where(ScreeningManual.matter == matter)
        .order_by(ScreeningManual.id.desc())
        .limit(1)
    )


def manual_items(session: Session, manual_id: int) -> Sequence[ScreeningItem]:
    return session.scalars(
        select(ScreeningItem)
        .where(ScreeningItem.manual_id == manual_id)
        .order_by(ScreeningItem.position)
    ).all()


# -- tasks -------------------------------------------------------------------------------


def _mine(session: Session, actor: Actor) -> Inspector | None:
    if actor.user_id is None:
        return None
    return session.scalar(select(Inspector).where(Inspector.user_id == actor.user_id))


@dataclass(frozen=True, slots=True)
class TaskRow:
    task: InspectionTask
    plan_code: str
    business: str
    uscc: str | None


def _task_query(session: Session, actor: Actor) -> object:
    stmt = (
        select(InspectionTask, InspectionPlan.code, Entity.name, Entity.uscc)
        .join(InspectionPlan, InspectionPlan.id == InspectionTask.plan_id)
        .join(Entity, Entity.id == InspectionTask.entity_id)
        .where(region_prefix_clause(InspectionTask.region_code, actor.region))
    )
    if actor.role is Role.INSPECTOR:
        # An inspector's list is the visits they were drawn for, and nothing else.
        mine = _mine(session, actor)
        assigned = select(TaskInspector.task_id).where(
            TaskInspector.inspector_id == (mine.id if mine else -1)
        )
        stmt = stmt.where(InspectionTask.id.in_(assigned))
    return stmt


def task_list(session: Session, *, actor: Actor) -> Sequence[TaskRow]:
    """Open visits first, then done ones: an inspector's own; an official's in their region."""
    require(actor, Capability.WORK_TASKS)
    rows = session.execute(_task_query(session, actor)).all()  # type: ignore[call-overload]
    ordered = sorted(rows, key=lambda r: (r[0].status == "done", r[0].id))
    return [TaskRow(t, code, name, uscc) for t, code, name, uscc in ordered]


def get_task(session: Session, *, actor: Actor, task_id: int) -> TaskRow:
    require(actor, Capability.WORK_TASKS)
    stmt = _task_query(session, actor).where(InspectionTask.id == task_id)  # type: ignore[attr-defined]
    row = session.execute(stmt).first()
    if row is None:
        raise NotFound("检查任务不存在或不在您的任务范围内")
    return TaskRow(*row)


@dataclass(frozen=True, slots=True)
class ChecklistLine:
    item: ScreeningItem | None  # None: the inspection item has no manual, it is checked whole
    inspection_item: InspectionItem
    answer: TaskAnswer | None


def checklist(session: Session, *, task: InspectionTask) -> list[ChecklistLine]:
    """The on-site checklist: for each item of the visit, its matter's newest manual's items."""
    answers = {
        a.item_id: a
        for a in session.scalars(select(TaskAnswer).where(TaskAnswer.task_id == task.id))
    }
    lines: list[ChecklistLine] = []
    for code in task.items:
        item = session.scalar(select(InspectionItem).where(InspectionItem.code == code))
        if item is None:
            continue
        manual = latest_manual(session, item.matter) if item.matter else None
        if manual is None:
            lines.append(ChecklistLine(None, item, None))
            continue
        for entry in manual_items(session, manual.id):
            lines.append(ChecklistLine(entry, item, answers.get(entry.id)))
    return lines


def team(session: Session, *, task: InspectionTask) -> Sequence[tuple[str, str]]:
    """(department, inspector code) of a visit's team; names stay inside the bureau."""
    return session.execute(
        select(TaskInspector.department, Inspector.code)
        .join(Inspector, Inspector.id == TaskInspector.inspector_id)
        .where(TaskInspector.task_id == task.id)
        .order_by(TaskInspector.department, Inspector.code)
    ).all()


def submit(
    session: Session, *, actor: Actor, task_id: int, form: ChecklistIn, now: datetime
) -> InspectionTask:
    """Record the visit: the answers, an ``inspection`` record, and one ``finding`` record per
    item not met (children of the inspection) — so they re-enter the risk engine."""
    row = get_task(session, actor=actor, task_id=task_id)
    task = row.task
    if task.status != "assigned":
        raise InvalidTransition("该任务已完成或尚未分派执法人员，不能提交")
    lines = {line.item.id: line for line in checklist(session, task=task) if line.item}
    given = {a.item_id: a for a in form.answers}
    unknown = set(given) - set(lines)
    if unknown:
        raise ValidationFailed(f"检查表中没有这些条目：{sorted(unknown)}")
    missing = [line.item.content for i, line in lines.items() if i not in given and line.item]
    if missing:
        raise ValidationFailed(f"还有 {len(missing)} 条未填写：{missing[0]}")
    failed = [a for a in form.answers if a.result == "不符合"]
    codes = [code for _, code in team(session, task=task)]
    verdict = "发现问题" if failed else "未发现问题"
    matters = sorted({line.inspection_item.matter or "" for line in lines.values()} - {""})
    inspection = records_service.append(
        session,
        actor=actor,
        source=SOURCE,
        new=records_service.NewRecord(
            kind="inspection", region_code=task.region_code, entity_id=task.entity_id,
            occurred_at=now, title=f"双随机抽查（{row.plan_code}）：{verdict}",
            payload={
                "inspection_type": "双随机抽查", "result": verdict,
                "inspectors": codes, "matter": "、".join(matters)[:60] or None,
            },
            source_key=f"task:{task.id}",
        ),
        now=now,
    )  # fmt: skip
    for answer in form.answers:
        session.merge(
            TaskAnswer(
                task_id=task.id, item_id=answer.item_id, result=answer.result,
                severity=answer.severity, note=answer.note,
            )
        )  # fmt: skip
    for answer in failed:
        item = lines[answer.item_id].item
        assert item is not None
        records_service.append(
            session,
            actor=actor,
            source=SOURCE,
            new=records_service.NewRecord(
                kind="finding", region_code=task.region_code, entity_id=task.entity_id,
                occurred_at=now, title=f"检查发现问题：{item.content}",
                payload={"code": f"SI{item.id}", "description": (answer.note or item.content),
                         "severity": answer.severity or "一般"},
                source_key=f"task:{task.id}:item:{item.id}", parent_id=inspection.id,
            ),
            now=now,
        )  # fmt: skip
    task.status, task.result, task.record_id, task.done_at = (
        "done",
        "发现问题" if failed else "未发现问题",
        inspection.id,
        now,
    )
    session.flush()
    audit.record(
        session,
        actor=actor,
        event=ChecklistSubmitted(
            object_id=str(task.id), record_id=inspection.id, findings=len(failed)
        ),
    )
    return task


# -- 一公开: results on the public page ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublicResult:
    plan_code: str
    plan_name: str
    business: str
    uscc: str | None
    items: list[str]
    result: str | None
    done_on: str | None


@dataclass(frozen=True, slots=True)
class PublicPlan:
    code: str
    name: str
    region_code: str
    candidates_hash: str | None
    commitment: str | None
    seed: str | None
    summary: dict[str, int]
    results_due: str | None
    status: str


def public_plans(session: Session) -> list[PublicPlan]:
    """Committed and drawn plans: what the public may check (hashes, seed, counts)."""
    rows = session.scalars(
        select(InspectionPlan)
        .where(InspectionPlan.status.in_(("committed", "drawn")))
        .order_by(InspectionPlan.id.desc())
    ).all()
    return [
        PublicPlan(
            p.code, p.name, p.region_code, p.candidates_hash, p.commitment, p.seed,
            p.summary or {}, p.results_due.isoformat() if p.results_due else None, p.status,
        )
        for p in rows
    ]  # fmt: skip


def public_results(session: Session, *, limit: int = 500) -> list[PublicResult]:
    """Results of finished visits: business name, credit code, items and result — no person's
    name, phone or inspector identity (个人信息不公开)."""
    rows = session.execute(
        select(InspectionTask, InspectionPlan, Entity.name, Entity.uscc)
        .join(InspectionPlan, InspectionPlan.id == InspectionTask.plan_id)
        .join(Entity, Entity.id == InspectionTask.entity_id)
        .where(InspectionTask.status == "done")
        .order_by(InspectionTask.done_at.desc())
        .limit(limit)
    ).all()
    names = dict(session.execute(select(InspectionItem.code, InspectionItem.name)).all())
    return [
        PublicResult(
            plan.code, plan.name, name, uscc, [names.get(c, c) for c in task.items], task.result,
            task.done_at.date().isoformat() if task.done_at else None,
        )
        for task, plan, name, uscc in rows
    ]  # fmt: skip
