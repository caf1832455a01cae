"""Shapes of the four lists under /api/v1."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class MatterOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    region_code: str
    field: str
    name: str
    description: str
    risk_points: list[dict[str, Any]]
    population: dict[str, Any]
    status: str
    version: int
    updated_at: datetime


class MatterPage(BaseModel):
    total: int
    items: list[MatterOut]


class MatterVersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    version: int
    snapshot: dict[str, Any]
    changed: list[str]
    note: str
    changed_by: str
    changed_at: datetime


class FromTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    template: str = Field(min_length=1, max_length=40, description="事项模板代码")


class ProblemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    matter_id: int
    region_code: str
    title: str
    source: str
    signatures: list[dict[str, Any]]
    manifestations: list[str]
    severity: str
    records: int
    businesses: int
    trend: dict[str, int]
    status: str
    merged_into_id: int | None
    note: str


class ProblemPage(BaseModel):
    total: int
    items: list[ProblemOut]


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    title: str | None = Field(None, max_length=200)
    manifestations: list[str] = Field(default_factory=list, max_length=20)


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    note: str = Field(max_length=500, description="驳回理由")


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    others: list[int] = Field(default_factory=list, max_length=20, description="其他待合并问题")
    title: str = Field(min_length=1, max_length=200)


class FactorOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    rank: int
    factor_type: str
    ref: str
    label: str
    members: int
    affected: int
    rate: float
    rest_rate: float
    relative_risk: float
    odds_ratio: float
    or_low: float
    or_high: float
    p_value: float
    p_conditional: float
    q_value: float
    significant: bool
    explained_by: int | None
    chains: list[dict[str, Any]]


class RunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    problem_id: int
    region_code: str
    unit: str
    universe: int
    affected: int
    affected_outside: int
    factors_considered: int
    tests: int
    alpha: float
    created_at: datetime
    factors: list[FactorOut] = []
