"""Shapes of the file under /api/v1/profiles."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from lookthrough.profile import sections, service


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RegistrationOut(_Out):
    id: int
    uscc: str | None
    name: str
    entity_type: str | None
    status: str
    region_code: str
    region_names: list[str]
    address: str | None
    legal_rep: str | None  # masked
    phone: str | None  # masked
    capital_wan: Decimal | None
    industry_code: str | None
    registered_on: date | None
    source: str
    batch_id: str | None
    source_row: int | None


class LicenceOut(_Out):
    record_id: str
    licence_type: str
    licence_no: str
    valid_from: date | None
    valid_to: date | None
    scope: str | None
    status: str


class SubjectOut(_Out):
    id: int
    kind: str
    kind_label: str
    identifier: str
    name: str
    counterpart: str | None


class SectionOut(BaseModel):
    key: str
    title: str
    badge: str | None
    columns: list[str]
    rows: list[list[Any]]
    facts: list[tuple[str, str]]
    note: str | None

    @classmethod
    def of(cls, section: sections.Section) -> SectionOut:
        return cls(
            key=section.key,
            title=section.title,
            badge=section.badge,
            columns=list(section.columns),
            rows=[list(r) for r in section.rows],
            facts=list(section.facts),
            note=section.note,
        )


class ProfileOut(BaseModel):
    """One business's file: everything but the timeline's rows and the graph (own routes)."""

    registration: RegistrationOut
    licences: list[LicenceOut]
    subjects: list[SubjectOut]
    subject_counts: dict[str, int]
    record_counts: dict[str, int]
    sections: list[SectionOut]

    @classmethod
    def of(cls, file: service.ProfileFile) -> ProfileOut:
        return cls(
            registration=RegistrationOut.model_validate(file.registration),
            licences=[LicenceOut.model_validate(x) for x in file.licences],
            subjects=[SubjectOut.model_validate(x) for x in file.subjects],
            subject_counts=file.subject_counts,
            record_counts=file.record_counts,
            sections=[SectionOut.of(s) for s in file.sections],
        )


class TimelineRowOut(_Out):
    id: str
    kind: str
    kind_label: str
    occurred_at: datetime
    title: str
    summary: str
    region_code: str
    source: str
    batch_id: str | None
    source_row: int | None
    linked: bool
    link_label: str | None
    link_score: float | None
    correction: bool
    payload: dict[str, Any]


class TimelinePage(BaseModel):
    total: int
    items: list[TimelineRowOut]


class NodeOut(_Out):
    id: str
    kind: str
    name: str
    region_code: str | None
    url: str | None


class EdgeOut(_Out):
    source: str
    target: str
    kind: str
    label: str
    weight: int
    derived: bool


class GraphOut(_Out):
    centre: str
    nodes: list[NodeOut]
    edges: list[EdgeOut]
    hidden: int
    truncated: bool


class HitOut(_Out):
    id: int
    uscc: str | None
    name: str
    region_code: str
    address: str | None
    legal_rep: str | None
    phone: str | None
    industry_code: str | None
    status: str
    matched: list[str]
    similarity: float | None


class SearchPage(BaseModel):
    total: int
    capped: bool
    hint: str | None
    items: list[HitOut]
    similar: list[HitOut]
