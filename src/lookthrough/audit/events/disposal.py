"""Events of disposal: measures, their notices, incident reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lookthrough.audit.events.base import AuditEventType


@dataclass(frozen=True, slots=True)
class MeasureOpened(AuditEventType):
    kind = "disposal.measure_opened"
    label = "提出处置措施"
    object_type = "disposal_measure"
    object_id: str
    after: dict[str, Any]


@dataclass(frozen=True, slots=True)
class MeasureMoved(AuditEventType):
    kind = "disposal.measure_moved"
    label = "处置措施状态变更"
    object_type = "disposal_measure"
    object_id: str
    action: str
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(frozen=True, slots=True)
class NoticeGenerated(AuditEventType):
    kind = "disposal.notice_generated"
    label = "生成处置文书"
    object_type = "disposal_measure"
    object_id: str
    notice_no: str


@dataclass(frozen=True, slots=True)
class IncidentReported(AuditEventType):
    kind = "disposal.incident_reported"
    label = "报送事故（早报快报）"
    object_type = "incident_report"
    object_id: str
    update_kind: str
    update_id: int


@dataclass(frozen=True, slots=True)
class IncidentAcknowledged(AuditEventType):
    kind = "disposal.incident_acknowledged"
    label = "确认收到事故报告"
    object_type = "incident_report"
    object_id: str
    update_id: int
    level: str
