"""Pages: finding a business, and its file (一户一档) with a filterable timeline and a graph."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from lookthrough.api.deps import SessionDep
from lookthrough.core.errors import ValidationFailed
from lookthrough.core.roles import Capability, can
from lookthrough.profile import search, service, timeline
from lookthrough.profile.api import parse_filters
from lookthrough.profile.rules import Audience
from lookthrough.regions import service as regions
from lookthrough.web.deps import PageActorDep
from lookthrough.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
TIMELINE_PAGE = 30


def _date(value: str | None, label: str) -> date | None:
    """A date typed into the filter form (an empty field is no filter)."""
    if not value or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(f"{label}“{value}”无法识别，请使用 YYYY-MM-DD 格式") from None


def _pages(total: int, size: int) -> int:
    return max(1, -(-total // size))


@router.get("/entities")
def find(
    request: Request,
    actor: PageActorDep,
    db: SessionDep,
    q: str | None = Query(None, max_length=100),
    page: int = 1,
) -> Response:
    page = min(max(page, 1), search.CAP // PAGE_SIZE)
    result = search.search(db, actor=actor, query=q, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render(
        request,
        "profile/search.html",
        {
            "result": result,
            "rows": result.items,
            "total": result.total,
            "q": q or "",
            "page": page,
            "pages": _pages(result.total, PAGE_SIZE),
            "labels": search.FIELD_LABELS,
            "region_names": regions.short_names(
                db, (e.region_code for e in [*result.items, *result.similar])
            ),
        },
    )


def _timeline_context(
    request: Request,
    actor: Any,
    db: Any,
    entity_id: int,
    filters: timeline.Filters,
    page: int,
    opened: service.ProfileFile | None = None,
) -> dict[str, Any]:
    page = max(page, 1)
    rows, total = service.timeline_page(
        db,
        actor=actor,
        entity_id=entity_id,
        filters=filters,
        limit=TIMELINE_PAGE,
        offset=(page - 1) * TIMELINE_PAGE,
        opened=opened,
    )
    return {
        "entity_id": entity_id,
        "rows": rows,
        "timeline_total": total,
        "filters": filters,
        "timeline_page": page,
        "timeline_pages": _pages(total, TIMELINE_PAGE),
        "filter_query": urlencode(filters.as_dict()),
        "kind_labels": timeline.KIND_LABELS,
    }


@router.get("/entities/{entity_id}")
def file(
    request: Request,
    entity_id: int,
    actor: PageActorDep,
    db: SessionDep,
    kind: str | None = Query(None, max_length=400),
    date_from: str | None = Query(None, max_length=10),
    date_to: str | None = Query(None, max_length=10),
    text: str | None = Query(None, max_length=100),
    page: int = 1,
) -> Response:
    """The one page of a business: everything the platform knows about it, as this user may."""
    profile = service.open_file(db, actor=actor, entity_id=entity_id)
    filters = parse_filters(kind, _date(date_from, "开始日期"), _date(date_to, "结束日期"), text)
    context = _timeline_context(request, actor, db, entity_id, filters, page, opened=profile)
    official = profile.audience is Audience.OFFICIAL
    return render(
        request,
        "profile/file.html",
        {
            **context,
            "file": profile,
            "entity": profile.registration,
            "show_graph": official,
            "can_reveal": can(actor.role, Capability.SEE_PERSONAL_DATA),
        },
    )


@router.get("/entities/{entity_id}/timeline")
def timeline_rows(
    request: Request,
    entity_id: int,
    actor: PageActorDep,
    db: SessionDep,
    kind: str | None = Query(None, max_length=400),
    date_from: str | None = Query(None, max_length=10),
    date_to: str | None = Query(None, max_length=10),
    text: str | None = Query(None, max_length=100),
    page: int = 1,
) -> Response:
    """The timeline table alone, for the filter form to swap in without reloading the page."""
    filters = parse_filters(kind, _date(date_from, "开始日期"), _date(date_to, "结束日期"), text)
    return render(
        request,
        "profile/_timeline.html",
        _timeline_context(request, actor, db, entity_id, filters, page),
    )
