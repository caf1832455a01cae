"""The four lists' parts of the per-business file (一户一档): the problems whose evidence
concerns the business (officials only), and the rectification tasks that target it with the
business's own place in each (officials, and the business itself through its portal)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from lookthrough.core.scope import (
    THE_BUSINESS,
    Reach,
    business_param_clause,
    business_params,
    region_param_clause,
)
from lookthrough.lists import rules
from lookthrough.lists.models import Problem, ProblemEvidence, Rectification, RectificationTarget
from lookthrough.lists.problems import STATUS_LABELS as PROBLEM_STATUSES
from lookthrough.profile import sections
from lookthrough.profile.rules import Audience
from lookthrough.records.models import Record, RecordSubject
from lookthrough.registry.models import Subject
from lookthrough.resolution import service as resolution_service

# Both statements are built once (per Reach) and run with the business and the viewer bound.
CHINA = ZoneInfo("Asia/Shanghai")
SHOWN = 100  # rows per section; the lists' own pages have the rest
PROBLEM_COLUMNS = ("问题", "状态", "严重程度", "涉及本主体记录", "最近一条")
TASK_COLUMNS = ("整改任务", "整改期限", "本主体整改状态", "是否超期")

# What the page passes through _() (web/messages.py gathers it for the English catalog).
PAGE_LABELS = (
    PROBLEMS_TITLE := "问题清单",
    TASKS_TITLE := "整改任务",
    *PROBLEM_COLUMNS, *TASK_COLUMNS, "超期", "未超期",
)  # fmt: skip


@lru_cache(maxsize=1)
def _problems_statement() -> Select[int, str, str, str, int, Any]:
    concerns = or_(
        Record.entity_id == THE_BUSINESS,
        Record.id.in_(resolution_service.linked_record_ids(THE_BUSINESS)),
        Record.id.in_(
            select(RecordSubject.record_id)
            .join(Subject, Subject.id == RecordSubject.subject_id)
            .where(Subject.entity_id == THE_BUSINESS)
        ),
    )
    latest = func.max(ProblemEvidence.occurred_at)
    return (
        select(Problem.id, Problem.title, Problem.status, Problem.severity,
               func.count(ProblemEvidence.record_id), latest)
        .join(ProblemEvidence, ProblemEvidence.problem_id == Problem.id)
        .join(Record, Record.id == ProblemEvidence.record_id)
        .where(concerns, region_param_clause(Problem.region_code),
               region_param_clause(ProblemEvidence.region_code))
        .group_by(Problem.id, Problem.title, Problem.status, Problem.severity)
        .order_by(latest.desc(), Problem.id)
        .limit(SHOWN)
    )  # fmt: skip


@sections.provider("problems", order=30, audience=sections.OFFICIALS_ONLY)
def problems_affecting(session: Session, ctx: sections.Context) -> sections.Section | None:
    """问题清单：证据中有本主体记录（本主体的、其监管对象的、或经主体关联指向本主体的投诉舆情）
    的共性问题，按最近记录排序。"""
    rows = session.execute(_problems_statement(), business_params(ctx.actor, ctx.entity_id)).all()
    if not rows:
        return None
    return sections.Section(
        key="problems",
        title=PROBLEMS_TITLE,
        columns=PROBLEM_COLUMNS,
        rows=[
            (
                title,
                PROBLEM_STATUSES.get(status, status),
                severity,
                int(n),
                at.astimezone(CHINA).date().isoformat() if at else "",
            )
            for _, title, status, severity, n, at in rows
        ],
        badge=str(len(rows)),
        badge_kind="warning",
        links=[f"/lists/problems/{row[0]}" for row in rows],
    )


@lru_cache(maxsize=8)
def _tasks_statement(reach: Reach, own: bool) -> Select[int, str, Any, int, str]:
    """The tasks targeting the business: all of them for the business itself; an official's,
    those of their region (lists.tasks.task_scope and target_scope, bound)."""
    stmt = (
        select(Rectification.id, Rectification.title, Rectification.deadline,
               RectificationTarget.id, RectificationTarget.state)
        .join(RectificationTarget, RectificationTarget.rectification_id == Rectification.id)
        .where(RectificationTarget.entity_id == THE_BUSINESS,
               business_param_clause(reach, region_column=RectificationTarget.region_code,
                                     entity_column=RectificationTarget.entity_id))
        .order_by(Rectification.deadline.desc(), Rectification.id.desc())
        .limit(SHOWN)
    )  # fmt: skip
    if not own:
        stmt = stmt.where(region_param_clause(Rectification.region_code))
    return stmt


@sections.provider("rectifications", order=31)
def rectification_tasks(session: Session, ctx: sections.Context) -> sections.Section | None:
    """整改任务：以本主体为整改对象的任务，本主体在其中的整改状态，以及是否超期。"""
    own = ctx.audience is Audience.ENTERPRISE
    found = session.execute(
        _tasks_statement(Reach.of(ctx.actor), own), business_params(ctx.actor, ctx.entity_id)
    ).all()
    if not found:
        return None
    late = [rules.is_overdue(deadline, state, ctx.today) for _, _, deadline, _, state in found]
    return sections.Section(
        key="rectifications",
        title=TASKS_TITLE,
        columns=TASK_COLUMNS,
        rows=[
            (
                title,
                deadline.isoformat(),
                rules.STATE_LABELS.get(state, state),
                "超期" if overdue else "未超期",
            )
            for (_, title, deadline, _, state), overdue in zip(found, late, strict=True)
        ],
        badge=f"{sum(late)} 项超期" if any(late) else None,
        badge_kind="danger",
        links=[
            f"/my/rectifications/{target_id}"
            if own
            else f"/lists/rectifications/{task_id}#target-{target_id}"
            for task_id, _, _, target_id, _ in found
        ],
    )
