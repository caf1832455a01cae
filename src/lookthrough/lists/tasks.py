"""Reading the rectification list: tasks with their targets' progress, in the viewer's scope
(officials: tasks of their region, and the targets in it; enterprise users: their own)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import Session

from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.errors import NotFound
from lookthrough.core.roles import Role
from lookthrough.core.scope import business_clause, region_prefix_clause, require_business_reader
from lookthrough.lists import rules
from lookthrough.lists.models import (
    Problem,
    Rectification,
    RectificationEvent,
    RectificationEvidence,
    RectificationTarget,
)
from lookthrough.registry.models import Entity

SCOPE_LABELS = {"one": "单户整改", "class": "一类一策（同类主体）"}


@dataclass(frozen=True, slots=True)
class TargetView:
    id: int
    rectification_id: int
    entity_id: int
    entity_name: str
    region_code: str
    state: str
    verification_record_id: str | None
    evidence: int
    overdue: bool
    days_overdue: int

    @property
    def state_label(self) -> str:
        return rules.STATE_LABELS[self.state]


@dataclass(frozen=True, slots=True)
class TaskView:
    task: Rectification
    problem_title: str
    targets: list[TargetView]

    @property
    def progress(self) -> dict[str, int]:
        return rules.progress(t.state for t in self.targets)

    @property
    def done(self) -> int:
        return sum(t.state in rules.DONE_STATES for t in self.targets)

    @property
    def overdue(self) -> int:
        return sum(t.overdue for t in self.targets)


def task_scope(actor: Actor) -> ColumnElement[bool]:
    """Officials: tasks of their region and below. Enterprise users: tasks that target them."""
    if actor.role is Role.ENTERPRISE:
        own: ColumnElement[bool] = exists().where(
            RectificationTarget.rectification_id == Rectification.id,
            business_clause(actor, region_column=RectificationTarget.region_code,
                            entity_column=RectificationTarget.entity_id),
        )  # fmt: skip
        return own
    return region_prefix_clause(Rectification.region_code, actor.region)


def target_scope(actor: Actor) -> ColumnElement[bool]:
    return business_clause(actor, region_column=RectificationTarget.region_code,
                           entity_column=RectificationTarget.entity_id)  # fmt: skip


def get_target(session: Session, *, actor: Actor, target_id: int) -> RectificationTarget:
    """A target the actor may see: an official's in region, an enterprise user's own."""
    require_business_reader(actor)
    stmt = (
        select(RectificationTarget)
        .join(Rectification, Rectification.id == RectificationTarget.rectification_id)
        .where(RectificationTarget.id == target_id, target_scope(actor))
    )
    if actor.role is not Role.ENTERPRISE:
        stmt = stmt.where(task_scope(actor))
    found = session.scalar(stmt)
    if found is None:
        raise NotFound("整改对象不存在或不在您的管辖范围内")
    return found


def _targets(
    session: Session, actor: Actor, task_ids: Sequence[int], today: date
) -> dict[int, list[TargetView]]:
    if not task_ids:
        return {}
    deadlines = dict(
        session.execute(
            select(Rectification.id, Rectification.deadline).where(Rectification.id.in_(task_ids))
        ).all()
    )
    evidence = (
        select(func.count())
        .where(RectificationEvidence.target_id == RectificationTarget.id)
        .scalar_subquery()
    )
    rows = session.execute(
        select(RectificationTarget, Entity.name, evidence)
        .join(Entity, Entity.id == RectificationTarget.entity_id)
        .where(RectificationTarget.rectification_id.in_(task_ids), target_scope(actor))
        .order_by(RectificationTarget.id)
    ).all()
    found: dict[int, list[TargetView]] = defaultdict(list)
    for t, name, n in rows:
        deadline = deadlines[t.rectification_id]
        found[t.rectification_id].append(
            TargetView(t.id, t.rectification_id, t.entity_id, str(name), t.region_code, t.state,
                       t.verification_record_id, int(n or 0),
                       rules.is_overdue(deadline, t.state, today),
                       rules.days_overdue(deadline, today))
        )  # fmt: skip
    return found


def _views(
    session: Session, actor: Actor, tasks: Sequence[Rectification], today: date
) -> list[TaskView]:
    titles = dict(
        session.execute(
            select(Problem.id, Problem.title).where(Problem.id.in_({t.problem_id for t in tasks}))
        ).all()
    )
    targets = _targets(session, actor, [t.id for t in tasks], today)
    return [TaskView(t, str(titles.get(t.problem_id, "")), targets.get(t.id, [])) for t in tasks]


def _search_stmt(
    actor: Actor, *, problem_id: int | None, matter_id: int | None, state: str | None,
    overdue_on: date | None,
) -> Select[Rectification]:  # fmt: skip
    stmt = select(Rectification).where(task_scope(actor))
    if problem_id is not None:
        stmt = stmt.where(Rectification.problem_id == problem_id)
    if matter_id is not None:
        stmt = stmt.where(
            Rectification.problem_id.in_(select(Problem.id).where(Problem.matter_id == matter_id))
        )
    if state:
        stmt = stmt.where(Rectification.state == state)
    if overdue_on is not None:
        stmt = stmt.where(
            Rectification.deadline < overdue_on,
            exists().where(
                RectificationTarget.rectification_id == Rectification.id,
                RectificationTarget.state.not_in(rules.DONE_STATES),
                target_scope(actor),
            ),
        )
    return stmt


def search(
    session: Session,
    *,
    actor: Actor,
    today: date,
    problem_id: int | None = None,
    matter_id: int | None = None,
    state: str | None = None,
    overdue: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[TaskView], int]:
    """整改清单 in scope; ``overdue``: only tasks past their deadline with a target not done
    (``overdue.raise_overdue_alerts`` turns each into one of the risk domain's alerts)."""
    require_business_reader(actor)
    stmt = _search_stmt(actor, problem_id=problem_id, matter_id=matter_id, state=state,
                        overdue_on=today if overdue else None)  # fmt: skip
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    tasks = session.scalars(
        stmt.order_by(Rectification.deadline, Rectification.id).limit(limit).offset(offset)
    ).all()
    return _views(session, actor, tasks, today), int(total)


def get(session: Session, *, actor: Actor, task_id: int, today: date) -> TaskView:
    require_business_reader(actor)
    task = session.scalar(
        select(Rectification).where(Rectification.id == task_id, task_scope(actor))
    )
    if task is None:
        raise NotFound("整改任务不存在或不在您的管辖范围内")
    return _views(session, actor, [task], today)[0]


def events(session: Session, *, actor: Actor, task_id: int) -> Sequence[RectificationEvent]:
    """The moves of the task's targets the actor may see, newest first."""
    view = get(session, actor=actor, task_id=task_id, today=clock.today())
    ids = [t.id for t in view.targets]
    return session.scalars(
        select(RectificationEvent)
        .where(RectificationEvent.target_id.in_(ids))
        .order_by(RectificationEvent.at.desc(), RectificationEvent.id.desc())
    ).all()


def targeted_entities(session: Session, *, actor: Actor, problem_id: int) -> set[int]:
    """Every business any task of the problem targets (within the actor's scope)."""
    return set(
        session.scalars(
            select(RectificationTarget.entity_id)
            .join(Rectification, Rectification.id == RectificationTarget.rectification_id)
            .where(Rectification.problem_id == problem_id, task_scope(actor),
                   target_scope(actor))
        )
    )  # fmt: skip


def first_opened(session: Session, *, actor: Actor, problem_id: int) -> date | None:
    opened = session.scalar(
        select(func.min(Rectification.created_at)).where(
            Rectification.problem_id == problem_id, task_scope(actor)
        )
    )
    return opened.date() if opened else None
