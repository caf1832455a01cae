"""Divisions and grids page: browse the jurisdiction, draw grids under towns."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from lookthrough.api.deps import SessionDep
from lookthrough.core.errors import FORM_ERRORS
from lookthrough.core.roles import Capability, can
from lookthrough.core.scope import ensure_region, require
from lookthrough.regions import service
from lookthrough.web.deps import PageActorDep
from lookthrough.web.templating import render

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    actor: PageActorDep,
    db: SessionDep,
    code: str,
    *,
    error: str | None = None,
    saved: str | None = None,
    status_code: int = 200,
) -> Response:
    # Officials only: an enterprise user's scope is its own business, not the region tree and
    # the bureau's grids (and a refused grid save re-renders this page, so it must refuse too).
    require(actor, Capability.READ_BUSINESS)
    ensure_region(actor, code)
    region = service.require_region(db, code)
    lineage = [r for r in service.lineage(db, code) if r.code.startswith(actor.region)]
    return render(
        request,
        "regions/index.html",
        {
            "region": region,
            "lineage": lineage,
            "children": service.children(db, code),
            "can_edit": can(actor.role, Capability.MANAGE_GRIDS) and region.level == "town",
            "error": error,
            "saved": saved,
            "kind_labels": service.KIND_LABELS,
        },
        status_code=status_code,
    )


@router.get("/regions")
def regions_page(
    request: Request, actor: PageActorDep, db: SessionDep, code: str | None = None
) -> Response:
    return _page(request, actor, db, code or actor.region)


@router.post("/regions/{town_code}/grids")
def save_grid(
    request: Request,
    town_code: str,
    actor: PageActorDep,
    db: SessionDep,
    number: Annotated[int, Form(ge=1, le=999)],
    name: Annotated[str, Form(max_length=100)],
) -> Response:
    try:
        with db.begin_nested():
            grid = service.save_grid(db, actor=actor, town_code=town_code, number=number, name=name)
    except FORM_ERRORS as problem:
        return _page(
            request, actor, db, town_code, error=problem.message, status_code=type(problem).status
        )
    return _page(request, actor, db, town_code, saved=f"{grid.code} {grid.name}")
