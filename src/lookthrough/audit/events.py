"""Typed audit events. Each class is one kind of thing that happened; no free-text messages.

Fields named ``object_id``, ``before`` and ``after`` fill the columns of the same name; every
other field lands in ``detail``. ``label`` is what the audit page shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class AuditEventType:
    kind: ClassVar[str]
    label: ClassVar[str]
    object_type: ClassVar[str | None] = None


@dataclass(frozen=True, slots=True)
class LoginSucceeded(AuditEventType):
    kind = "accounts.login_succeeded"
    label = "登录成功"
    object_type = "user"
    object_id: str


@dataclass(frozen=True, slots=True)
class LoginFailed(AuditEventType):
    kind = "accounts.login_failed"
    label = "登录失败"
    object_type = "user"
    object_id: str  # the username typed, which may not exist
    reason: str  # bad_password | unknown_user | locked | inactive


@dataclass(frozen=True, slots=True)
class AccountLocked(AuditEventType):
    kind = "accounts.account_locked"
    label = "账号锁定"
    object_type = "user"
    object_id: str
    failures: int
    locked_until: str


@dataclass(frozen=True, slots=True)
class LoggedOut(AuditEventType):
    kind = "accounts.logged_out"
    label = "退出登录"
    object_type = "user"
    object_id: str


@dataclass(frozen=True, slots=True)
class AccessDenied(AuditEventType):
    kind = "security.access_denied"
    label = "越权访问被拒绝"
    object_type = "route"
    object_id: str  # method and path
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class UserCreated(AuditEventType):
    kind = "accounts.user_created"
    label = "创建用户"
    object_type = "user"
    object_id: str
    after: dict[str, Any]


@dataclass(frozen=True, slots=True)
class UserUpdated(AuditEventType):
    kind = "accounts.user_updated"
    label = "修改用户"
    object_type = "user"
    object_id: str
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PasswordChanged(AuditEventType):
    kind = "accounts.password_changed"
    label = "修改密码"
    object_type = "user"
    object_id: str
    by_self: bool


@dataclass(frozen=True, slots=True)
class AccountUnlocked(AuditEventType):
    kind = "security.account_unlocked"
    label = "解除锁定"
    object_type = "user"
    object_id: str


@dataclass(frozen=True, slots=True)
class SessionsEnded(AuditEventType):
    kind = "security.sessions_ended"
    label = "强制下线"
    object_type = "user"
    object_id: str
    count: int
    reason: str


@dataclass(frozen=True, slots=True)
class RegionSwitched(AuditEventType):
    kind = "accounts.region_switched"
    label = "切换查看区域"
    object_type = "region"
    object_id: str
    before: dict[str, Any]
    after: dict[str, Any]


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
class AuditPurged(AuditEventType):
    kind = "audit.purged"
    label = "清理过期审计日志"
    object_type = "audit_event"
    object_id: str  # the archive file
    older_than: str
    rows: int


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
class DemoLoaded(AuditEventType):
    kind = "system.demo_loaded"
    label = "载入演示数据"
    object_type = "demo"
    object_id: str
    grids: int
    accounts: int


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


def all_event_types() -> list[type[AuditEventType]]:
    return sorted(AuditEventType.__subclasses__(), key=lambda cls: cls.kind)
