"""Use cases of 双随机 plans: the item list and inspector pool, plans, commitment, the draw.

Every query is scoped to the actor's region; every change is audited. A plan goes draft →
committed (candidate hash and seed commitment published) → drawn (seed revealed, visits made);
each step once, so a draw can never be re-rolled.
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import (
    DrawCommitted,
    DrawRevealed,
    InspectionPlanCreated,
)
from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from lookthrough.core.roles import Capability
from lookthrough.core.scope import ensure_region, region_prefix_clause, require
from lookthrough.inspection import draw, pools, publication, risk_inputs, rules
from lookthrough.inspection.draw import Candidates, DrawInputError, InspectorPool
from lookthrough.inspection.models import (
    InspectionPlan,
    InspectionTask,
    Inspector,
    TaskInspector,
)
from lookthrough.inspection.schemas import PlanFile, spec_from_rules
from lookthrough.records.models import Record
from lookthrough.registry.models import Entity

CLOSED_STATUSES = ("注销", "吊销")
CHINA = ZoneInfo("Asia/Shanghai")
STATUS_LABELS = {"draft": "草稿", "committed": "已公布承诺", "drawn": "已抽取"}


def _refused(error: DrawInputError) -> ValidationFailed:
    return ValidationFailed(str(error))


def subject_key(entity: Entity) -> str:
    """How a business appears in a candidate list: its credit code, else its registry key."""
    return entity.uscc or entity.key


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


def commit(session: Session, *, actor: Actor, plan_id: int, now: datetime) -> InspectionPlan:
    """Freeze the candidate list, choose the secret seed and publish both hashes, before any
    draw: from here on neither the list nor the seed can change unseen."""
    plan = get_plan(session, actor=actor, plan_id=plan_id)
    if plan.status != "draft":
        raise InvalidTransition(f"计划已处于“{STATUS_LABELS[plan.status]}”状态，不能再次公布")
    spec = spec_from_rules(plan.spec)
    pool = subject_pool(session, actor=actor, spec=spec, classes=plan.classes)
    if spec.risk_levels and not pool.inputs.risk.any():
        raise ValidationFailed(
            "计划按风险等级筛选，但没有任何主体的风险等级：请先完成风险评估"
            "（lookthrough risk score），或提供含风险等级的分类表"
        )
    try:
        candidates, _, excluded = rules.prepare(pool.table, spec)
    except DrawInputError as error:
        raise _refused(error) from error
    seed = draw.new_seed()
    plan.candidates_gz = gzip.compress(draw.canonical_bytes(candidates), mtime=0)
    plan.candidates_hash = draw.candidates_hash(candidates)
    plan.candidate_count = len(candidates)
    plan.strata = candidates.counts()
    plan.excluded = excluded
    plan.seed_secret = seed
    plan.commitment = draw.commitment(seed)
    plan.classes_source = pool.inputs.source[:200]
    plan.status = "committed"
    plan.committed_at = now
    session.flush()
    audit.record(
        session,
        actor=actor,
        event=DrawCommitted(
            object_id=str(plan.id),
            candidates=len(candidates),
            candidates_hash=plan.candidates_hash,
            commitment=plan.commitment,
            classes_source=plan.classes_source,
        ),
    )
    return plan


def stored_candidates(plan: InspectionPlan) -> Candidates:
    lines = gzip.decompress(plan.candidates_gz or b"").decode("utf-8").splitlines()
    pairs = [line.split("\t") for line in lines]
    return draw.canonical([p[0] for p in pairs], [p[1] for p in pairs])


def _entities_by_key(session: Session, keys: list[str]) -> dict[str, Entity]:
    found: dict[str, Entity] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        for entity in session.scalars(
            select(Entity).where(or_(Entity.uscc.in_(chunk), Entity.key.in_(chunk)))
        ):
            found[subject_key(entity)] = entity
    return found


def reveal_and_draw(
    session: Session, *, actor: Actor, settings: Settings, plan_id: int, now: datetime
) -> InspectionPlan:
    """Reveal the committed seed and draw: stratified subjects, one joint visit each, random
    qualified teams. The published file then lets anyone re-run it."""
    plan = get_plan(session, actor=actor, plan_id=plan_id)
    if plan.status != "committed":
        raise InvalidTransition(
            "须先公布候选名单哈希与种子承诺，才能抽取"
            if plan.status == "draft"
            else "该计划已抽取，抽取结果不能重做"
        )
    spec = spec_from_rules(plan.spec)
    seed = plan.seed_secret or ""
    candidates = stored_candidates(plan)
    ratios = {s: spec.ratio(s) for s in draw.STRATA}
    drawn = draw.draw_subjects(candidates, seed, ratios)
    keys = [candidates.key(i) for i in drawn.tolist()]
    entities = _entities_by_key(session, keys)
    missing = [k for k in keys if k not in entities]
    if missing:
        raise Conflict(f"候选名单中的主体已不存在：{'、'.join(missing[:5])}")
    people = pools.pool_for(session, plan.region_code)
    pool = InspectorPool.of((p.code, p.department, p.region_code, p.qualifications) for p in people)
    exclusions = pools.exclusions(session, {k: entities[k] for k in keys}, people)
    visits = rules.visits_for(
        spec,
        keys=[k.encode() for k in keys],
        regions=[entities[k].region_code for k in keys],
        industries=[(entities[k].industry_code or "").encode() for k in keys],
        exclusions={k.encode(): frozenset(v) for k, v in exclusions.items()},
        pool=pool,
    )
    assignments = draw.assign(visits, pool, seed, spec.team_size)
    by_code = {p.code: p for p in people}
    subjects: list[dict[str, Any]] = []
    published_assignments: list[dict[str, Any]] = []
    for n, (key, visit, outcome) in enumerate(zip(keys, visits, assignments, strict=True)):
        entity = entities[key]
        applied = rules.items_for(spec, entity.industry_code or "")
        task = InspectionTask(
            plan_id=plan.id,
            position=n,
            entity_id=entity.id,
            subject_key=key,
            region_code=entity.region_code,
            items=[i.code for i in applied],
            departments=[d for d, _ in visit.needs],
            status="unassigned" if outcome.unassigned else "assigned",
            note="；".join(f"{d}：{why}" for d, why in outcome.unassigned.items()) or None,
        )
        session.add(task)
        session.flush()
        for dept, team in outcome.teams.items():
            for j in team:
                session.add(
                    TaskInspector(
                        task_id=task.id, inspector_id=by_code[pool.codes[j]].id, department=dept
                    )
                )
        subjects.append(
            publication.subject_entry(key, candidates.stratum(int(drawn[n])), visit)
            | {"name": entity.name, "items": task.items}
        )
        published_assignments += publication.entries(key, visit, outcome, pool)
    summary = {"candidates": len(candidates), **rules.summarise(visits, assignments)}
    plan.seed = seed
    plan.summary = summary
    plan.status = "drawn"
    plan.drawn_at = now
    plan.results_due = (now + timedelta(days=settings.inspection_publish_days)).date()
    plan.published = publication.document(
        spec=spec,
        candidates=candidates,
        candidates_hash=plan.candidates_hash or "",
        commitment=plan.commitment or "",
        seed=seed,
        pool=pool,
        subjects=subjects,
        exclusions=exclusions,
        assignments=published_assignments,
        summary=summary,
        classes_source=plan.classes_source,
        include_candidates=False,
    )
    session.flush()
    audit.record(
        session,
        actor=actor,
        event=DrawRevealed(
            object_id=str(plan.id),
            seed=seed,
            visits=summary["visits"],
            visits_saved=summary["visits_saved"],
            unassigned=summary["unassigned"],
        ),
    )
    return plan


def published_file(plan: InspectionPlan) -> dict[str, Any]:
    """The file anyone can re-run with `lookthrough inspection verify-draw`: before the draw,
    the rules, hash, commitment and candidate list; after it, also the seed and the result."""
    if plan.status == "draft":
        raise InvalidTransition("计划尚未公布候选名单与种子承诺")
    candidates = stored_candidates(plan)
    if plan.published is not None:
        doc = dict(plan.published)
    else:
        doc = publication.document(
            spec=spec_from_rules(plan.spec),
            candidates=candidates,
            candidates_hash=plan.candidates_hash or "",
            commitment=plan.commitment or "",
            seed=None,
            pool=InspectorPool((), (), (), ()),
            classes_source=plan.classes_source,
            include_candidates=False,
        )
        doc.pop("inspectors")
    doc["candidates"] = [[candidates.key(i), candidates.stratum(i)] for i in range(len(candidates))]
    return doc


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
