"""Where a proposal's probability and consequence levels come from: the seam to the risk
engine's assessments and alerts, read through ``risk.service`` only.

An official may open a measure with the levels they judge (``judged``), or take them from the
business's current assessment (``from_assessment``) or from an early warning about it
(``from_alert``). Either way ``service.open_measure`` gets the same ``Levels``, with the source
and its reference kept on the measure and the basis written into its reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.errors import NotFound
from lookthrough.risk import rules as risk_rules
from lookthrough.risk import service as risk_service

TOP_REASONS = 3  # reasons named in a basis: enough to act on, short enough for a notice
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}  # risk levels as the matrix writes them


@dataclass(frozen=True, slots=True)
class Levels:
    probability: int  # 1 (lowest) … 4
    consequence: int  # 1 (lowest) … 4
    source: str  # manual | assessment | alert
    source_ref: str | None = None
    basis: str = ""  # what the levels rest on, in the user's words or the assessment's


def judged(probability: int, consequence: int, basis: str = "") -> Levels:
    """Levels an official judged on the spot."""
    return Levels(probability, consequence, "manual", None, basis)


def probability_of_level(level: int) -> int:
    """可能性等级取自风险等级：I 重大 → 4（很可能），II 较大 → 3，III 一般 → 2，IV 低 → 1。"""
    return 5 - min(max(level, 1), 4)


def assessment_basis(view: risk_service.AssessmentView) -> str:
    """风险评估（日期、模型）给出的等级、可能性、后果，及贡献最大的几项指标。"""
    reasons = "；".join(r.text for r in view.reasons[:TOP_REASONS]) or "无突出指标"
    return (
        f"{view.as_of.isoformat()} 风险评估（模型 {view.model_id}）：{view.level_label}"
        f"（{ROMAN[view.level]} 级），风险可能性 {risk_rules.percent(view.probability)}，"
        f"后果严重程度 {view.consequence:g}（{view.field_label}）；主要原因：{reasons}"
    )


def assessment_levels(view: risk_service.AssessmentView) -> Levels:
    """Levels from an assessment: its level as the probability level, its consequence (banded
    as the risk matrix bands it) as the consequence level."""
    return Levels(
        probability_of_level(view.level),
        risk_service.consequence_level(view.consequence),
        "assessment",
        f"{view.entity_id}@{view.as_of.isoformat()}",
        assessment_basis(view),
    )


def alert_levels(
    alert: risk_service.AlertBrief, view: risk_service.AssessmentView | None
) -> Levels:
    """Levels from an alert: its level as the probability level, the consequence of the
    business's current assessment (轻微 when it has none)."""
    consequence = 1 if view is None else risk_service.consequence_level(view.consequence)
    basis = f"预警“{alert.title}”（{alert.kind_label}，{ROMAN[alert.level]} 级）"
    if view is not None:
        basis += "；" + assessment_basis(view)
    return Levels(probability_of_level(alert.level), consequence, "alert", str(alert.id), basis)


def from_assessment(session: Session, *, actor: Actor, entity_id: int) -> Levels:
    """Levels from the business's current assessment (``assessment_levels``)."""
    view = risk_service.current_assessment(session, actor=actor, entity_id=entity_id)
    if view is None:
        raise NotFound("该经营主体尚无风险评估，或不在您的管辖范围内")
    return assessment_levels(view)


def from_alert(session: Session, *, actor: Actor, alert_id: int) -> tuple[int, Levels]:
    """The alert's business and its levels (``alert_levels``)."""
    alert = risk_service.alert_brief(session, actor=actor, alert_id=alert_id)
    if alert is None:
        raise NotFound("预警不存在或不在您的管辖范围内")
    view = risk_service.current_assessment(session, actor=actor, entity_id=alert.entity_id)
    return alert.entity_id, alert_levels(alert, view)
