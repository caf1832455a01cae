"""Shapes for businesses."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class EntityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    uscc: str | None
    name: str
    region_code: str
    address: str | None
    legal_rep: str | None
    phone: str | None
    industry_code: str | None
    status: str


class EntityPage(BaseModel):
    total: int
    items: list[EntityOut]
