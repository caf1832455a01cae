"""Shapes of the four lists under /api/v1."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

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


class SuggestionOut(BaseModel):
    """A representative subject to dissect, and why."""

    entity_id: int
    name: str
    region_code: str
    size: str
    risk: str
    problem_records: int
    violations: int | None = Field(description="近一年违法违规记录（仅未作风险评估的主体）")
    risk_level: int | None = Field(description="风险评估等级 1–4（已评估的主体）")
    reason: str


class DissectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    problem_id: int
    region_code: str
    held_on: date
    place: str
    summary: str
    participants: list[dict[str, str]]
    subjects: list[dict[str, Any]]
    created_by: str
    created_at: datetime


class CauseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    problem_id: int
    dissection_id: int | None
    region_code: str
    category: str
    description: str
    evidence_records: list[str]
    factor: str | None
    created_by: str
    created_at: datetime


class CausePage(BaseModel):
    total: int
    items: list[CauseOut]


class TargetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    rectification_id: int
    entity_id: int
    entity_name: str
    region_code: str
    state: str
    state_label: str
    verification_record_id: str | None
    evidence: int
    overdue: bool
    days_overdue: int


class TaskOut(BaseModel):
    id: int
    problem_id: int
    problem_title: str
    cause_id: int | None
    region_code: str
    scope: str
    title: str
    measures: str
    policy: str
    responsible: str
    deadline: date
    state: str
    progress: dict[str, int]
    overdue: int
    created_at: datetime
    targets: list[TargetOut]


class TaskPage(BaseModel):
    total: int
    items: list[TaskOut]


class MoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    action: str = Field(min_length=1, max_length=12, description="操作：start submit verify …")
    note: str = Field("", max_length=2000, description="说明（退回重改须填写）")
    record_id: str | None = Field(None, max_length=40, description="核验依据的检查或抽检记录")


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    target_id: int
    action: str
    from_state: str
    to_state: str
    note: str
    record_id: str | None
    actor: str
    actor_role: str
    at: datetime


class EvidenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    target_id: int
    description: str
    file_name: str | None
    content_type: str | None
    size: int
    sha256: str | None
    submitted_by: str
    submitted_at: datetime


class EffectOut(BaseModel):
    """整改成效: problem rates before and after, targeted vs comparable, with a 95% interval."""

    problem_id: int
    before_start: date
    cut: date
    after_end: date
    treated_units: int
    control_units: int
    treated_before: float | None
    treated_after: float | None
    control_before: float | None
    control_after: float | None
    estimate: float | None
    low: float | None
    high: float | None
    method: str
    comparison: str
    reading: str


class NewGuideline(BaseModel):
    model_config = ConfigDict(extra="forbid")
    audience: Literal["official", "business"] = Field(description="监管工作指引或合规指引")


class GuidelineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    matter_id: int
    region_code: str
    audience: str
    title: str
    sections: list[dict[str, str]]
    version: int
    status: str = ""
    updated_by: str
    updated_at: datetime
    published_version: int | None
    published_at: datetime | None


class GuidelinePage(BaseModel):
    total: int
    items: list[GuidelineOut]
