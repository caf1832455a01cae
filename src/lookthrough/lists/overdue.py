"""超期整改预警: every rectification task past its deadline with a business not yet verified
raises one early warning through the risk domain's alerts, routed to the task's region and shown
in the alert inbox with a link to the task.

A daily job calls ``raise_overdue_alerts`` as a system actor; running it again raises nothing new
for a task already warned of (the warning is keyed by the task and its deadline, so only a new,
missed deadline warns again).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import OverdueAlertsRaised
from lookthrough.core.actor import Actor
from lookthrough.core.roles import Capability
from lookthrough.core.scope import require
from lookthrough.lists import rules
from lookthrough.lists.models import Rectification, RectificationTarget
from lookthrough.lists.tasks import target_scope, task_scope
from lookthrough.risk import service as risk_service

CHINA = ZoneInfo("Asia/Shanghai")
KIND = "rectify_overdue"


def dedup_key(task_id: int, deadline: object) -> str:
    return f"{KIND}:{task_id}:{deadline}"


def raise_overdue_alerts(session: Session, *, actor: Actor, now: datetime) -> int:
    """Raise one alert per overdue task in the actor's region not warned of yet; returns how
    many were raised. The caller commits."""
    require(actor, Capability.MANAGE_LISTS)
    today = now.astimezone(CHINA).date()
    # One pass over the tasks: per overdue task, its businesses not yet done and the first of
    # them (the business the alert is filed under: an alert is about one business).
    rows = session.execute(
        select(
            Rectification.id,
            Rectification.title,
            Rectification.region_code,
            Rectification.deadline,
            func.count(RectificationTarget.id),
            func.min(RectificationTarget.entity_id),
        )
        .join(RectificationTarget, RectificationTarget.rectification_id == Rectification.id)
        .where(
            task_scope(actor),
            target_scope(actor),
            Rectification.deadline < today,
            RectificationTarget.state.not_in(rules.DONE_STATES),
        )
        .group_by(
            Rectification.id, Rectification.title, Rectification.region_code,
            Rectification.deadline,
        )
        .order_by(Rectification.id)
    ).all()  # fmt: skip
    wanted = []
    for task_id, title, region_code, deadline, open_targets, first in rows:
        days = rules.days_overdue(deadline, today)
        wanted.append(
            risk_service.AlertIn(
                kind=KIND,
                entity_id=int(first),
                region_code=str(region_code),
                level=rules.overdue_alert_level(days),
                title=rules.overdue_alert_title(str(title), days, int(open_targets)),
                detail={
                    "task_id": int(task_id),
                    "deadline": deadline.isoformat(),
                    "days_overdue": days,
                    "open_targets": int(open_targets),
                },
                dedup_key=dedup_key(task_id, deadline.isoformat()),
            )
        )
    raised = risk_service.raise_alerts(session, actor=actor, alerts=wanted, now=now)
    if raised:
        audit.record(
            session,
            actor=actor,
            event=OverdueAlertsRaised(
                object_id=actor.region,
                alerts=len(raised),
                first_alert_id=raised[0],
                last_alert_id=raised[-1],
            ),
        )
    return len(raised)
