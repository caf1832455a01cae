"""Numbers behind the home dashboard (JSON)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from lookthrough.api.deps import ActorDep, SessionDep
from lookthrough.api.errors import signed_in
from lookthrough.core.errors import NotFound, OutOfJurisdiction
from lookthrough.dashboard import service

router = APIRouter(prefix="/stats", tags=["stats 统计"])


class CellOut(BaseModel):
    code: str
    name: str
    value: int
    has_boundary: bool


class MapStatsOut(BaseModel):
    region_code: str
    region_name: str
    level: str
    metric: str
    metric_label: str
    total: int
    unassigned: int
    children: list[CellOut]
    geo_url: str | None
    parent_code: str | None


@router.get("/map", response_model=MapStatsOut, responses=signed_in(NotFound, OutOfJurisdiction))
def map_stats(
    actor: ActorDep,
    db: SessionDep,
    region: str | None = Query(None, pattern=r"^\d{2,12}$"),
    metric: service.Metric = "entities",
) -> dict[str, Any]:
    """A metric per sub-region of a region in scope, for the choropleth map."""
    return asdict(service.map_stats(db, actor=actor, region=region, metric=metric))
