"""The four lists as Excel workbooks, in the layout bureaus tabulate them: 序号 first, one row
per item (a risk point, a problem, a cause, a task), the list's own columns in the policy's words.
Every export is audited."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import DataExported
from lookthrough.core.actor import Actor
from lookthrough.core.excel import workbook_bytes
from lookthrough.core.roles import Capability
from lookthrough.core.scope import require
from lookthrough.lists import causes, matters, problems, rules, tasks
from lookthrough.lists.models import Dissection, Matter
from lookthrough.lists.templates import FIELD_LABELS

LIMIT = 50_000
MATTER_COLUMNS = (
    "序号",
    "区划代码",
    "监管领域",
    "监管事项",
    "事项说明",
    "风险点编号",
    "关键风险点",
    "风险描述",
    "监测指标",
    "版本",
    "更新时间",
)
PROBLEM_COLUMNS = (
    "序号",
    "所属事项",
    "问题名称",
    "问题来源",
    "表现形式",
    "涉及对象数",
    "监管信息条数",
    "严重程度",
    "近期趋势",
    "状态",
    "确认人",
    "确认时间",
)
CAUSE_COLUMNS = (
    "序号",
    "所属事项",
    "问题名称",
    "成因类别",
    "成因描述",
    "关联因素",
    "证据（监管信息编号）",
    "解剖会商日期",
    "记录人",
    "记录时间",
)
TASK_COLUMNS = (
    "序号",
    "所属事项",
    "问题名称",
    "整改任务",
    "整改类型",
    "整改对象",
    "整改措施",
    "一类一策",
    "责任人",
    "整改时限",
    "整改进度",
    "状态",
    "超期对象数",
    "核验依据（监管信息编号）",
)


def _audited(
    session: Session, actor: Actor, what: str, columns: Sequence[str], rows: Iterator[list[Any]],
    filters: dict[str, Any],
) -> bytes:  # fmt: skip
    content, count = workbook_bytes(what, columns, rows)
    audit.record(session, actor=actor,
                 event=DataExported(object_id=what, rows=count, filters=filters))  # fmt: skip
    return content


def _matter_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Matter.id, Matter.name).where(Matter.id.in_(ids))).all())


def matters_xlsx(session: Session, *, actor: Actor, field: str | None = None) -> bytes:
    rows, _ = matters.search(session, actor=actor, field=field, limit=LIMIT)

    def lines() -> Iterator[list[Any]]:
        n = 0
        for m in rows:
            for rp in m.risk_points or [{}]:
                n += 1
                yield [n, m.region_code, FIELD_LABELS.get(m.field, m.field), m.name, m.description,
                       rp.get("code", ""), rp.get("name", ""), rp.get("description", ""),
                       "、".join(rp.get("indicators", [])), m.version, m.updated_at]  # fmt: skip

    return _audited(session, actor, "事项清单", MATTER_COLUMNS, lines(), {"field": field})


def problems_xlsx(
    session: Session, *, actor: Actor, matter_id: int | None = None, status: str | None = None
) -> bytes:
    rows, _ = problems.search(session, actor=actor, matter_id=matter_id, status=status,
                              limit=LIMIT)  # fmt: skip
    names = _matter_names(session, {p.matter_id for p in rows})

    def lines() -> Iterator[list[Any]]:
        for n, p in enumerate(rows, start=1):
            yield [n, names.get(p.matter_id, ""), p.title,
                   problems.SOURCE_LABELS.get(p.source, p.source), "；".join(p.manifestations),
                   p.businesses, p.records, p.severity, rules.direction(p.trend),
                   problems.STATUS_LABELS.get(p.status, p.status), p.decided_by or "",
                   p.decided_at]  # fmt: skip

    filters = {"matter_id": matter_id, "status": status}
    return _audited(session, actor, "问题清单", PROBLEM_COLUMNS, lines(), filters)


def causes_xlsx(session: Session, *, actor: Actor, matter_id: int | None = None) -> bytes:
    rows, _ = causes.search(session, actor=actor, matter_id=matter_id, limit=LIMIT)
    names = _matter_names(session, {p.matter_id for _, p in rows})
    held = dict(
        session.execute(
            select(Dissection.id, Dissection.held_on).where(
                Dissection.id.in_({c.dissection_id for c, _ in rows if c.dissection_id})
            )
        ).all()
    )

    def lines() -> Iterator[list[Any]]:
        for n, (c, p) in enumerate(rows, start=1):
            held_on = held.get(c.dissection_id) if c.dissection_id else None
            yield [n, names.get(p.matter_id, ""), p.title, c.category, c.description,
                   c.factor or "", "、".join(c.evidence_records), held_on, c.created_by,
                   c.created_at]  # fmt: skip

    return _audited(session, actor, "成因清单", CAUSE_COLUMNS, lines(), {"matter_id": matter_id})


def rectifications_xlsx(
    session: Session, *, actor: Actor, today: date, matter_id: int | None = None,
    overdue: bool = False,
) -> bytes:  # fmt: skip
    require(actor, Capability.READ_BUSINESS)
    views, _ = tasks.search(session, actor=actor, today=today, matter_id=matter_id,
                                     overdue=overdue, limit=LIMIT)  # fmt: skip
    problem_matter = {
        v.task.problem_id: problems.get(session, actor=actor, problem_id=v.task.problem_id)
        for v in views
    }
    names = _matter_names(session, {p.matter_id for p in problem_matter.values()})

    def lines() -> Iterator[list[Any]]:
        for n, v in enumerate(views, start=1):
            t = v.task
            target = v.targets[0].entity_name if t.scope == "one" and v.targets else (
                f"{len(v.targets)} 户")  # fmt: skip
            verified = "、".join(x.verification_record_id for x in v.targets
                                if x.verification_record_id)  # fmt: skip
            yield [n, names.get(problem_matter[t.problem_id].matter_id, ""), v.problem_title,
                   t.title, tasks.SCOPE_LABELS[t.scope], target, t.measures, t.policy,
                   t.responsible, t.deadline, f"{v.done}/{len(v.targets)} 已核验",
                   rules.STATE_LABELS[t.state], v.overdue, verified]  # fmt: skip

    filters = {"matter_id": matter_id, "overdue": overdue}
    return _audited(session, actor, "整改清单", TASK_COLUMNS, lines(), filters)
