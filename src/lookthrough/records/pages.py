"""Regulatory record list and detail pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from lookthrough.api.deps import SessionDep
from lookthrough.records import service
from lookthrough.regions import service as regions
from lookthrough.web.deps import PageActorDep
from lookthrough.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/records")
def records(
    request: Request, actor: PageActorDep, db: SessionDep, kind: str | None = None, page: int = 1
) -> Response:
    page = max(page, 1)
    rows, total = service.search(
        db, actor=actor, kind=kind or None, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    return render(
        request,
        "records/list.html",
        {
            "rows": rows,
            "total": total,
            "kind": kind or "",
            "kinds": service.KIND_LABELS,
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "region_names": regions.short_names(db, (r.region_code for r in rows)),
        },
    )


@router.get("/records/{record_id}")
def record(request: Request, record_id: str, actor: PageActorDep, db: SessionDep) -> Response:
    return render(
        request,
        "records/detail.html",
        {"record": service.get(db, actor=actor, record_id=record_id)},
    )
