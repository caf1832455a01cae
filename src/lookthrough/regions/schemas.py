"""Shapes for divisions and grids."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RegionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    level: str
    kind: str
    parent_code: str | None
    gbt2260: bool
    has_boundary: bool


class RegionDetail(BaseModel):
    region: RegionOut
    lineage: list[RegionOut]
    children: list[RegionOut]


class GridIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: int = Field(ge=1, le=999)
    name: str = Field(min_length=1, max_length=100)
