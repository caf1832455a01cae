"""The commit–reveal draw of a 双随机 plan: commit, then reveal and draw, then the published file.

``commit`` freezes the candidate list and publishes its hash with a commitment to a secret seed;
``reveal_and_draw`` reveals the seed and draws subjects and teams with it (``draw`` is the pure
algorithm); ``published_file`` is what anyone re-runs to check. Each step happens once, so a
draw can never be re-rolled.
"""

from __future__ import annotations

import gzip
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import DrawCommitted, DrawRevealed
from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.core.errors import Conflict, InvalidTransition, ValidationFailed
from lookthrough.inspection import draw, pools, publication, rules, service
from lookthrough.inspection.draw import Candidates, DrawInputError, InspectorPool
from lookthrough.inspection.models import InspectionPlan, InspectionTask, TaskInspector
from lookthrough.inspection.schemas import spec_from_rules
from lookthrough.registry.models import Entity


def subject_key(entity: Entity) -> str:
    """How a business appears in a candidate list: its credit code, else its registry key."""
    return entity.uscc or entity.key


def commit(session: Session, *, actor: Actor, plan_id: int, now: datetime) -> InspectionPlan:
    """Freeze the candidate list, choose the secret seed and publish both hashes, before any
    draw: from here on neither the list nor the seed can change unseen."""
    plan = service.get_plan(session, actor=actor, plan_id=plan_id)
    if plan.status != "draft":
        raise InvalidTransition(
            f"计划已处于“{service.STATUS_LABELS[plan.status]}”状态，不能再次公布"
        )
    spec = spec_from_rules(plan.spec)
    pool = service.subject_pool(session, actor=actor, spec=spec, classes=plan.classes)
    if spec.risk_levels and not pool.inputs.risk.any():
        raise ValidationFailed(
            "计划按风险等级筛选，但没有任何主体的风险等级：请先完成风险评估"
            "（lookthrough risk score），或提供含风险等级的分类表"
        )
    try:
        candidates, _, excluded = rules.prepare(pool.table, spec)
    except DrawInputError as error:
        raise ValidationFailed(str(error)) from error
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
    plan = service.get_plan(session, actor=actor, plan_id=plan_id)
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
