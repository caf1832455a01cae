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


@dataclass(frozen=True, slots=True)
class InspectionPoolSaved(AuditEventType):
    kind = "inspection.pool_saved"
    label = "保存抽查事项或执法人员"
    object_type = "inspection_pool"
    object_id: str  # item:<code> or inspector:<code>
    before: dict[str, Any] | None
    after: dict[str, Any]


@dataclass(frozen=True, slots=True)
class InspectionPlanCreated(AuditEventType):
    kind = "inspection.plan_created"
    label = "创建抽查计划"
    object_type = "inspection_plan"
    object_id: str
    code: str
    region: str
    classes_source: str


@dataclass(frozen=True, slots=True)
class DrawCommitted(AuditEventType):
    kind = "inspection.draw_committed"
    label = "公布候选名单哈希与种子承诺"
    object_type = "inspection_plan"
    object_id: str
    candidates: int
    candidates_hash: str
    commitment: str
    classes_source: str = ""  # where the candidates' credit classes came from


@dataclass(frozen=True, slots=True)
class DrawRevealed(AuditEventType):
    kind = "inspection.draw_revealed"
    label = "揭示种子并抽取"
    object_type = "inspection_plan"
    object_id: str
    seed: str
    visits: int
    visits_saved: int
    unassigned: int


@dataclass(frozen=True, slots=True)
class ChecklistSubmitted(AuditEventType):
    kind = "inspection.checklist_submitted"
    label = "提交现场检查结果"
    object_type = "inspection_task"
    object_id: str
    record_id: str
    findings: int


@dataclass(frozen=True, slots=True)
class ManualSaved(AuditEventType):
    kind = "inspection.manual_saved"
    label = "保存排查指导手册"
    object_type = "screening_manual"
    object_id: str
    matter: str
    items: int


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


@dataclass(frozen=True, slots=True)
class IndicatorSaved(AuditEventType):
    kind = "risk.indicator_saved"
    label = "保存风险指标草稿"
    object_type = "risk_indicator"
    object_id: str  # code@version
    before: dict[str, Any] | None
    after: dict[str, Any]


@dataclass(frozen=True, slots=True)
class IndicatorPublished(AuditEventType):
    kind = "risk.indicator_published"
    label = "发布风险指标"
    object_type = "risk_indicator"
    object_id: str  # code@version
    version: int


@dataclass(frozen=True, slots=True)
class RiskModelTrained(AuditEventType):
    kind = "risk.model_trained"
    label = "训练风险模型"
    object_type = "risk_model"
    object_id: str
    algorithm: str
    sha256: str
    n_train: int
    activated: bool


@dataclass(frozen=True, slots=True)
class RiskScored(AuditEventType):
    kind = "risk.scored"
    label = "风险评估"
    object_type = "risk_run"
    object_id: str
    run_kind: str  # full | incremental
    model_id: str
    entities: int
    alerts: int


@dataclass(frozen=True, slots=True)
class AlertChanged(AuditEventType):
    kind = "risk.alert_changed"
    label = "处理风险预警"
    object_type = "risk_alert"
    object_id: str
    before: dict[str, Any]
    after: dict[str, Any]


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


def all_event_types() -> list[type[AuditEventType]]:
    return sorted(AuditEventType.__subclasses__(), key=lambda cls: cls.kind)
