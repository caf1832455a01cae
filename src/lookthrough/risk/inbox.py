"""The early-warning inbox (预警): alerts in the actor's region, and the moves that work them
(acknowledge, assign, close) — a state machine that refuses illegal moves (409)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lookthrough.accounts.models import User
from lookthrough.audit import service as audit
from lookthrough.audit.events import AlertChanged
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.errors import InvalidTransition, NotFound, ValidationFailed
from lookthrough.core.roles import OFFICIALS, Capability
from lookthrough.core.scope import region_prefix_clause, require
from lookthrough.registry.models import Entity
from lookthrough.risk import rules
from lookthrough.risk.models import Alert


@dataclass(frozen=True, slots=True)
class AlertView:
    id: int
    kind: str
    kind_label: str
    entity_id: int
    entity_name: str
    region_code: str
    indicator_code: str | None
    level: int
    level_label: str
    colour: str
    title: str
    detail: dict[str, Any]
    raised_at: datetime
    state: str
    state_label: str
    assignee: str | None
    note: str | None
    actions: list[str]
    link: str | None = None  # the task an alert from another domain is about


def _view(alert: Alert, name: str, assignee: str | None) -> AlertView:
    return AlertView(
        id=alert.id,
        kind=alert.kind,
        kind_label=rules.ALERT_KINDS[alert.kind],
        entity_id=alert.entity_id,
        entity_name=name,
        region_code=alert.region_code,
        indicator_code=alert.indicator_code,
        level=alert.level,
        level_label=rules.level_label(alert.level),
        colour=rules.LEVEL_CSS[alert.level],
        title=alert.title,
        detail=alert.detail,
        raised_at=alert.raised_at,
        state=alert.state,
        state_label=rules.ALERT_STATES[alert.state],
        assignee=assignee,
        note=alert.note,
        actions=[a for a in rules.ALERT_ACTIONS if rules.next_state(alert.state, a)],
        link=rules.alert_link(alert.kind, alert.detail or {}),
    )


def _scoped(actor: Actor) -> Any:
    return region_prefix_clause(Alert.region_code, actor.region)


def search(
    session: Session,
    *,
    actor: Actor,
    state: str | None = None,
    kind: str | None = None,
    region: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AlertView], int]:
    """Alerts in the actor's region (newest first), optionally by state, kind and sub-region."""
    require(actor, Capability.READ_BUSINESS)
    stmt = select(Alert, Entity.name, User.display_name).join(Entity, Entity.id == Alert.entity_id)
    stmt = stmt.outerjoin(User, User.id == Alert.assignee_id).where(_scoped(actor))
    if state:
        stmt = stmt.where(Alert.state == state)
    if kind:
        stmt = stmt.where(Alert.kind == kind)
    if region:
        stmt = stmt.where(region_prefix_clause(Alert.region_code, region))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.order_by(Alert.level, Alert.raised_at.desc(), Alert.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [_view(a, n, u) for a, n, u in rows], int(total)


def _get(session: Session, actor: Actor, alert_id: int) -> Alert:
    alert = session.scalar(select(Alert).where(Alert.id == alert_id, _scoped(actor)))
    if alert is None:
        raise NotFound("预警不存在或不在您的管辖范围内")
    return alert


def get(session: Session, *, actor: Actor, alert_id: int) -> AlertView:
    require(actor, Capability.READ_BUSINESS)
    alert = _get(session, actor, alert_id)
    name = session.scalar(select(Entity.name).where(Entity.id == alert.entity_id)) or ""
    assignee = (
        session.scalar(select(User.display_name).where(User.id == alert.assignee_id))
        if alert.assignee_id
        else None
    )
    return _view(alert, name, assignee)


def assignees(session: Session, *, actor: Actor, alert_id: int) -> Sequence[User]:
    """Officials who may take the alert: responsible for its region, within the actor's reach."""
    require(actor, Capability.HANDLE_ALERTS)
    alert = _get(session, actor, alert_id)
    users = session.scalars(
        select(User)
        .where(
            User.is_active.is_(True),
            User.role.in_([r.value for r in OFFICIALS]),
            region_prefix_clause(User.region_code, actor.jurisdiction),
        )
        .order_by(User.region_code, User.username)
    ).all()
    return [u for u in users if alert.region_code.startswith(u.region_code)]


def move(
    session: Session,
    *,
    actor: Actor,
    alert_id: int,
    action: str,
    assignee_id: int | None = None,
    note: str | None = None,
) -> AlertView:
    """Acknowledge, assign or close an alert; an illegal move for its state is refused (409)."""
    require(actor, Capability.HANDLE_ALERTS)
    alert = _get(session, actor, alert_id)
    if action not in rules.ALERT_ACTIONS:
        raise ValidationFailed(f"未知的操作“{action}”")
    target = rules.next_state(alert.state, action)
    if target is None:
        raise InvalidTransition(
            f"预警当前为“{rules.ALERT_STATES[alert.state]}”，不能{rules.ALERT_ACTIONS[action]}",
            state=alert.state,
            action=action,
        )
    before = {"state": alert.state, "assignee_id": alert.assignee_id, "note": alert.note}
    if action == "assign":
        allowed = {u.id for u in assignees(session, actor=actor, alert_id=alert_id)}
        if assignee_id is None or assignee_id not in allowed:
            raise ValidationFailed("请选择负责该预警所在区域的执法或监管人员")
        alert.assignee_id = assignee_id
    if action == "close":
        if not note or not note.strip():
            raise ValidationFailed("办结须填写处置情况")
        alert.note = note.strip()[:500]
    alert.state = target
    alert.updated_at = clock.utcnow()
    alert.updated_by = actor.username
    session.flush()
    audit.record(
        session,
        actor=actor,
        event=AlertChanged(
            object_id=str(alert.id),
            before=before,
            after={"state": alert.state, "assignee_id": alert.assignee_id, "note": alert.note},
        ),
    )
    return get(session, actor=actor, alert_id=alert_id)


def counts_by_state(session: Session, *, actor: Actor) -> dict[str, int]:
    require(actor, Capability.READ_BUSINESS)
    rows = session.execute(
        select(Alert.state, func.count()).where(_scoped(actor)).group_by(Alert.state)
    ).all()
    found = {str(s): int(n) for s, n in rows}
    return {state: found.get(state, 0) for state in rules.ALERT_STATES}
