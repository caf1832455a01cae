"""Events of 双随机 inspection: the item list and inspector pool, plans, the draw, visits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lookthrough.audit.events.base import AuditEventType


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
