"""Shapes the inspection routes answer with, and the Excel export of a plan."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import DataExported
from lookthrough.core.actor import Actor
from lookthrough.core.excel import workbook_bytes
from lookthrough.inspection import service, tasks
from lookthrough.inspection.models import InspectionTask, ScreeningItem
from lookthrough.registry.models import Entity


def asdict(value: Any) -> dict[str, Any]:
    return dataclasses.asdict(value)


def attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}


def task_out(row: tasks.TaskRow) -> dict[str, Any]:
    t = row.task
    return {
        "id": t.id, "plan": row.plan_code, "business": row.business, "uscc": row.uscc,
        "region_code": t.region_code, "items": t.items, "departments": t.departments,
        "status": t.status, "note": t.note, "result": t.result, "record_id": t.record_id,
    }  # fmt: skip


def manual_items_out(items: Sequence[ScreeningItem]) -> list[dict[str, Any]]:
    return [
        {"id": i.id, "content": i.content, "key_points": i.key_points, "method": i.method,
         "cautions": i.cautions, "typical_cases": i.typical_cases}
        for i in items
    ]  # fmt: skip


def checklist_out(lines: Sequence[tasks.ChecklistLine]) -> list[dict[str, Any]]:
    return [
        {
            "inspection_item": line.inspection_item.code,
            "item": manual_items_out([line.item])[0] if line.item else None,
            "answer": line.answer.result if line.answer else None,
        }
        for line in lines
    ]


HEADERS = ("序号", "统一社会信用代码", "主体名称", "区划代码", "抽查事项", "实施部门", "状态",
           "检查结果", "完成时间", "说明")  # fmt: skip
STATUS = {"assigned": "已分派", "unassigned": "未能分派", "done": "已完成"}


def plan_workbook(session: Session, *, actor: Actor, plan_id: int) -> tuple[str, bytes]:
    """A plan's visits (one row each) with their items, departments and results (audited)."""
    plan = service.get_plan(session, actor=actor, plan_id=plan_id)
    rows = session.execute(
        select(InspectionTask, Entity.uscc, Entity.name)
        .join(Entity, Entity.id == InspectionTask.entity_id)
        .where(InspectionTask.plan_id == plan.id)
        .order_by(InspectionTask.position)
    ).all()
    content, count = workbook_bytes(
        plan.code,
        HEADERS,
        (
            (t.position + 1, uscc, name, t.region_code, "、".join(t.items),
             "、".join(t.departments), STATUS.get(t.status, t.status), t.result, t.done_at,
             t.note)
            for t, uscc, name in rows
        ),
    )  # fmt: skip
    audit.record(
        session,
        actor=actor,
        event=DataExported(object_id=f"inspection_plan:{plan.id}", rows=count),
    )
    return f"抽查计划-{plan.code}.xlsx", content
