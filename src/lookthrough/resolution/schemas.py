"""Shapes of the review queue and judgements under /api/v1/resolution."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from lookthrough.registry.schemas import EntityOut


class LinkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    entity_id: int | None
    score: float
    status: str  # auto | confirmed | review | unlinked | rejected
    reasons: list[str]
    method: str
    updated_at: datetime | None


class CandidateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    entity: EntityOut  # personal data masked
    rank: int
    score: float = Field(description="该候选是所指对象的概率")
    reasons: list[str]
    judgement: str | None = Field(None, description="对该候选的最近一次人工判定")
    linked: bool


class JudgementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    entity_id: int
    entity_name: str
    judgement: str
    label: str
    note: str | None
    username: str
    at: datetime


class MentionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    record_id: str
    kind: str
    kind_label: str
    title: str
    occurred_at: datetime
    region_code: str
    mention: str = Field(description="被投诉（涉及）对象名称原文")
    mention_address: str | None
    text: str | None
    link: LinkOut | None
    status_label: str
    candidates: list[CandidateOut]
    history: list[JudgementOut]


class MentionPage(BaseModel):
    total: int
    items: list[MentionOut]


class JudgementIn(BaseModel):
    entity_id: int = Field(description="所判定的经营主体")
    judgement: Literal["link", "not_a_match", "unsure"] = Field(
        description="link 是同一主体；not_a_match 不是同一主体；unsure 不确定"
    )
    note: str | None = Field(None, max_length=200, description="说明")
