"""Use cases of graded disposal: propose and open measures, move them, escalate the overdue,
send outcomes back as records, generate notices. Scoped to the actor's region; audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lookthrough.accounts.models import User
from lookthrough.audit import service as audit
from lookthrough.audit.events import MeasureMoved, MeasureOpened, NoticeGenerated
from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.core.errors import NotFound, ValidationFailed
from lookthrough.core.roles import Capability
from lookthrough.core.scope import business_clause, region_prefix_clause, require
from lookthrough.disposal import notices, rules
from lookthrough.disposal.models import Measure, MeasureEvent
from lookthrough.disposal.risk_inputs import Levels
from lookthrough.records import service as records_service
from lookthrough.regions.models import Region
from lookthrough.registry.models import Entity

SOURCE = "disposal"  # provenance of the records measures write


@lru_cache(maxsize=4)
def _matrix(path: Path | None) -> rules.Matrix:
    return rules.load_matrix(path)


def matrix(settings: Settings) -> rules.Matrix:
    return _matrix(settings.disposal_matrix_file)


def _entity(session: Session, actor: Actor, entity_id: int) -> Entity:
    entity = session.scalar(
        select(Entity).where(
            Entity.id == entity_id,
            business_clause(actor, region_column=Entity.region_code, entity_column=Entity.id),
        )
    )
    if entity is None:
        raise NotFound("经营主体不存在或不在您的管辖范围内")
    return entity


def _event(
    session: Session, measure: Measure, *, action: str, before: str | None, actor: str,
    at: datetime, note: str | None,
) -> None:  # fmt: skip
    session.add(
        MeasureEvent(
            measure_id=measure.id, at=at, action=action, from_state=before,
            to_state=measure.state, actor=actor, note=note,
        )
    )  # fmt: skip


def _snapshot(measure: Measure) -> dict[str, Any]:
    return {
        "kind": measure.kind,
        "state": measure.state,
        "region": measure.region_code,
        "deadline": measure.deadline.isoformat(),
    }


def open_measure(
    session: Session,
    *,
    actor: Actor,
    settings: Settings,
    entity_id: int,
    levels: Levels,
    owner_id: int | None,
    kind: str | None = None,
    now: datetime,
) -> Measure:
    """Propose the matrix's measure for a business (an official may choose another, and the
    reason says so). It starts as 待下达 with its deadline and owner."""
    require(actor, Capability.DISPOSE)
    entity = _entity(session, actor, entity_id)
    grid = matrix(settings)
    proposal = rules.propose(grid, levels.probability, levels.consequence)
    chosen = kind or proposal.kind
    grid.kind(chosen)
    reason = proposal.reason
    if chosen != proposal.kind:
        reason += f"；经办人调整为{grid.kinds[chosen].label}"
    if levels.basis:
        reason += f"。依据：{levels.basis}"
    if owner_id is not None:
        owner = session.get(User, owner_id)
        if owner is None or not owner.region_code.startswith(actor.jurisdiction[:2]):
            raise ValidationFailed("承办人不存在")
    measure = Measure(
        entity_id=entity.id,
        region_code=entity.region_code,
        kind=chosen,
        state="proposed",
        probability=levels.probability,
        consequence=levels.consequence,
        risk_level=proposal.risk_level,
        reason=reason,
        source=levels.source,
        source_ref=levels.source_ref,
        owner_id=owner_id if owner_id is not None else actor.user_id,
        deadline=rules.deadline(grid, chosen, now.date()),
        created_by=actor.username,
        created_at=now,
        updated_at=now,
    )
    session.add(measure)
    session.flush()
    _event(session, measure, action="open", before=None, actor=actor.username, at=now, note=reason)
    audit.record(
        session,
        actor=actor,
        event=MeasureOpened(object_id=str(measure.id), after=_snapshot(measure)),
    )
    return measure


def _scoped(actor: Actor) -> Any:
    return region_prefix_clause(Measure.region_code, actor.region)


def get(session: Session, *, actor: Actor, measure_id: int) -> Measure:
    require(actor, Capability.DISPOSE)
    measure = session.scalar(select(Measure).where(Measure.id == measure_id, _scoped(actor)))
    if measure is None:
        raise NotFound("处置措施不存在或不在您的管辖范围内")
    return measure


@dataclass(frozen=True, slots=True)
class MeasureRow:
    measure: Measure
    entity_name: str
    overdue: bool


def search(
    session: Session, *, actor: Actor, state: str | None = None, today: date
) -> Sequence[MeasureRow]:
    """Measures in scope, major risks first (I before IV), then the nearest deadline."""
    require(actor, Capability.DISPOSE)
    stmt = (
        select(Measure, Entity.name)
        .join(Entity, Entity.id == Measure.entity_id)
        .where(_scoped(actor))
    )
    if state:
        stmt = stmt.where(Measure.state == state)
    rows = session.execute(stmt).all()
    ordered = sorted(
        rows, key=lambda r: (rules.RISK_ORDER[r[0].risk_level], r[0].deadline, r[0].id)
    )
    return [
        MeasureRow(m, name, m.state in rules.OPEN_STATES and today > m.deadline)
        for m, name in ordered
    ]


def history(session: Session, *, measure: Measure) -> Sequence[MeasureEvent]:
    return session.scalars(
        select(MeasureEvent).where(MeasureEvent.measure_id == measure.id).order_by(MeasureEvent.id)
    ).all()


def act(
    session: Session,
    *,
    actor: Actor,
    measure_id: int,
    action: str,
    note: str | None = None,
    outcome: dict[str, Any] | None = None,
    now: datetime,
) -> Measure:
    """Move a measure along its state machine. Resolving needs the outcome, which is written as
    a record (承诺 / 检查 / 行政处罚) so that it re-enters the risk engine."""
    measure = get(session, actor=actor, measure_id=measure_id)
    before = _snapshot(measure)
    new_state = rules.move(measure.state, action)
    if action == "resolve":
        measure.outcome_record_id = _write_outcome(session, actor, measure, outcome, now)
    elif action == "escalate":
        raise ValidationFailed("升级由逾期检查自动执行：lookthrough disposal escalate")
    previous = measure.state
    measure.state, measure.updated_at = new_state, now
    session.flush()
    _event(
        session, measure, action=action, before=previous, actor=actor.username, at=now, note=note
    )
    audit.record(
        session,
        actor=actor,
        event=MeasureMoved(
            object_id=str(measure.id), action=action, before=before, after=_snapshot(measure)
        ),
    )
    return measure


def _write_outcome(
    session: Session, actor: Actor, measure: Measure, outcome: dict[str, Any] | None, now: datetime
) -> str:
    if not outcome or "kind" not in outcome:
        raise ValidationFailed("办结须填写处置结果")
    kind = str(outcome["kind"])
    allowed = rules.OUTCOME_KINDS[measure.kind]
    if kind not in allowed:
        raise ValidationFailed(
            f"{rules.STATE_LABELS.get(measure.state)}的该措施只能以"
            f"{'、'.join(records_service.KIND_LABELS[k] for k in allowed)}办结"
        )
    payload = {k: v for k, v in outcome.items() if k not in ("kind", "title")}
    label = records_service.KIND_LABELS[kind]
    record = records_service.append(
        session,
        actor=actor,
        source=SOURCE,
        new=records_service.NewRecord(
            kind=kind,
            region_code=measure.region_code,
            entity_id=measure.entity_id,
            occurred_at=now,
            title=str(outcome.get("title") or f"处置措施 {measure.id} 结果：{label}"),
            payload=payload,
            source_key=f"measure:{measure.id}",
        ),
        now=now,
    )
    return record.id


@dataclass(frozen=True, slots=True)
class Escalated:
    old: Measure
    new: Measure
    reason: str


def escalate_overdue(
    session: Session, *, actor: Actor, settings: Settings, now: datetime
) -> list[Escalated]:
    """Every open measure past its deadline becomes the next measure of the ladder (and goes to
    the jurisdiction above when the matrix and the settings say so). ``now`` is passed in, so
    the job can be run for any day."""
    require(actor, Capability.DISPOSE)
    grid = matrix(settings)
    today = now.date()
    due = session.scalars(
        select(Measure)
        .where(_scoped(actor), Measure.state.in_(rules.OPEN_STATES), Measure.deadline < today)
        .order_by(Measure.id)
    ).all()
    done: list[Escalated] = []
    for old in due:
        step = rules.escalation(
            grid, kind=old.kind, state=old.state, due=old.deadline, today=today,
            upward_allowed=settings.disposal_escalate_upward,
        )  # fmt: skip
        if step is None:
            continue
        region = old.region_code
        if step.upward:
            region = _upper(session, old.region_code) or region
        before = _snapshot(old)
        previous = old.state
        old.state, old.updated_at = "escalated", now
        new = Measure(
            entity_id=old.entity_id, region_code=region, kind=step.kind, state="proposed",
            probability=old.probability, consequence=old.consequence, risk_level=old.risk_level,
            reason=f"{step.reason}。原因：{old.reason}", source=old.source,
            source_ref=old.source_ref, owner_id=None if step.upward else old.owner_id,
            deadline=rules.deadline(grid, step.kind, today), previous_id=old.id,
            created_by=actor.username, created_at=now, updated_at=now,
        )  # fmt: skip
        session.add(new)
        session.flush()
        _event(session, old, action="escalate", before=previous, actor=actor.username, at=now,
               note=step.reason)  # fmt: skip
        _event(session, new, action="open", before=None, actor=actor.username, at=now,
               note=step.reason)  # fmt: skip
        audit.record(
            session,
            actor=actor,
            event=MeasureMoved(
                object_id=str(old.id), action="escalate", before=before,
                after={**_snapshot(old), "next": new.id, "next_region": region},
            ),
        )  # fmt: skip
        done.append(Escalated(old, new, step.reason))
    return done


def _upper(session: Session, code: str) -> str | None:
    """The nearest existing region above ``code`` that is a city or the province."""
    parent = rules.parent_region(code)
    while parent is not None:
        if len(parent) in (2, 4) and session.get(Region, parent) is not None:
            return parent
        parent = rules.parent_region(parent)
    return None


def notice(
    session: Session, *, actor: Actor, settings: Settings, measure_id: int, now: datetime
) -> tuple[str, bytes]:
    """The notice of a 提醒 / 警示 / 约谈 measure as a Word document (numbered once, audited)."""
    measure = get(session, actor=actor, measure_id=measure_id)
    kind = matrix(settings).kind(measure.kind)
    if kind.notice is None or measure.kind not in notices.BODIES:
        raise ValidationFailed(f"{kind.label}措施没有对应的文书")
    entity = session.get(Entity, measure.entity_id)
    assert entity is not None
    if measure.notice_no is None:
        measure.notice_no = f"{measure.region_code}〔{now.year}〕{kind.label}{measure.id:05d}号"
    authority = session.get(Region, measure.region_code)
    content = notices.notice_docx(
        title=kind.notice,
        notice_no=measure.notice_no,
        kind=measure.kind,
        business=entity.name,
        uscc=entity.uscc,
        reason=measure.reason,
        deadline=measure.deadline,
        issued_on=now.date(),
        authority=f"{authority.name if authority else measure.region_code}市场监督管理局",
    )
    session.flush()
    audit.record(
        session,
        actor=actor,
        event=NoticeGenerated(object_id=str(measure.id), notice_no=measure.notice_no),
    )
    return f"{kind.notice}-{measure.id}.docx", content
