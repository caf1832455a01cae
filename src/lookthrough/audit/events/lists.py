"""Events of the four lists (事项、问题、整改、指引) and of penetration analysis on a problem."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lookthrough.audit.events.base import AuditEventType


@dataclass(frozen=True, slots=True)
class MatterSaved(AuditEventType):
    kind = "lists.matter_saved"
    label = "保存事项清单"
    object_type = "matter"
    object_id: str
    version: int
    before: dict[str, Any] | None
    after: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ProblemsProposed(AuditEventType):
    kind = "lists.problems_proposed"
    label = "生成问题清单建议"
    object_type = "matter"
    object_id: str
    proposals: int


@dataclass(frozen=True, slots=True)
class ProblemDecided(AuditEventType):
    kind = "lists.problem_decided"
    label = "确认、合并或驳回问题"
    object_type = "problem"
    object_id: str
    decision: str  # confirmed | merged | rejected
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PenetrationRan(AuditEventType):
    kind = "penetration.ran"
    label = "穿透分析"
    object_type = "problem"
    object_id: str
    run_id: int
    significant: int


@dataclass(frozen=True, slots=True)
class DissectionRecorded(AuditEventType):
    kind = "lists.dissection_recorded"
    label = "记录解剖会商"
    object_type = "problem"
    object_id: str
    dissection_id: int
    subjects: int


@dataclass(frozen=True, slots=True)
class RootCauseRecorded(AuditEventType):
    kind = "lists.root_cause_recorded"
    label = "记录问题成因"
    object_type = "problem"
    object_id: str
    cause_id: int
    category: str


@dataclass(frozen=True, slots=True)
class RectificationOpened(AuditEventType):
    kind = "lists.rectification_opened"
    label = "下达整改任务"
    object_type = "rectification"
    object_id: str
    problem_id: int
    targets: int


@dataclass(frozen=True, slots=True)
class OverdueAlertsRaised(AuditEventType):
    kind = "lists.overdue_alerts_raised"
    label = "整改超期预警"
    object_type = "risk_alert"
    object_id: str  # the region the job ran for
    alerts: int
    first_alert_id: int  # the lowest and highest id of the alerts raised
    last_alert_id: int


@dataclass(frozen=True, slots=True)
class RectificationMoved(AuditEventType):
    kind = "lists.rectification_moved"
    label = "整改任务状态变更"
    object_type = "rectification"
    object_id: str
    target_id: int
    action: str
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RectificationEvidenceAdded(AuditEventType):
    kind = "lists.rectification_evidence_added"
    label = "提交整改材料"
    object_type = "rectification"
    object_id: str
    target_id: int
    evidence_id: int
    size: int
    sha256: str | None


@dataclass(frozen=True, slots=True)
class GuidelineSaved(AuditEventType):
    kind = "lists.guideline_saved"
    label = "保存或发布指引"
    object_type = "guideline"
    object_id: str
    version: int
    status: str
