"""The file's disposal measures (处置措施) and inspection visits (检查任务), officials only.

These read the disposal and inspection tables directly, read-only, scoped like those domains
scope them (the row's region under the viewer's): their services list a whole region and have no
per-business form yet, and a file must not load a county's measures to show one business's.
When they grow one (``disposal.service.for_entity``, ``inspection.service.visits_of``), these
providers should call it and move beside it.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from lookthrough.core.config import get_settings
from lookthrough.core.roles import Capability, can
from lookthrough.core.scope import THE_BUSINESS, business_params, region_param_clause
from lookthrough.disposal import rules as disposal_rules
from lookthrough.disposal import service as disposal_service
from lookthrough.disposal.models import Measure
from lookthrough.inspection.models import InspectionPlan, InspectionTask
from lookthrough.profile import sections

SHOWN = 100
MEASURE_COLUMNS = ("处置措施", "风险等级", "状态", "办理期限", "事由")
VISIT_COLUMNS = ("检查计划", "检查事项", "状态", "检查结果", "完成时间")
VISIT_STATUSES = {"assigned": "已分派", "unassigned": "待分派", "done": "已完成"}


# Both statements are built once and run with the business and the viewer's region bound.
@lru_cache(maxsize=1)
def _measures_statement() -> Select[Measure]:
    return (
        select(Measure)
        .where(Measure.entity_id == THE_BUSINESS, region_param_clause(Measure.region_code))
        .order_by(Measure.created_at.desc(), Measure.id.desc())
        .limit(SHOWN)
    )


@lru_cache(maxsize=1)
def _visits_statement() -> Select[InspectionTask, str]:
    return (
        select(InspectionTask, InspectionPlan.name)
        .join(InspectionPlan, InspectionPlan.id == InspectionTask.plan_id)
        .where(
            InspectionTask.entity_id == THE_BUSINESS,
            region_param_clause(InspectionTask.region_code),
        )
        .order_by(InspectionTask.id.desc())
        .limit(SHOWN)
    )


# What the page passes through _() (web/messages.py gathers it for the English catalog).
PAGE_LABELS = (
    MEASURES_TITLE := "处置措施",
    VISITS_TITLE := "检查任务",
    *MEASURE_COLUMNS, *VISIT_COLUMNS, *VISIT_STATUSES.values(),
)  # fmt: skip


@sections.provider("measures", order=40, audience=sections.OFFICIALS_ONLY)
def measures(session: Session, ctx: sections.Context) -> sections.Section | None:
    """处置措施：对本主体提出或下达的提醒、警示、约谈、检查、立案，及其状态和期限。"""
    if not can(ctx.actor.role, Capability.DISPOSE):
        return None
    found = session.scalars(_measures_statement(), business_params(ctx.actor, ctx.entity_id)).all()
    if not found:
        return None
    kinds = disposal_service.matrix(get_settings()).kinds
    open_ = [m for m in found if m.state in disposal_rules.OPEN_STATES]
    rows = []
    for m in found:
        late = m.state in disposal_rules.OPEN_STATES and ctx.today > m.deadline
        state = disposal_rules.STATE_LABELS.get(m.state, m.state)
        rows.append(
            (
                kinds[m.kind].label if m.kind in kinds else m.kind,
                f"{m.risk_level} {disposal_rules.RISK_LABELS.get(m.risk_level, '')}".strip(),
                f"{state}（逾期）" if late else state,
                m.deadline.isoformat(),
                m.reason,
            )
        )
    return sections.Section(
        key="measures",
        title=MEASURES_TITLE,
        columns=MEASURE_COLUMNS,
        rows=rows,
        badge=f"{len(open_)} 项未办结" if open_ else None,
        badge_kind="warning",
        links=[f"/disposal/measures/{m.id}" for m in found],
    )


@sections.provider("visits", order=41, audience=sections.OFFICIALS_ONLY)
def visits(session: Session, ctx: sections.Context) -> sections.Section | None:
    """检查任务：“双随机”抽查中抽到本主体的检查任务，含检查事项、状态和结果。"""
    if not can(ctx.actor.role, Capability.PLAN_INSPECTIONS):
        return None  # an inspector's file shows no one else's visits
    found = session.execute(_visits_statement(), business_params(ctx.actor, ctx.entity_id)).all()
    if not found:
        return None
    return sections.Section(
        key="visits",
        title=VISITS_TITLE,
        columns=VISIT_COLUMNS,
        rows=[
            (
                plan,
                "、".join(task.items),
                VISIT_STATUSES.get(task.status, task.status),
                task.result or "",
                task.done_at.date().isoformat() if task.done_at else "",
            )
            for task, plan in found
        ],
        links=[f"/inspection/tasks/{task.id}" for task, _ in found],
    )
