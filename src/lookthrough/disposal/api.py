"""Disposal routes (JSON): the matrix, measures and their moves, notices, escalation, and
quick incident reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from lookthrough.api.deps import ActorDep, SessionDep, SettingsDep
from lookthrough.api.errors import signed_in
from lookthrough.core import clock
from lookthrough.core.errors import Conflict, InvalidTransition, NotFound
from lookthrough.core.roles import Capability
from lookthrough.core.scope import require
from lookthrough.disposal import incidents, notices, proposals, rules, service
from lookthrough.disposal.models import IncidentReport, Measure
from lookthrough.disposal.risk_inputs import judged
from lookthrough.inspection.exports import attachment

router = APIRouter(tags=["disposal 分级处置与早报快报"])


class MeasureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entity_id: int
    probability: int = Field(ge=1, le=4, description="可能性等级（1 最低）")
    consequence: int = Field(ge=1, le=4, description="后果等级（1 最低）")
    basis: str = Field("", max_length=1000, description="研判依据")
    kind: Literal["reminder", "warning", "interview", "inspection", "case"] | None = None
    owner_id: int | None = None


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["issue", "acknowledge", "resolve", "cancel"]
    note: str | None = Field(None, max_length=1000)
    outcome: dict[str, Any] | None = Field(
        None, description="办结结果：kind 为记录类别，其余为其内容"
    )


class FollowUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=5000)
    final: bool = False


class EscalateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    now: datetime | None = Field(None, description="按此时刻判断逾期（默认现在）")


def measure_out(m: Measure, *, overdue: bool | None = None) -> dict[str, Any]:
    return {
        "id": m.id, "entity_id": m.entity_id, "region_code": m.region_code, "kind": m.kind,
        "state": m.state, "probability": m.probability, "consequence": m.consequence,
        "risk_level": m.risk_level, "reason": m.reason, "source": m.source,
        "source_ref": m.source_ref,
        "deadline": m.deadline.isoformat(), "owner_id": m.owner_id, "previous_id": m.previous_id,
        "outcome_record_id": m.outcome_record_id, "notice_no": m.notice_no, "overdue": overdue,
    }  # fmt: skip


@router.get("/disposal/matrix", responses=signed_in())
def get_matrix(actor: ActorDep, settings: SettingsDep) -> dict[str, Any]:
    require(actor, Capability.DISPOSE)
    grid = service.matrix(settings)
    return {
        "probability": grid.probability, "consequence": grid.consequence, "risk": grid.risk,
        "measure": grid.measure,
        "measures": {k: {"label": v.label, "days": v.days, "next": v.next, "notice": v.notice}
                     for k, v in grid.kinds.items()},
        "transitions": {a: {"from": sorted(s), "to": e} for a, (s, e) in rules.TRANSITIONS.items()},
    }  # fmt: skip


@router.get("/disposal/measures", responses=signed_in())
def list_measures(actor: ActorDep, db: SessionDep, state: str | None = None) -> dict[str, Any]:
    rows = service.search(db, actor=actor, state=state, today=clock.today())
    return {
        "total": len(rows),
        "items": [
            measure_out(r.measure, overdue=r.overdue) | {"business": r.entity_name} for r in rows
        ],
    }


@router.post("/disposal/measures", status_code=201, responses=signed_in(NotFound))
def open_measure(
    body: MeasureIn, actor: ActorDep, db: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """Open a measure with the levels an official judged; the matrix proposes the measure."""
    measure = service.open_measure(
        db, actor=actor, settings=settings, entity_id=body.entity_id,
        levels=judged(body.probability, body.consequence, body.basis), owner_id=body.owner_id,
        kind=body.kind, now=clock.utcnow(),
    )  # fmt: skip
    return measure_out(measure)


def proposal_out(p: proposals.Proposal) -> dict[str, Any]:
    return {
        "entity_id": p.entity_id, "business": p.entity_name, "region_code": p.region_code,
        "source": p.source, "alert_id": p.alert_id, "source_ref": p.levels.source_ref,
        "title": p.title, "probability": p.levels.probability,
        "consequence": p.levels.consequence, "risk_level": p.risk_level, "kind": p.kind,
        "kind_label": p.kind_label, "reason": p.reason,
    }  # fmt: skip


@router.get("/disposal/proposals", responses=signed_in())
def list_proposals(actor: ActorDep, db: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """处置建议: a measure per business from its current assessment or open alert, proposed by
    the matrix, major risks first (businesses with a measure under way are left out)."""
    rows = proposals.proposals(db, actor=actor, settings=settings)
    return {"total": len(rows), "items": [proposal_out(p) for p in rows]}


@router.post(
    "/disposal/proposals/assessments/{entity_id}",
    status_code=201,
    responses=signed_in(NotFound, Conflict),
)
def open_from_assessment(
    entity_id: int, actor: ActorDep, db: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """Open the measure proposed from the business's current assessment."""
    measure = proposals.open_from_assessment(
        db, actor=actor, settings=settings, entity_id=entity_id, now=clock.utcnow()
    )
    return measure_out(measure)


