"""Risk pages: the risk dashboard, the early-warning inbox, the indicator library and editor."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData
from starlette.responses import Response

from lookthrough.api.deps import SessionDep
from lookthrough.core.errors import FORM_ERRORS
from lookthrough.core.roles import Capability
from lookthrough.core.scope import require
from lookthrough.engine.definitions import (
    AGGREGATION_LABELS,
    OPERATOR_LABELS,
    TRANSFORM_LABELS,
    IndicatorSpec,
    payload_fields,
)
from lookthrough.records.service import KIND_LABELS
from lookthrough.regions import service as regions_service
from lookthrough.risk import dashboard, inbox, indicators, rules
from lookthrough.risk.fields import FIELD_LABELS
from lookthrough.risk.forms import definition_from_form, form_from_definition
from lookthrough.web.deps import PageActorDep
from lookthrough.web.templating import render, templates

# A model's probability as officials read it (>99%, not a flat 100%).
templates.env.filters["percent"] = rules.percent

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 30


@router.get("/risk")
def risk_home(
    request: Request, actor: PageActorDep, db: SessionDep, region: str | None = None
) -> Response:
    code = region or actor.region
    stats = dashboard.risk_map(db, actor=actor, region=code, metric="high")
    top, total = dashboard.top_risks(db, actor=actor, region=code, limit=15)
    kids = regions_service.children(db, code)
    fields = dashboard.distribution(db, actor=actor, region=code)
    points = dashboard.trend(db, actor=actor, region=code)
    return render(
        request,
        "risk/dashboard.html",
        {
            "stats": stats,
            "region": code,
            "fields": fields,
            "trend": points,
            "fields_json": json.dumps(
                [{"label": f.label, "levels": f.levels} for f in fields], ensure_ascii=False
            ),
            "trend_json": json.dumps(
                [{"as_of": p.as_of.isoformat(), "levels": p.levels} for p in points]
            ),
            "top": top,
            "top_total": total,
            "children": kids,
            "levels": rules.LEVELS,
            "level_css": rules.LEVEL_CSS,
            "states": inbox.counts_by_state(db, actor=actor),
        },
    )


@router.get("/risk/alerts")
def alerts_page(
    request: Request,
    actor: PageActorDep,
    db: SessionDep,
    state: str | None = "open",
    page: int = 1,
) -> Response:
    page = max(page, 1)
    chosen = state if state in rules.ALERT_STATES else None
    rows, total = inbox.search(
        db, actor=actor, state=chosen, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    return render(
        request,
        "risk/alerts.html",
        {
            "rows": rows,
            "total": total,
            "state": chosen or "",
            "states": rules.ALERT_STATES,
            "counts": inbox.counts_by_state(db, actor=actor),
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
        },
    )


def _alert_page(
    request: Request,
    actor: Any,
    db: Any,
    alert_id: int,
    error: str | None = None,
    status: int = 200,
) -> Response:
    view = inbox.get(db, actor=actor, alert_id=alert_id)
    people = inbox.assignees(db, actor=actor, alert_id=alert_id) if "assign" in view.actions else []
    return render(
        request,
        "risk/alert.html",
        {"alert": view, "people": people, "error": error, "actions": rules.ALERT_ACTIONS},
        status_code=status,
    )


@router.get("/risk/alerts/{alert_id}")
def alert_page(request: Request, alert_id: int, actor: PageActorDep, db: SessionDep) -> Response:
    return _alert_page(request, actor, db, alert_id)


@router.post("/risk/alerts/{alert_id}/acknowledge")
async def alert_acknowledge(
    request: Request, alert_id: int, actor: PageActorDep, db: SessionDep
) -> Response:
    return await _move(request, alert_id, "acknowledge", actor, db)


@router.post("/risk/alerts/{alert_id}/assign")
async def alert_assign(
    request: Request, alert_id: int, actor: PageActorDep, db: SessionDep
) -> Response:
    return await _move(request, alert_id, "assign", actor, db)


@router.post("/risk/alerts/{alert_id}/close")
async def alert_close(
    request: Request, alert_id: int, actor: PageActorDep, db: SessionDep
) -> Response:
    return await _move(request, alert_id, "close", actor, db)


async def _move(request: Request, alert_id: int, action: str, actor: Any, db: Any) -> Response:
    form = await request.form()
    assignee = str(form.get("assignee_id") or "")
    try:
        inbox.move(
            db,
            actor=actor,
            alert_id=alert_id,
            action=action,
            assignee_id=int(assignee) if assignee.isdigit() else None,
            note=str(form.get("note") or "") or None,
        )
    except FORM_ERRORS as error:
        db.rollback()
        return _alert_page(request, actor, db, alert_id, error.message, type(error).status)
    return RedirectResponse(f"/risk/alerts/{alert_id}", status_code=303)


@router.get("/risk/indicators")
def library_page(request: Request, actor: PageActorDep, db: SessionDep) -> Response:
    require(actor, Capability.MANAGE_INDICATORS)
    rows = indicators.library(db, actor=actor)
    specs = {r.id: IndicatorSpec.model_validate(r.definition) for r in rows}
    return render(
        request,
        "risk/indicators.html",
        {
            "rows": rows,
            "specs": specs,
            "statuses": indicators.STATUS_LABELS,
            "field_labels": FIELD_LABELS,
            "aggregations": AGGREGATION_LABELS,
        },
    )


def _editor(
    request: Request,
    *,
    values: dict[str, Any],
    row: Any = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "risk/indicator_edit.html",
        {
            "values": values,
            "row": row,
            "error": error,
            "kinds": KIND_LABELS,
            "fields": FIELD_LABELS,
            "aggregations": AGGREGATION_LABELS,
            "transforms": TRANSFORM_LABELS,
            "operators": OPERATOR_LABELS,
            "statuses": indicators.STATUS_LABELS,
            "payload_fields": {k: payload_fields(k) for k in KIND_LABELS},
        },
        status_code=status,
    )


@router.get("/risk/indicators/new")
def new_indicator(request: Request, actor: PageActorDep) -> Response:
    require(actor, Capability.MANAGE_INDICATORS)
    return _editor(request, values=form_from_definition(None))


@router.get("/risk/indicators/{indicator_id}")
def edit_indicator(
    request: Request, indicator_id: int, actor: PageActorDep, db: SessionDep
) -> Response:
    require(actor, Capability.MANAGE_INDICATORS)
    row = indicators.get(db, actor=actor, indicator_id=indicator_id)
    return _editor(request, values=form_from_definition(row.definition), row=row)


def _values(form: FormData) -> dict[str, Any]:
    return {k: form.getlist(k) if k in ("kinds", "fields", "denominator_kinds") else form.get(k)
            for k in form}  # fmt: skip


@router.post("/risk/indicators")
async def save_indicator(request: Request, actor: PageActorDep, db: SessionDep) -> Response:
    form = await request.form()
    values = _values(form)
    try:
        row = indicators.save_draft(db, actor=actor, data=definition_from_form(values))
    except FORM_ERRORS as error:
        db.rollback()
        return _editor(request, values=values, error=error.message, status=type(error).status)
    return RedirectResponse(f"/risk/indicators/{row.id}", status_code=303)


@router.post("/risk/indicators/test")
async def test_indicator(request: Request, actor: PageActorDep, db: SessionDep) -> Response:
    """The editor's 试算 button (htmx): the distribution and top subjects on live data."""
    form = await request.form()
    try:
        result = indicators.test_on_live_data(
            db, actor=actor, data=definition_from_form(_values(form))
        )
    except FORM_ERRORS as error:
        return render(request, "risk/_test.html", {"error": error.message, "result": None})
    chart = {
        "labels": [b.label for b in result.buckets],
        "counts": [b.count for b in result.buckets],
    }
    return render(
        request,
        "risk/_test.html",
        {"result": result, "error": None, "chart": json.dumps(chart, ensure_ascii=False)},
    )


@router.post("/risk/indicators/{indicator_id}/publish")
async def publish_indicator(
    request: Request, indicator_id: int, actor: PageActorDep, db: SessionDep
) -> Response:
    try:
        indicators.publish(db, actor=actor, indicator_id=indicator_id)
    except FORM_ERRORS as error:
        db.rollback()
        row = indicators.get(db, actor=actor, indicator_id=indicator_id)
        return _editor(
            request,
            values=form_from_definition(row.definition),
            row=row,
            error=error.message,
            status=type(error).status,
        )
    return RedirectResponse("/risk/indicators", status_code=303)
