"""Shapes for imports and the quarantine."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class BatchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    target: str
    source: str
    file_name: str
    file_format: str
    region_code: str
    created_by: str
    status: str
    rows_total: int | None
    rows_read: int
    accepted: int
    quarantined: int
    duplicates: int
    error: str | None
    started_at: datetime
    finished_at: datetime | None
    open_quarantine: int = 0


class BatchPage(BaseModel):
    total: int
    items: list[BatchOut]


class QuarantineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    batch_id: str
    row_no: int
    problems: list[dict[str, Any]]
    raw: dict[str, Any]
    status: str


class QuarantinePage(BaseModel):
    total: int
    items: list[QuarantineOut]


class ResubmitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    values: dict[str, str | None] = Field(description="Corrected cells by column header.")


class ResubmitOut(BaseModel):
    accepted: bool
    duplicate: bool
    problems: list[dict[str, Any]]


class DismissIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=200)


class UploadOut(BaseModel):
    batch_id: str
    status: str
