"""Penetration use cases: run it for a confirmed problem and keep the result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import PenetrationRan
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.errors import Conflict, NotFound
from lookthrough.core.roles import Capability
from lookthrough.core.scope import region_prefix_clause, require
from lookthrough.lists import matters, problems
from lookthrough.lists.models import Matter
from lookthrough.penetration import analysis
from lookthrough.penetration.models import PenetrationFactor, PenetrationRun

__all__ = ["PenetrationRun", "factors", "get_run", "latest", "run"]


def run(session: Session, *, actor: Actor, problem_id: int) -> PenetrationRun:
    """Penetration over the problem's matter in the actor's current region, kept as a run."""
    require(actor, Capability.MANAGE_LISTS)
    problem = problems.get(session, actor=actor, problem_id=problem_id)
    if problem.status != "confirmed":
        raise Conflict("只有已确认的问题才能做穿透分析")
    matter = session.get(Matter, problem.matter_id)
    assert matter is not None
    population = matters.population_of(matter, actor.region)
    evidence = problems.evidence(session, actor=actor, problem_id=problem.id)
    result = analysis.analyse(session, population=population, evidence=evidence)
    made = PenetrationRun(
        problem_id=problem.id, region_code=actor.region, unit=population.unit,
        universe=result.universe, affected=result.affected,
        affected_outside=result.affected_outside, factors_considered=result.factors_considered,
        tests=result.tests, alpha=result.alpha, population=asdict(population),
        created_by=actor.username, created_at=clock.utcnow(),
    )  # fmt: skip
    session.add(made)
    session.flush()
    for f in result.factors:
        e = f.effect
        session.add(
            PenetrationFactor(
                run_id=made.id, rank=f.rank, factor_type=f.factor_type, ref=f.ref[:200],
                label=f.label[:300], members=f.members, affected=f.affected, rate=e.rate,
                rest_rate=e.rest_rate, relative_risk=e.relative_risk, odds_ratio=e.odds_ratio,
                or_low=e.or_low, or_high=e.or_high, p_value=f.p_value,
                p_conditional=f.p_conditional, q_value=f.q_value, significant=f.significant,
                explained_by=f.explained_by, chains=[asdict(c) for c in f.chains],
            )
        )  # fmt: skip
    session.flush()
    audit.record(
        session,
        actor=actor,
        event=PenetrationRan(object_id=str(problem.id), run_id=made.id,
                             significant=len(result.significant)),
    )  # fmt: skip
    return made


def latest(session: Session, *, actor: Actor, problem_id: int) -> PenetrationRun | None:
    """The newest run of a problem made in the actor's region or below."""
    problem = problems.get(session, actor=actor, problem_id=problem_id)
    return session.scalar(
        select(PenetrationRun)
        .where(PenetrationRun.problem_id == problem.id,
               region_prefix_clause(PenetrationRun.region_code, actor.region))
        .order_by(PenetrationRun.id.desc())
        .limit(1)
    )  # fmt: skip


def get_run(session: Session, *, actor: Actor, run_id: int) -> PenetrationRun:
    require(actor, Capability.READ_BUSINESS)
    found = session.scalar(
        select(PenetrationRun).where(
            PenetrationRun.id == run_id,
            region_prefix_clause(PenetrationRun.region_code, actor.region),
        )
    )
    if found is None:
        raise NotFound("分析结果不存在或不在您的管辖范围内")
    return found


def factors(session: Session, *, run: PenetrationRun) -> Sequence[PenetrationFactor]:
    return session.scalars(
        select(PenetrationFactor)
        .where(PenetrationFactor.run_id == run.id)
        .order_by(PenetrationFactor.rank)
    ).all()
