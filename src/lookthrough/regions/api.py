"""Divisions and grids (JSON)."""

from __future__ import annotations

from fastapi import APIRouter

from lookthrough.api.deps import ActorDep, SessionDep
from lookthrough.api.errors import signed_in
from lookthrough.core.errors import Conflict, NotFound, OutOfJurisdiction
from lookthrough.core.roles import Capability
from lookthrough.core.scope import require
from lookthrough.regions import service
from lookthrough.regions.schemas import GridIn, RegionDetail, RegionOut

router = APIRouter(prefix="/regions", tags=["regions 行政区划与网格"])


@router.get(
    "/{code}", response_model=RegionDetail, responses=signed_in(NotFound, OutOfJurisdiction)
)
def region(code: str, actor: ActorDep, db: SessionDep) -> RegionDetail:
    """A region in the user's jurisdiction, its parents and its children (officials only)."""
    require(actor, Capability.READ_BUSINESS)
    found = service.require_region(db, code)
    kids = service.visible_children(db, actor=actor, code=code)
    lineage = [r for r in service.lineage(db, code) if r.code.startswith(actor.jurisdiction)]
    return RegionDetail(
        region=RegionOut.model_validate(found),
        lineage=[RegionOut.model_validate(r) for r in lineage],
        children=[RegionOut.model_validate(r) for r in kids],
    )


@router.post(
    "/{town_code}/grids",
    response_model=RegionOut,
    status_code=201,
    responses=signed_in(NotFound, Conflict, OutOfJurisdiction),
)
def save_grid(town_code: str, body: GridIn, actor: ActorDep, db: SessionDep) -> RegionOut:
    """Create or rename a grid under a town (code = town code + 3-digit number)."""
    grid = service.save_grid(
        db, actor=actor, town_code=town_code, number=body.number, name=body.name
    )
    return RegionOut.model_validate(grid)
