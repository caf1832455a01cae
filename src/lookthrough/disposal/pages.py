"""Pages: measures (major risks first) with their moves and notices, and incident reports with
their timeline and receipts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError as PydanticValidationError
from starlette.responses import Response

from lookthrough.api.deps import SessionDep, SettingsDep
from lookthrough.core import clock
from lookthrough.core.errors import FORM_ERRORS
from lookthrough.disposal import incidents, proposals, rules, service
from lookthrough.disposal.risk_inputs import judged
from lookthrough.web.deps import PageActorDep
from lookthrough.web.templating import CHINA, render

router = APIRouter(include_in_schema=False)


def _measures(
    request: Request, actor: PageActorDep, db: SessionDep, settings: SettingsDep, *,
    error: str | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    rows = service.search(db, actor=actor, today=clock.today())
    return render(
        request,
        "disposal/measures.html",
        {"rows": rows, "matrix": service.matrix(settings), "states": rules.STATE_LABELS,
         "risk": rules.RISK_LABELS, "error": error},
        status_code=status_code,
    )  # fmt: skip


@router.get("/disposal")
def measures(
    request: Request, actor: PageActorDep, db: SessionDep, settings: SettingsDep
) -> Response:
    return _measures(request, actor, db, settings)


@router.post("/disposal/measures")
def open_measure(
    request: Request,
    actor: PageActorDep,
    db: SessionDep,
    settings: SettingsDep,
    entity_id: Annotated[int, Form()],
    probability: Annotated[int, Form(ge=1, le=4)],
    consequence: Annotated[int, Form(ge=1, le=4)],
    basis: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        with db.begin_nested():
            measure = service.open_measure(
                db, actor=actor, settings=settings, entity_id=entity_id,
                levels=judged(probability, consequence, basis), owner_id=None, now=clock.utcnow(),
            )  # fmt: skip
    except FORM_ERRORS as problem:
        return _measures(request, actor, db, settings, error=problem.message,
                         status_code=type(problem).status)  # fmt: skip
    return RedirectResponse(f"/disposal/measures/{measure.id}", status_code=303)


def _proposals(
    request: Request, actor: PageActorDep, db: SessionDep, settings: SettingsDep, *,
    error: str | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    rows = proposals.proposals(db, actor=actor, settings=settings)
    return render(
        request, "disposal/proposals.html",
        {"rows": rows, "risk": rules.RISK_LABELS, "limit": proposals.LIMIT, "error": error},
        status_code=status_code,
    )  # fmt: skip


@router.get("/disposal/proposals")
def proposal_list(
    request: Request, actor: PageActorDep, db: SessionDep, settings: SettingsDep
) -> Response:
    return _proposals(request, actor, db, settings)


@router.post("/disposal/proposals/assessments/{entity_id}")
def open_from_assessment(
    request: Request, entity_id: int, actor: PageActorDep, db: SessionDep, settings: SettingsDep
) -> Response:
    """One click: the measure proposed from the business's current assessment."""
    try:
        with db.begin_nested():
            measure = proposals.open_from_assessment(
                db, actor=actor, settings=settings, entity_id=entity_id, now=clock.utcnow()
            )
    except FORM_ERRORS as problem:
        return _proposals(request, actor, db, settings, error=problem.message,
                          status_code=type(problem).status)  # fmt: skip
    return RedirectResponse(f"/disposal/measures/{measure.id}", status_code=303)


@router.post("/disposal/proposals/alerts/{alert_id}")
def open_from_alert(
    request: Request, alert_id: int, actor: PageActorDep, db: SessionDep, settings: SettingsDep
) -> Response:
    """One click: the measure proposed from an early warning."""
    try:
        with db.begin_nested():
            measure = proposals.open_from_alert(
                db, actor=actor, settings=settings, alert_id=alert_id, now=clock.utcnow()
            )
    except FORM_ERRORS as problem:
        return _proposals(request, actor, db, settings, error=problem.message,
                          status_code=type(problem).status)  # fmt: skip
    return RedirectResponse(f"/disposal/measures/{measure.id}", status_code=303)


