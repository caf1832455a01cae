"""The chain of one problem as the chain page shows it: matter → problem → penetration →
dissections and causes → rectifications with their progress and evidence → did it work."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.errors import Conflict
from lookthrough.core.scope import business_clause
from lookthrough.lists import causes as cause_service
from lookthrough.lists import effect as effect_service
from lookthrough.lists import matters, problems
from lookthrough.lists import tasks as task_service
from lookthrough.lists.models import Dissection, Matter, Problem, ProblemEvidence, RootCause
from lookthrough.penetration import service as penetration
from lookthrough.penetration.models import PenetrationFactor, PenetrationRun
from lookthrough.records.models import Record
from lookthrough.records.service import RecordView


@dataclass(frozen=True, slots=True)
class ProblemChain:
    matter: Matter
    problem: Problem
    run: PenetrationRun | None
    factors: Sequence[PenetrationFactor]
    dissections: Sequence[Dissection]
    causes: Sequence[RootCause]
    factor_labels: dict[str, str]
    tasks: list[task_service.TaskView]
    suggestions: list[cause_service.Suggestion]
    effect: effect_service.EffectView | None
    names: dict[int, str]  # businesses named on the page (dissected ones), in scope
    evidence: list[RecordView]  # the newest records the problem rests on, in scope


def problem_chain(
    session: Session, *, actor: Actor, problem_id: int, today: date, cut: date | None = None
) -> ProblemChain:
    problem = problems.get(session, actor=actor, problem_id=problem_id)
    matter = matters.get(session, actor=actor, matter_id=problem.matter_id)
    run = penetration.latest(session, actor=actor, problem_id=problem.id)
    factors = penetration.factors(session, run=run) if run else []
    dissections = cause_service.dissections(session, actor=actor, problem_id=problem.id)
    views, _ = task_service.search(session, actor=actor, today=today, problem_id=problem.id,
                            limit=200)  # fmt: skip
    confirmed = problem.status == "confirmed"
    did = None
    try:
        if views:
            did = effect_service.effect(
                session, actor=actor, problem_id=problem.id, today=today, cut=cut
            )
    except Conflict:  # its tasks target nobody the viewer may see
        did = None
    dissected = [int(s["entity_id"]) for d in dissections for s in d.subjects]
    return ProblemChain(
        matter=matter, problem=problem, run=run, factors=factors, dissections=dissections,
        causes=cause_service.causes(session, actor=actor, problem_id=problem.id),
        factor_labels={f"{f.factor_type}:{f.ref}": f.label for f in factors}, tasks=views,
        suggestions=cause_service.suggest(session, actor=actor, problem_id=problem.id) if confirmed
        else [], effect=did, names=cause_service.entity_names(session, actor=actor, ids=dissected),
        evidence=_evidence(session, actor, problem.id),
    )  # fmt: skip


def _evidence(session: Session, actor: Actor, problem_id: int, limit: int = 20) -> list[RecordView]:
    rows = session.scalars(
        select(Record)
        .join(ProblemEvidence, ProblemEvidence.record_id == Record.id)
        .where(
            ProblemEvidence.problem_id == problem_id,
            business_clause(
                actor, region_column=Record.region_code, entity_column=Record.entity_id
            ),
        )
        .order_by(Record.occurred_at.desc())
        .limit(limit)
    )
    return [RecordView.of(r) for r in rows]


@dataclass(frozen=True, slots=True)
class ChainRow:
    """One problem of a matter on the matter page: how far along its chain is."""

    problem: Problem
    runs: int
    causes: dict[str, int]  # category → causes
    tasks: int
    targets: int
    done: int
    overdue: int


def matter_chain(session: Session, *, actor: Actor, matter_id: int, today: date) -> list[ChainRow]:
    matter = matters.get(session, actor=actor, matter_id=matter_id)
    confirmed, _ = problems.search(session, actor=actor, matter_id=matter.id,
                                   status="confirmed", limit=200)  # fmt: skip
    ids = [p.id for p in confirmed]
    if not ids:
        return []
    runs = dict(
        session.execute(
            select(PenetrationRun.problem_id, func.count())
            .where(PenetrationRun.problem_id.in_(ids))
            .group_by(PenetrationRun.problem_id)
        ).all()
    )
    by_category: dict[int, Counter[str]] = {i: Counter() for i in ids}
    for pid, category in session.execute(
        select(RootCause.problem_id, RootCause.category).where(RootCause.problem_id.in_(ids))
    ):
        by_category[pid][category] += 1
    views, _ = task_service.search(session, actor=actor, today=today, matter_id=matter.id,
                            limit=500)  # fmt: skip
    per: dict[int, list[task_service.TaskView]] = {i: [] for i in ids}
    for view in views:
        per.setdefault(view.task.problem_id, []).append(view)
    return [
        ChainRow(p, int(runs.get(p.id, 0)), dict(by_category[p.id]), len(per[p.id]),
                 sum(len(v.targets) for v in per[p.id]), sum(v.done for v in per[p.id]),
                 sum(v.overdue for v in per[p.id]))
        for p in confirmed
    ]  # fmt: skip
