"""Pages: the review queue, a mention's file of candidates and judgements, the judge buttons."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from lookthrough.api.deps import SessionDep, SettingsDep
from lookthrough.core.errors import FORM_ERRORS
from lookthrough.resolution import review, service
from lookthrough.web.deps import PageActorDep
from lookthrough.web.templating import render

router = APIRouter(prefix="/resolution", include_in_schema=False)
PAGE_SIZE = 20


@router.get("/review")
def queue(request: Request, actor: PageActorDep, db: SessionDep, page: int = 1) -> Response:
    page = max(page, 1)
    items, total = review.queue(db, actor=actor, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render(
        request,
        "resolution/queue.html",
        {"items": items, "total": total, "page": page, "pages": max(1, -(-total // PAGE_SIZE))},
    )


@router.get("/mentions/{record_id}")
def mention(request: Request, record_id: str, actor: PageActorDep, db: SessionDep) -> Response:
    view = review.detail(db, actor=actor, record_id=record_id)
    return render(request, "resolution/detail.html", {"item": view, "detail": True})


@router.post("/mentions/{record_id}/judgements")
def judge(
    request: Request,
    record_id: str,
    actor: PageActorDep,
    db: SessionDep,
    settings: SettingsDep,
    entity_id: Annotated[int, Form()],
    judgement: Annotated[str, Form(max_length=12)],
    note: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Judge one candidate; an htmx request gets the mention's card back, a form the page."""
    detail = request.headers.get("hx-request") != "true"
    message = None
    try:
        with db.begin_nested():
            view = review.judge(
                db, actor=actor, record_id=record_id, entity_id=entity_id,
                judgement=judgement, note=note, thresholds=service.thresholds_for(settings),
            )  # fmt: skip
        message = "已记录判定"
    except FORM_ERRORS as problem:
        view = review.detail(db, actor=actor, record_id=record_id)
        message = problem.message
    template = "resolution/detail.html" if detail else "resolution/_mention.html"
    return render(request, template, {"item": view, "detail": detail, "message": message})