@router.post(
    "/disposal/proposals/alerts/{alert_id}",
    status_code=201,
    responses=signed_in(NotFound, Conflict),
)
def open_from_alert(
    alert_id: int, actor: ActorDep, db: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """Open the measure proposed from an early warning."""
    measure = proposals.open_from_alert(
        db, actor=actor, settings=settings, alert_id=alert_id, now=clock.utcnow()
    )
    return measure_out(measure)


@router.get("/disposal/measures/{measure_id}", responses=signed_in(NotFound))
def get_measure(measure_id: int, actor: ActorDep, db: SessionDep) -> dict[str, Any]:
    measure = service.get(db, actor=actor, measure_id=measure_id)
    return measure_out(measure) | {
        "history": [
            {"at": e.at.isoformat(), "action": e.action, "from": e.from_state, "to": e.to_state,
             "actor": e.actor, "note": e.note}
            for e in service.history(db, measure=measure)
        ]
    }  # fmt: skip


@router.post(
    "/disposal/measures/{measure_id}/actions", responses=signed_in(NotFound, InvalidTransition)
)
def act(measure_id: int, body: ActionIn, actor: ActorDep, db: SessionDep) -> dict[str, Any]:
    """Move a measure; an illegal move answers 409."""
    measure = service.act(
        db, actor=actor, measure_id=measure_id, action=body.action, note=body.note,
        outcome=body.outcome, now=clock.utcnow(),
    )  # fmt: skip
    return measure_out(measure)


@router.get("/disposal/measures/{measure_id}/notice.docx", responses=signed_in(NotFound))
def notice(measure_id: int, actor: ActorDep, db: SessionDep, settings: SettingsDep) -> Response:
    """提醒函 / 警示函 / 约谈通知书 as Word."""
    name, content = service.notice(
        db, actor=actor, settings=settings, measure_id=measure_id, now=clock.utcnow()
    )
    return Response(content, media_type=notices.DOCX_MEDIA_TYPE, headers=attachment(name))


@router.post("/disposal/escalations", responses=signed_in())
def escalate(
    body: EscalateIn, actor: ActorDep, db: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """Escalate every overdue measure in scope (what `lookthrough disposal escalate` does)."""
    done = service.escalate_overdue(
        db, actor=actor, settings=settings, now=body.now or clock.utcnow()
    )
    return {
        "escalated": len(done),
        "items": [{"from": e.old.id, "to": e.new.id, "region_code": e.new.region_code,
                   "kind": e.new.kind, "reason": e.reason} for e in done],
    }  # fmt: skip


def report_out(r: IncidentReport) -> dict[str, Any]:
    return {
        "id": r.id, "title": r.title, "incident_type": r.incident_type, "level": r.level,
        "region_code": r.region_code, "place": r.place, "occurred_at": r.occurred_at.isoformat(),
        "learned_at": r.learned_at.isoformat(), "deaths": r.deaths, "injuries": r.injuries,
        "status": r.status, "record_id": r.record_id,
    }  # fmt: skip


@router.get("/incidents", responses=signed_in())
def list_incidents(actor: ActorDep, db: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    rows = incidents.search(db, actor=actor, settings=settings, now=clock.utcnow())
    return {
        "total": len(rows),
        "items": [report_out(s.report) | {"overdue_steps": s.overdue} for s in rows],
    }


@router.post("/incidents", status_code=201, responses=signed_in(NotFound, InvalidTransition))
def report(
    body: incidents.IncidentIn, actor: ActorDep, db: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """The first report (首报) of an incident; it travels up for each level to acknowledge."""
    return report_out(
        incidents.report(db, actor=actor, settings=settings, form=body, now=clock.utcnow())
    )


@router.get("/incidents/{report_id}", responses=signed_in(NotFound))
def get_incident(
    report_id: int, actor: ActorDep, db: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    found = incidents.get(db, actor=actor, report_id=report_id)
    steps = incidents.timeline(db, report=found, settings=settings, now=clock.utcnow())
    return report_out(found) | {
        "timeline": [
            {"label": s.label, "due": s.due.isoformat() if s.due else None,
             "done": s.done.isoformat() if s.done else None, "overdue": s.overdue, "by": s.by}
            for s in steps
        ],
        "pending_acks": [p.ack.id for p in incidents.pending_for(db, actor=actor, report=found)],
    }  # fmt: skip


@router.post(
    "/incidents/{report_id}/updates",
    status_code=201,
    responses=signed_in(NotFound, InvalidTransition),
)
def follow_up(
    report_id: int, body: FollowUpIn, actor: ActorDep, db: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """A follow-up (续报) or, with ``final``, the final report (终报)."""
    update = incidents.follow_up(
        db, actor=actor, settings=settings, report_id=report_id, text=body.text,
        final=body.final, now=clock.utcnow(),
    )  # fmt: skip
    return {"id": update.id, "kind": update.kind, "due_at": update.due_at.isoformat()}


@router.post("/incidents/acks/{ack_id}", responses=signed_in(NotFound, InvalidTransition))
def acknowledge(
    ack_id: int, actor: ActorDep, db: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """Confirm receipt at this level (city, then province)."""
    ack = incidents.acknowledge(
        db, actor=actor, settings=settings, ack_id=ack_id, now=clock.utcnow()
    )
    return {
        "id": ack.id,
        "level": ack.level,
        "acknowledged_at": ack.acknowledged_at.isoformat() if ack.acknowledged_at else None,
    }
