"""The home dashboard: counts by sub-region for the Anhui map, within scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.roles import Capability
from lookthrough.core.scope import ensure_region, require
from lookthrough.records import service as records_service
from lookthrough.regions import service as regions_service
from lookthrough.registry import service as registry_service

Metric = Literal["entities", "records"]
METRIC_LABELS: dict[str, str] = {"entities": "经营主体数", "records": "监管信息数"}
CHILD_LENGTH = {"province": 4, "city": 6, "county": 9, "town": 12}


@dataclass(frozen=True, slots=True)
class Cell:
    code: str
    name: str
    value: int
    has_boundary: bool


@dataclass(frozen=True, slots=True)
class MapStats:
    region_code: str
    region_name: str
    level: str
    metric: str
    metric_label: str
    total: int
    unassigned: int  # rows in the region not placed in any child (e.g. county-level address)
    children: list[Cell]
    # GeoJSON to draw: the children's polygons (province, city) or the county's own outline.
    geo_url: str | None
    parent_code: str | None


def map_stats(session: Session, *, actor: Actor, region: str | None, metric: Metric) -> MapStats:
    """One number per child region of ``region`` (default: the region the user looks at)."""
    require(actor, Capability.READ_BUSINESS)
    code = region or actor.region
    ensure_region(actor, code)
    here = regions_service.require_region(session, code)
    kids = regions_service.children(session, code)
    length = CHILD_LENGTH.get(here.level, len(code))
    counter = (
        registry_service.count_by_region
        if metric == "entities"
        else records_service.count_by_region
    )
    counts = counter(session, actor=actor, parent=code, child_length=length)
    cells = [Cell(k.code, k.name, counts.get(k.code, 0), k.has_boundary) for k in kids]
    total = sum(counts.values())
    placed = sum(cell.value for cell in cells)
    geo = f"/static/geo/{code}.json" if here.has_boundary else None
    parent = (
        here.parent_code if here.parent_code and here.parent_code.startswith(actor.region) else None
    )
    return MapStats(
        code,
        here.name,
        here.level,
        metric,
        METRIC_LABELS[metric],
        total,
        total - placed,
        cells,
        geo,
        parent,
    )