def _measure(
    request: Request, actor: PageActorDep, db: SessionDep, settings: SettingsDep, measure_id: int,
    *, error: str | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    measure = service.get(db, actor=actor, measure_id=measure_id)
    kind = service.matrix(settings).kinds[measure.kind]
    return render(
        request,
        "disposal/measure.html",
        {
            "m": measure, "kind": kind, "history": service.history(db, measure=measure),
            "states": rules.STATE_LABELS, "actions": rules.ACTION_LABELS, "risk": rules.RISK_LABELS,
            "possible": [a for a, (starts, _) in rules.TRANSITIONS.items()
                         if measure.state in starts and a != "escalate"],
            "outcomes": rules.OUTCOME_KINDS[measure.kind], "error": error,
            "overdue": measure.state in rules.OPEN_STATES and clock.today() > measure.deadline,
        },
        status_code=status_code,
    )  # fmt: skip


@router.get("/disposal/measures/{measure_id}")
def measure(
    request: Request, measure_id: int, actor: PageActorDep, db: SessionDep, settings: SettingsDep
) -> Response:
    return _measure(request, actor, db, settings, measure_id)


@router.post("/disposal/measures/{measure_id}/actions")
def act(
    request: Request,
    measure_id: int,
    actor: PageActorDep,
    db: SessionDep,
    settings: SettingsDep,
    action: Annotated[str, Form(max_length=20)],
    note: Annotated[str, Form(max_length=1000)] = "",
    outcome_kind: Annotated[str, Form(max_length=20)] = "",
    outcome_text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """One move; resolving writes the outcome as a record (承诺 content, or a check result)."""
    outcome = None
    if action == "resolve":
        outcome = {"kind": outcome_kind}
        if outcome_kind == "commitment":
            outcome["content"] = outcome_text
        elif outcome_kind == "inspection":
            outcome |= {"inspection_type": "整改复查", "result": outcome_text or "未发现问题"}
        elif outcome_kind == "penalty":
            outcome |= {"case_no": outcome_text, "violation": note or "见处置措施"}
    try:
        with db.begin_nested():
            service.act(
                db, actor=actor, measure_id=measure_id, action=action, note=note or None,
                outcome=outcome, now=clock.utcnow(),
            )  # fmt: skip
    except FORM_ERRORS as problem:
        return _measure(request, actor, db, settings, measure_id, error=problem.message,
                        status_code=type(problem).status)  # fmt: skip
    return RedirectResponse(f"/disposal/measures/{measure_id}", status_code=303)


def _incidents(
    request: Request, actor: PageActorDep, db: SessionDep, settings: SettingsDep, *,
    error: str | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    rows = incidents.search(db, actor=actor, settings=settings, now=clock.utcnow())
    return render(request, "disposal/incidents.html", {"rows": rows, "error": error},
                  status_code=status_code)  # fmt: skip


@router.get("/incidents")
def incident_list(
    request: Request, actor: PageActorDep, db: SessionDep, settings: SettingsDep
) -> Response:
    return _incidents(request, actor, db, settings)


def _local(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=CHINA)


@router.post("/incidents")
def report(
    request: Request,
    actor: PageActorDep,
    db: SessionDep,
    settings: SettingsDep,
    title: Annotated[str, Form(max_length=200)],
    incident_type: Annotated[str, Form(max_length=60)],
    region_code: Annotated[str, Form(max_length=12)],
    place: Annotated[str, Form(max_length=300)],
    occurred_at: Annotated[str, Form(max_length=30)],
    learned_at: Annotated[str, Form(max_length=30)],
    text: Annotated[str, Form(max_length=5000)],
    level: Annotated[str, Form(max_length=10)] = "一般",
    deaths: Annotated[int, Form(ge=0)] = 0,
    injuries: Annotated[int, Form(ge=0)] = 0,
) -> Response:
    try:
        form = incidents.IncidentIn(
            title=title, incident_type=incident_type, level=level, region_code=region_code,
            place=place, occurred_at=_local(occurred_at), learned_at=_local(learned_at),
            deaths=deaths, injuries=injuries, text=text,
        )  # fmt: skip
    except (PydanticValidationError, ValueError) as problem:
        return _incidents(request, actor, db, settings, status_code=422,
                          error=f"报告内容不完整或格式有误：{problem}")  # fmt: skip
    try:
        with db.begin_nested():
            made = incidents.report(
                db, actor=actor, settings=settings, form=form, now=clock.utcnow()
            )
    except FORM_ERRORS as problem:
        return _incidents(request, actor, db, settings, error=problem.message,
                          status_code=type(problem).status)  # fmt: skip
    return RedirectResponse(f"/incidents/{made.id}", status_code=303)


def _incident(
    request: Request, actor: PageActorDep, db: SessionDep, settings: SettingsDep, report_id: int,
    *, error: str | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    found = incidents.get(db, actor=actor, report_id=report_id)
    now = clock.utcnow()
    return render(
        request,
        "disposal/incident.html",
        {"r": found, "steps": incidents.timeline(db, report=found, settings=settings, now=now),
         "pending": incidents.pending_for(db, actor=actor, report=found), "error": error},
        status_code=status_code,
    )  # fmt: skip


@router.get("/incidents/{report_id}")
def incident(
    request: Request, report_id: int, actor: PageActorDep, db: SessionDep, settings: SettingsDep
) -> Response:
    return _incident(request, actor, db, settings, report_id)


@router.post("/incidents/{report_id}/updates")
def follow_up(
    request: Request,
    report_id: int,
    actor: PageActorDep,
    db: SessionDep,
    settings: SettingsDep,
    text: Annotated[str, Form(min_length=1, max_length=5000)],
    final: Annotated[bool, Form()] = False,
) -> Response:
    try:
        with db.begin_nested():
            incidents.follow_up(db, actor=actor, settings=settings, report_id=report_id,
                                text=text, final=final, now=clock.utcnow())  # fmt: skip
    except FORM_ERRORS as problem:
        return _incident(request, actor, db, settings, report_id, error=problem.message,
                         status_code=type(problem).status)  # fmt: skip
    return RedirectResponse(f"/incidents/{report_id}", status_code=303)


@router.post("/incidents/acks/{ack_id}")
def acknowledge(
    request: Request,
    ack_id: int,
    actor: PageActorDep,
    db: SessionDep,
    settings: SettingsDep,
    report_id: Annotated[int, Form()],
) -> Response:
    del request
    incidents.acknowledge(db, actor=actor, settings=settings, ack_id=ack_id, now=clock.utcnow())
    return RedirectResponse(f"/incidents/{report_id}", status_code=303)
