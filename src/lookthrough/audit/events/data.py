"""Events of data coming in and going out: imports, quarantine, exports, personal data seen or
searched, and mentions linked to the businesses they name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lookthrough.audit.events.base import AuditEventType


@dataclass(frozen=True, slots=True)
class DataExported(AuditEventType):
    kind = "data.exported"
    label = "导出数据"
    object_type = "export"
    object_id: str  # what was exported
    rows: int
    filters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PersonalDataRevealed(AuditEventType):
    kind = "data.personal_revealed"
    label = "查看个人信息明文"
    object_type = "entity"
    object_id: str
    fields: list[str]


@dataclass(frozen=True, slots=True)
class PersonalDataSearched(AuditEventType):
    """A search that found businesses by a person's full name (a legal representative)."""

    kind = "data.personal_searched"
    label = "按个人信息检索"
    object_type = "entity"
    object_id: str  # the field searched: legal_rep
    term: str  # masked: the trail must not become a copy of the personal data
    matches: int
    entity_ids: list[int]


@dataclass(frozen=True, slots=True)
class ImportFinished(AuditEventType):
    kind = "ingest.import_finished"
    label = "导入数据"
    object_type = "ingest_batch"
    object_id: str
    target: str
    file_name: str
    rows_read: int
    accepted: int
    quarantined: int
    duplicates: int


@dataclass(frozen=True, slots=True)
class QuarantineResolved(AuditEventType):
    kind = "ingest.quarantine_resolved"
    label = "处理隔离数据"
    object_type = "quarantine_row"
    object_id: str
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(frozen=True, slots=True)
class MentionJudged(AuditEventType):
    kind = "resolution.mention_judged"
    label = "判定投诉舆情所指主体"
    object_type = "record"
    object_id: str  # the record whose mention was judged
    entity_id: int
    judgement: str  # link | not_a_match | unsure
    before: dict[str, Any]  # the mention's link before and after
    after: dict[str, Any]


@dataclass(frozen=True, slots=True)
class EntitiesMerged(AuditEventType):
    kind = "resolution.entities_merged"
    label = "合并或拆分经营主体"
    object_type = "entity"
    object_id: str  # the business merged into another (or split from it)
    into_entity_id: int
    judgement: str  # merge | split
    links_changed: int


@dataclass(frozen=True, slots=True)
class MentionsResolved(AuditEventType):
    kind = "resolution.mentions_resolved"
    label = "批量关联投诉舆情所指主体"
    object_type = "mention_link"
    object_id: str  # the engine that ran
    mentions: int
    auto: int
    review: int
    unlinked: int
