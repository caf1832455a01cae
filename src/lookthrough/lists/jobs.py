"""The lists' scheduled job (run by the one scheduler, ``lookthrough/scheduler.py``): every
overdue rectification task raises its alert in the risk domain's inbox, once per deadline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.lists.overdue import raise_overdue_alerts
from lookthrough.scheduler import Daily, Done, Job

OVERDUE_HOUR = 1  # deadlines are days: just after midnight, China time


def overdue(session: Session, actor: Actor, settings: Settings, now: datetime) -> Done:
    """逾期整改任务预警（见 ``overdue.raise_overdue_alerts``，每个任务每个期限只预警一次）。"""
    del settings
    raised = raise_overdue_alerts(session, actor=actor, now=now)
    return Done(f"逾期整改任务新发预警 {raised} 条", {"alerts": raised})


JOBS = (Job("lists.overdue", "逾期整改任务预警", overdue, lambda s: Daily(OVERDUE_HOUR)),)
