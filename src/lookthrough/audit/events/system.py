"""Events of running the platform: the division table and grids, the demo, scheduled jobs, the
audit trail's own clean-up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lookthrough.audit.events.base import AuditEventType


@dataclass(frozen=True, slots=True)
class GridSaved(AuditEventType):
    kind = "regions.grid_saved"
    label = "保存网格"
    object_type = "region"
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RegionsSynced(AuditEventType):
    kind = "regions.synced"
    label = "同步行政区划"
    object_type = "region"
    object_id: str
    added: int
    updated: int


@dataclass(frozen=True, slots=True)
class AuditPurged(AuditEventType):
    kind = "audit.purged"
    label = "清理过期审计日志"
    object_type = "audit_event"
    object_id: str  # the archive file
    older_than: str
    rows: int


@dataclass(frozen=True, slots=True)
class DemoLoaded(AuditEventType):
    kind = "system.demo_loaded"
    label = "载入演示数据"
    object_type = "demo"
    object_id: str
    grids: int
    accounts: int


@dataclass(frozen=True, slots=True)
class JobRan(AuditEventType):
    kind = "system.job_ran"
    label = "定时任务执行"
    object_type = "job"
    object_id: str  # the job's name, e.g. disposal.escalate
    summary: str


@dataclass(frozen=True, slots=True)
class JobFailed(AuditEventType):
    kind = "system.job_failed"
    label = "定时任务未完成"
    object_type = "job"
    object_id: str
    summary: str  # why: the error, in a sentence
