"""Quick incident reports (早报快报): report, follow up, acknowledge level by level, timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import IncidentAcknowledged, IncidentReported
from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.core.errors import InvalidTransition, NotFound, PermissionDenied
from lookthrough.core.roles import Capability
from lookthrough.core.scope import ensure_region, region_prefix_clause, require
from lookthrough.disposal import rules
from lookthrough.disposal.models import IncidentAck, IncidentReport, IncidentUpdate
from lookthrough.records import service as records_service
from lookthrough.registry.models import Entity

SOURCE = "incident_report"


class IncidentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    title: str = Field(min_length=1, max_length=200, description="事件名称")
    incident_type: str = Field(min_length=1, max_length=60, description="事件类型")
    level: Literal["一般", "较大", "重大", "特别重大"] = Field("一般", description="事件等级")
    region_code: str = Field(pattern=r"^\d{6,12}$", description="发生地区划（县级及以下）")
    place: str = Field(min_length=1, max_length=300, description="发生地点")
    occurred_at: datetime = Field(description="发生时间")
    learned_at: datetime = Field(description="获知时间")
    deaths: int = Field(0, ge=0, description="死亡人数")
    injuries: int = Field(0, ge=0, description="受伤人数")
    entity_id: int | None = Field(None, description="涉事经营主体")
    text: str = Field(min_length=1, max_length=5000, description="首报内容")


def _levels_above(region: str) -> list[tuple[str, str]]:
    """Who acknowledges a report from ``region``: its city, then the province."""
    found = []
    if len(region) > 4:
        found.append(("city", region[:4]))
    found.append(("province", region[:2]))
    return found


def report(
    session: Session, *, actor: Actor, settings: Settings, form: IncidentIn, now: datetime
) -> IncidentReport:
    """Send the first report up; it also becomes an ``incident`` record of the business file."""
    require(actor, Capability.DISPOSE)
    ensure_region(actor, form.region_code)
    if form.learned_at < form.occurred_at or form.learned_at > now:
        raise InvalidTransition("获知时间须晚于发生时间、且不晚于现在")
    entity = None
    if form.entity_id is not None:
        entity = session.get(Entity, form.entity_id)
        if entity is None or not entity.region_code.startswith(actor.region):
            raise NotFound("经营主体不存在或不在您的管辖范围内")
    incident = IncidentReport(
        region_code=form.region_code, entity_id=form.entity_id, title=form.title,
        incident_type=form.incident_type, level=form.level, occurred_at=form.occurred_at,
        learned_at=form.learned_at, place=form.place, deaths=form.deaths,
        injuries=form.injuries, status="open", created_by=actor.username, created_at=now,
    )  # fmt: skip
    session.add(incident)
    session.flush()
    due = rules.first_report_due(form.learned_at, settings.incident_first_report_minutes)
    update = _send(session, actor, settings, incident, "first", form.text, due, now)
    record = records_service.append(
        session,
        actor=actor,
        source=SOURCE,
        new=records_service.NewRecord(
            kind="incident",
            region_code=form.region_code,
            entity_id=entity.id if entity else None,
            occurred_at=form.occurred_at,
            title=f"事故：{form.title}",
            payload={
                "incident_type": form.incident_type,
                "description": form.text,
                "deaths": form.deaths,
                "injuries": form.injuries,
                "level": form.level,
            },
            source_key=f"incident:{incident.id}",
        ),
        now=now,
    )
    incident.record_id = record.id
    audit.record(
        session,
        actor=actor,
        event=IncidentReported(
            object_id=str(incident.id), update_kind="first", update_id=update.id
        ),
    )
    return incident


def _send(
    session: Session, actor: Actor, settings: Settings, incident: IncidentReport, kind: str,
    text: str, due: datetime, now: datetime,
) -> IncidentUpdate:  # fmt: skip
    update = IncidentUpdate(
        report_id=incident.id, kind=kind, text=text, due_at=due, submitted_at=now,
        submitted_by=actor.username,
    )  # fmt: skip
    session.add(update)
    session.flush()
    for n, (level, region) in enumerate(_levels_above(incident.region_code)):
        session.add(
            IncidentAck(
                update_id=update.id, level=level, region_code=region,
                due_at=rules.ack_due(now, settings.incident_ack_minutes) if n == 0 else None,
            )
        )  # fmt: skip
    session.flush()
    return update


def get(session: Session, *, actor: Actor, report_id: int) -> IncidentReport:
    """A report the actor may see: from their region or below (a city sees its counties')."""
    require(actor, Capability.DISPOSE)
    found = session.scalar(
        select(IncidentReport).where(
            IncidentReport.id == report_id,
            region_prefix_clause(IncidentReport.region_code, actor.region),
        )
    )
    if found is None:
        raise NotFound("事故报告不存在或不在您的管辖范围内")
    return found


def follow_up(
    session: Session, *, actor: Actor, settings: Settings, report_id: int, text: str,
    final: bool, now: datetime,
) -> IncidentUpdate:  # fmt: skip
    """A follow-up (续报) or the final report (终报), due the configured hours after the last."""
    incident = get(session, actor=actor, report_id=report_id)
    ensure_region(actor, incident.region_code)
    if incident.status != "open":
        raise InvalidTransition("该事件已终报，不能再续报")
    last = session.scalar(
        select(IncidentUpdate.submitted_at)
        .where(IncidentUpdate.report_id == incident.id)
        .order_by(IncidentUpdate.id.desc())
        .limit(1)
    )
    assert last is not None
    due = rules.next_followup_due(last, settings.incident_followup_hours)
    update = _send(
        session, actor, settings, incident, "final" if final else "followup", text, due, now
    )
    if final:
        incident.status = "closed"
    audit.record(
        session,
        actor=actor,
        event=IncidentReported(
            object_id=str(incident.id), update_kind=update.kind, update_id=update.id
        ),
    )
    return update


def acknowledge(
    session: Session, *, actor: Actor, settings: Settings, ack_id: int, now: datetime
) -> IncidentAck:
    """The city, then the province, confirm receipt; the level above's clock starts then."""
    require(actor, Capability.DISPOSE)
    ack = session.get(IncidentAck, ack_id)
    update = session.get(IncidentUpdate, ack.update_id) if ack else None
    if ack is None or update is None:
        raise NotFound("待确认的报告不存在")
    if actor.jurisdiction != ack.region_code:
        # Only the level named may confirm; nothing about the report is read first.
        raise PermissionDenied(f"须由{rules.LEVEL_LABELS[ack.level]}（{ack.region_code}）确认")
    incident = get(session, actor=actor, report_id=update.report_id)
    if ack.acknowledged_at is not None:
        raise InvalidTransition("该报告已确认")
    earlier = session.scalars(
        select(IncidentAck).where(IncidentAck.update_id == update.id, IncidentAck.id < ack.id)
    ).all()
    if any(a.acknowledged_at is None for a in earlier):
        raise InvalidTransition("须先由下一级确认后再逐级上报")
    ack.acknowledged_at, ack.acknowledged_by = now, actor.username
    after = session.scalar(
        select(IncidentAck).where(IncidentAck.update_id == update.id, IncidentAck.id > ack.id)
        .order_by(IncidentAck.id).limit(1)
    )  # fmt: skip
    if after is not None:
        after.due_at = rules.ack_due(now, settings.incident_ack_minutes)
    session.flush()
    audit.record(
        session,
        actor=actor,
        event=IncidentAcknowledged(
            object_id=str(incident.id), update_id=update.id, level=ack.level
        ),
    )
    return ack


@dataclass(frozen=True, slots=True)
class Summary:
    report: IncidentReport
    overdue: int  # steps past their deadline


def search(
    session: Session, *, actor: Actor, settings: Settings, now: datetime
) -> Sequence[Summary]:
    require(actor, Capability.DISPOSE)
    reports = session.scalars(
        select(IncidentReport)
        .where(region_prefix_clause(IncidentReport.region_code, actor.region))
        .order_by(IncidentReport.occurred_at.desc())
    ).all()
    return [
        Summary(r, sum(s.overdue for s in timeline(session, report=r, settings=settings, now=now)))
        for r in reports
    ]


@dataclass(frozen=True, slots=True)
class PendingAck:
    ack: IncidentAck
    label: str


def timeline(
    session: Session, *, report: IncidentReport, settings: Settings, now: datetime
) -> list[rules.Step]:
    """Every step of the incident: occurred, learned, each report and each level's receipt,
    and the next follow-up due while it is open — each with its deadline and whether late."""
    steps = [
        rules.Step("事件发生", None, report.occurred_at, False),
        rules.Step("获知事件", None, report.learned_at, False),
    ]
    updates = _updates(session, report.id)
    for update in updates:
        label = rules.UPDATE_LABELS[update.kind]
        steps.append(
            rules.Step(
                f"{label}（县级报送）", update.due_at, update.submitted_at,
                rules.is_overdue(update.due_at, update.submitted_at, now), update.submitted_by,
            )
        )  # fmt: skip
        for ack in acks(session, update_id=update.id):
            steps.append(
                rules.Step(
                    f"{label}：{rules.LEVEL_LABELS[ack.level]}确认", ack.due_at,
                    ack.acknowledged_at, rules.is_overdue(ack.due_at, ack.acknowledged_at, now),
                    ack.acknowledged_by,
                )
            )  # fmt: skip
    if report.status == "open" and updates:
        due = rules.next_followup_due(updates[-1].submitted_at, settings.incident_followup_hours)
        steps.append(rules.Step("下一次续报", due, None, rules.is_overdue(due, None, now)))
    return steps


def _updates(session: Session, report_id: int) -> Sequence[IncidentUpdate]:
    return session.scalars(
        select(IncidentUpdate)
        .where(IncidentUpdate.report_id == report_id)
        .order_by(IncidentUpdate.id)
    ).all()


def acks(session: Session, *, update_id: int) -> Sequence[IncidentAck]:
    return session.scalars(
        select(IncidentAck).where(IncidentAck.update_id == update_id).order_by(IncidentAck.id)
    ).all()


def pending_for(session: Session, *, actor: Actor, report: IncidentReport) -> list[PendingAck]:
    """The receipts this actor's level may confirm now on this report."""
    found: list[PendingAck] = []
    updates = _updates(session, report.id)
    for update in updates:
        chain = acks(session, update_id=update.id)
        for n, ack in enumerate(chain):
            ready = all(a.acknowledged_at is not None for a in chain[:n])
            if ack.acknowledged_at is None and ready and ack.region_code == actor.jurisdiction:
                found.append(PendingAck(ack, f"{rules.UPDATE_LABELS[update.kind]}"))
    return found
