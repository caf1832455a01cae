"""The list 一单 (inspection items) and the inspector pool 执法人员库, and what a draw reads of
the pool: who may visit a region, and whom each business must not get."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from lookthrough.accounts.models import User
from lookthrough.audit import service as audit
from lookthrough.audit.events import InspectionPoolSaved
from lookthrough.core.actor import Actor
from lookthrough.core.errors import ValidationFailed
from lookthrough.core.roles import Capability
from lookthrough.core.scope import ensure_region, region_prefix_clause, require
from lookthrough.inspection.models import InspectionItem, InspectionTask, Inspector, TaskInspector
from lookthrough.inspection.schemas import InspectorIn, ItemIn
from lookthrough.records.models import Record
from lookthrough.registry.models import Entity


def save_item(session: Session, *, actor: Actor, item: ItemIn, now: datetime) -> InspectionItem:
    require(actor, Capability.PLAN_INSPECTIONS)
    row = session.scalar(select(InspectionItem).where(InspectionItem.code == item.code))
    before = None
    if row is not None:
        ensure_region(actor, row.region_code, within_jurisdiction=True)
        before = {"name": row.name, "department": row.department, "matter": row.matter}
    else:
        row = InspectionItem(code=item.code, region_code=actor.region, created_at=now)
        session.add(row)
    row.name, row.department, row.qualification = item.name, item.department, item.qualification
    row.matter, row.industry_prefixes, row.basis = item.matter, item.industry_prefixes, item.basis
    session.flush()
    audit.record(
        session,
        actor=actor,
        event=InspectionPoolSaved(
            object_id=f"item:{item.code}",
            before=before,
            after={"name": row.name, "department": row.department, "matter": row.matter},
        ),
    )
    return row


def save_inspector(
    session: Session, *, actor: Actor, inspector: InspectorIn, now: datetime
) -> Inspector:
    require(actor, Capability.PLAN_INSPECTIONS)
    ensure_region(actor, inspector.region_code)
    row = session.scalar(select(Inspector).where(Inspector.code == inspector.code))
    before = None
    if row is not None:
        ensure_region(actor, row.region_code)
        before = {"department": row.department, "region": row.region_code}
    else:
        row = Inspector(code=inspector.code, created_at=now)
        session.add(row)
    row.name, row.department, row.region_code = (
        inspector.name,
        inspector.department,
        inspector.region_code,
    )
    row.qualifications = sorted(set(inspector.qualifications))
    row.conflicts = sorted({c.strip().upper() for c in inspector.conflicts if c.strip()})
    if inspector.username:
        user = session.scalar(select(User).where(User.username == inspector.username))
        if user is None:
            raise ValidationFailed(f"账号“{inspector.username}”不存在")
        taken = session.scalar(
            select(Inspector.code).where(Inspector.user_id == user.id, Inspector.code != row.code)
        )
        if taken:
            raise ValidationFailed(f"账号“{inspector.username}”已绑定执法人员 {taken}")
        row.user_id = user.id
    session.flush()
    audit.record(
        session,
        actor=actor,
        event=InspectionPoolSaved(
            object_id=f"inspector:{inspector.code}",
            before=before,
            after={"department": row.department, "region": row.region_code},
        ),
    )
    return row


def items(session: Session, *, actor: Actor) -> Sequence[InspectionItem]:
    """Items set by this region, the levels above it, or below it."""
    require(actor, Capability.PLAN_INSPECTIONS)
    above = [actor.region[:n] for n in (2, 4, 6, 9) if n <= len(actor.region)]
    return session.scalars(
        select(InspectionItem)
        .where(
            or_(
                InspectionItem.region_code.in_(above),
                region_prefix_clause(InspectionItem.region_code, actor.region),
            )
        )
        .order_by(InspectionItem.code)
    ).all()


def inspectors(session: Session, *, actor: Actor) -> Sequence[Inspector]:
    require(actor, Capability.PLAN_INSPECTIONS)
    return session.scalars(
        select(Inspector)
        .where(region_prefix_clause(Inspector.region_code, actor.region))
        .order_by(Inspector.code)
    ).all()


def pool_for(session: Session, region: str) -> list[Inspector]:
    """Active inspectors who may visit somewhere in ``region``: those inside it, and those of
    the levels above it."""
    above = [region[:n] for n in (2, 4, 6, 9) if n < len(region)]
    return list(
        session.scalars(
            select(Inspector).where(
                Inspector.active.is_(True),
                or_(
                    region_prefix_clause(Inspector.region_code, region),
                    Inspector.region_code.in_(above),
                ),
            )
        )
    )


def exclusions(
    session: Session, entities: dict[str, Entity], people: list[Inspector]
) -> dict[str, list[str]]:
    """Per business key, the inspectors it must not get: declared conflicts, and whoever came
    on its last visit (a plan's visit, else the last inspection record's inspectors)."""
    found: dict[str, set[str]] = {}
    for person in people:
        for key in person.conflicts:
            if key in entities:
                found.setdefault(key, set()).add(person.code)
    codes = {p.id: p.code for p in people}
    by_id = {e.id: key for key, e in entities.items()}
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        last = dict(
            session.execute(
                select(InspectionTask.entity_id, func.max(InspectionTask.id))
                .join(TaskInspector, TaskInspector.task_id == InspectionTask.id)
                .where(InspectionTask.entity_id.in_(chunk))
                .group_by(InspectionTask.entity_id)
            ).all()
        )
        for entity_id, task_id in last.items():
            for inspector_id in session.scalars(
                select(TaskInspector.inspector_id).where(TaskInspector.task_id == task_id)
            ):
                if inspector_id in codes:
                    found.setdefault(by_id[entity_id], set()).add(codes[inspector_id])
        for entity_id in set(chunk) - set(last):
            payload = session.scalar(
                select(Record.payload)
                .where(Record.entity_id == entity_id, Record.kind == "inspection")
                .order_by(Record.occurred_at.desc())
                .limit(1)
            )
            for code in (payload or {}).get("inspectors", []):
                found.setdefault(by_id[entity_id], set()).add(str(code))
    return {key: sorted(codes_) for key, codes_ in sorted(found.items())}
