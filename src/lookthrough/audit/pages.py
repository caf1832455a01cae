"""The audit trail page (audit administrator only)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from lookthrough.api.deps import SessionDep
from lookthrough.audit import service
from lookthrough.audit.events import all_event_types
from lookthrough.audit.service import AuditQuery
from lookthrough.web.deps import PageActorDep
from lookthrough.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/admin/audit")
def audit_page(
    request: Request,
    actor: PageActorDep,
    db: SessionDep,
    kind: str | None = None,
    username: str | None = None,
    outcome: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
) -> Response:
    query = AuditQuery(
        kind=kind or None,
        username=username or None,
        outcome=outcome or None,
        since=since,
        until=until,
    )
    page = max(page, 1)
    rows, total = service.list_events(
        db, actor=actor, query=query, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    labels = {cls.kind: cls.label for cls in all_event_types()}
    params = {k: v for k, v in request.query_params.items() if k != "page" and v}
    return render(
        request,
        "admin/audit.html",
        {
            "rows": rows,
            "total": total,
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "labels": labels,
            "filters": params,
            "query_string": urlencode(params),
        },
    )
