"""The home page: the map of the user's region, coloured by a metric."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from lookthrough.api.deps import SessionDep
from lookthrough.core.roles import Capability, can
from lookthrough.dashboard import service
from lookthrough.regions import service as regions_service
from lookthrough.web.deps import PageActorDep
from lookthrough.web.templating import home_for, render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, actor: PageActorDep, db: SessionDep) -> Response:
    if not can(actor.role, Capability.READ_BUSINESS):
        return RedirectResponse(home_for(actor), status_code=303)
    entities = service.map_stats(db, actor=actor, region=None, metric="entities")
    records = service.map_stats(db, actor=actor, region=None, metric="records")
    return render(
        request,
        "dashboard.html",
        {
            "entities": entities,
            "records": records,
            "towns": regions_service.count_below(db, actor.region, "town"),
            "grids": regions_service.count_below(db, actor.region, "grid"),
        },
    )
