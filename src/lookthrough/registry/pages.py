"""Business list and detail pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from lookthrough.api.deps import SessionDep
from lookthrough.records import service as records_service
from lookthrough.registry import service
from lookthrough.web.deps import PageActorDep
from lookthrough.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/entities")
def entities(
    request: Request, actor: PageActorDep, db: SessionDep, q: str | None = None, page: int = 1
) -> Response:
    page = max(page, 1)
    rows, total = service.search(
        db, actor=actor, query=q, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    return render(
        request,
        "registry/list.html",
        {
            "rows": rows,
            "total": total,
            "q": q or "",
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
        },
    )


@router.get("/entities/{entity_id}")
def entity(request: Request, entity_id: int, actor: PageActorDep, db: SessionDep) -> Response:
    view = service.get(db, actor=actor, entity_id=entity_id)
    records, total = records_service.search(db, actor=actor, entity_id=entity_id, limit=100)
    return render(
        request, "registry/detail.html", {"entity": view, "records": records, "record_total": total}
    )
