"""Risk's parts of the per-business file (一户一档): the current assessment with its "1+N" credit
classes, and the open early warnings. Officials only: an enterprise user never sees a score."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from lookthrough.profile import sections
from lookthrough.risk import rules, service

ALERT_COLUMNS = ("预警内容", "等级", "类型", "预警时间", "状态")
CLASS_COLUMNS = ("分类", "等级")
CHINA = ZoneInfo("Asia/Shanghai")

# What the page passes through _() (web/messages.py gathers it for the English catalog).
PAGE_LABELS = (
    RISK_TITLE := "风险评估",
    ALERTS_TITLE := "未办结预警",
    CLASSES_TITLE := "信用风险分类（1+N）",
    "风险等级", "风险可能性", "后果严重程度", "监管领域", "信用风险分类", "评估日期", "模型版本",
    "主要原因（指标）", "数值", "贡献", *ALERT_COLUMNS, *CLASS_COLUMNS,
)  # fmt: skip


@sections.provider("risk", order=20, audience=sections.OFFICIALS_ONLY)
def current_risk(session: Session, ctx: sections.Context) -> sections.Section | None:
    """风险评估：当前风险等级、可能性与后果、"1+N" 信用风险分类和主要原因指标。"""
    # The classes have a section (and a sheet) of their own just below.
    part = service.profile_part(
        session, actor=ctx.actor, entity_id=ctx.entity_id, with_classes=False
    )
    if part is None:
        return None
    return sections.Section(
        key="risk",
        title=RISK_TITLE,
        columns=part.columns,
        rows=part.rows,
        facts=part.facts,
        badge=part.badge,
        badge_kind=part.badge_kind,
    )


@sections.provider("credit_classes", order=21, audience=sections.OFFICIALS_ONLY)
def credit_classes(session: Session, ctx: sections.Context) -> sections.Section | None:
    """信用风险分类（1+N）：一个综合分类和各领域分类（A/B/C/D），未作风险评估时也列出。"""
    classes = service.credit_classes_of(session, actor=ctx.actor, entity_id=ctx.entity_id)
    if not classes:
        return None
    labels = {"general": "综合", **service.rules_domains()}
    ordered = sorted(classes.items(), key=lambda item: (item[0] != "general", item[0]))
    return sections.Section(
        key="credit_classes",
        title=CLASSES_TITLE,
        columns=CLASS_COLUMNS,
        rows=[(labels.get(domain, domain), f"{grade} 类") for domain, grade in ordered],
        badge=f"{classes['general']} 类" if "general" in classes else None,
        badge_kind="secondary",
    )


@sections.provider("alerts", order=22, audience=sections.OFFICIALS_ONLY)
def open_alerts(session: Session, ctx: sections.Context) -> sections.Section | None:
    """未办结预警：该主体在本辖区内尚未办结的风险预警，链接到预警处置页。"""
    found = service.open_alerts_of(session, actor=ctx.actor, entity_id=ctx.entity_id)
    if not found:
        return None
    return sections.Section(
        key="alerts",
        title=ALERTS_TITLE,
        columns=ALERT_COLUMNS,
        rows=[
            (
                a.title,
                rules.level_label(a.level),
                rules.ALERT_KINDS.get(a.kind, a.kind),
                a.raised_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
                rules.ALERT_STATES.get(a.state, a.state),
            )
            for a in found
        ],
        badge=str(len(found)),
        badge_kind="danger" if any(a.level <= 2 for a in found) else "warning",
        links=[f"/risk/alerts/{a.id}" for a in found],
    )
