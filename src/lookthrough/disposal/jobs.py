"""Disposal's scheduled jobs (run by the one scheduler, ``lookthrough/scheduler.py``): overdue
measures escalate; overdue steps of quick incident reports are counted for the summary (the
pages already show them in red: there is nothing to write)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.disposal import incidents, service
from lookthrough.scheduler import Done, Every, Job

ESCALATE_MINUTES = 60  # deadlines are days: hourly is soon enough after midnight
INCIDENT_MINUTES = 10  # first reports are due within an hour of learning of the incident


def escalate(session: Session, actor: Actor, settings: Settings, now: datetime) -> Done:
    """逾期处置措施升级（见 ``service.escalate_overdue``）。"""
    done = service.escalate_overdue(session, actor=actor, settings=settings, now=now)
    upward = sum(1 for e in done if e.new.region_code != e.old.region_code)
    return Done(
        f"升级逾期处置措施 {len(done)} 项" + (f"，其中移交上一级 {upward} 项" if upward else ""),
        {"escalated": len(done), "upward": upward,
         "items": [{"from": e.old.id, "to": e.new.id, "kind": e.new.kind} for e in done]},
    )  # fmt: skip


def incidents_overdue(session: Session, actor: Actor, settings: Settings, now: datetime) -> Done:
    """早报快报逾期：首报、续报或逐级确认已过时限仍未完成的步骤。"""
    late: dict[int, int] = {}
    for found in incidents.search(session, actor=actor, settings=settings, now=now):
        if not found.overdue:  # no step was ever late: nothing can be late and open
            continue
        steps = incidents.timeline(session, report=found.report, settings=settings, now=now)
        still_open = sum(1 for s in steps if s.overdue and s.done is None)
        if still_open:
            late[found.report.id] = still_open
    return Done(
        f"早报快报有逾期未完成步骤的事故 {len(late)} 起，逾期步骤 {sum(late.values())} 个",
        {"reports": len(late), "steps": sum(late.values()), "report_ids": sorted(late)},
    )


JOBS = (
    Job("disposal.escalate", "逾期处置措施升级", escalate, lambda s: Every(ESCALATE_MINUTES)),
    Job(
        "disposal.incidents_overdue",
        "早报快报逾期检查",
        incidents_overdue,
        lambda s: Every(INCIDENT_MINUTES),
    ),
)
