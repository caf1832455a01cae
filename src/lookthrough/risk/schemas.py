"""Shapes of the risk API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ReasonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    value: float
    unit: str
    points: float
    text: str


class AssessmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    entity_id: int
    region_code: str
    field: str
    field_label: str
    level: int
    level_label: str
    colour: str
    probability: float
    consequence: float
    model_id: str
    as_of: dt.date
    assessed_at: dt.datetime
    reasons: list[ReasonOut]


class AssessmentDetailOut(AssessmentOut):
    credit_classes: dict[str, str]


class TopRiskOut(BaseModel):
    name: str
    assessment: AssessmentOut


class TopRiskPage(BaseModel):
    total: int
    items: list[TopRiskOut]


class FieldRowOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    field: str
    label: str
    levels: dict[int, int]
    total: int


class TrendPointOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    as_of: dt.date
    levels: dict[int, int]


class AlertOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    kind_label: str
    entity_id: int
    entity_name: str
    region_code: str
    indicator_code: str | None
    level: int
    level_label: str
    title: str
    detail: dict[str, Any]
    raised_at: dt.datetime
    state: str
    state_label: str
    assignee: str | None
    note: str | None
    actions: list[str]
    link: str | None = Field(None, description="整改任务等关联页面（其他领域发出的预警）")


class AlertPage(BaseModel):
    total: int
    items: list[AlertOut]


class AssignIn(BaseModel):
    assignee_id: int


class CloseIn(BaseModel):
    note: str = Field(min_length=1, max_length=500)


class IndicatorOut(BaseModel):
    id: int
    code: str
    version: int
    status: str
    definition: dict[str, Any]
    created_by: str
    created_at: dt.datetime
    published_at: dt.datetime | None


class BucketOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    label: str
    count: int


class TopSubjectOut(BaseModel):
    entity_id: int
    name: str
    value: float


class TestOut(BaseModel):
    as_of: dt.date
    entities: int
    nonzero: int
    over_threshold: int
    mean: float
    p90: float
    maximum: float
    buckets: list[BucketOut]
    top: list[TopSubjectOut]


class ModelOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    algorithm: str
    status: str
    sha256: str
    metrics: dict[str, Any]
    trained_as_of: dt.date
    created_at: dt.datetime
