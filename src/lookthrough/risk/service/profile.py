"""The risk part of a business's file (一户一档): its current level, reasons and classes, in the
profile seam's terms. Officials only, like every score."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.risk import rules
from lookthrough.risk.fields import CREDIT_DOMAINS
from lookthrough.risk.service.assessments import current_assessment
from lookthrough.risk.service.credit_classes import credit_classes_of


@dataclass(frozen=True, slots=True)
class ProfilePart:
    """What the per-business file (一户一档) shows about risk, in the profile seam's terms: facts
    above a table of the reasons, a badge beside the title. Officials only."""

    title: str
    facts: list[tuple[str, str]]
    columns: tuple[str, ...]
    rows: list[tuple[str, str, str]]
    badge: str
    badge_kind: str  # a Tabler colour


BADGE_KINDS = {1: "danger", 2: "orange", 3: "warning", 4: "info"}


def profile_part(
    session: Session, *, actor: Actor, entity_id: int, with_classes: bool = True
) -> ProfilePart | None:
    """The risk part of a business's file (None when it has not been assessed). The file shows
    the classes in a section of their own and asks without them (one query fewer)."""
    view = current_assessment(session, actor=actor, entity_id=entity_id)
    if view is None:
        return None
    classes = credit_classes_of(session, actor=actor, entity_id=entity_id) if with_classes else {}
    labels = {"general": "综合", **rules_domains()}
    facts = [
        ("风险等级", view.level_label),
        ("风险可能性", rules.percent(view.probability)),
        ("后果严重程度", f"{view.consequence:g}"),
        ("监管领域", view.field_label),
        (
            "信用风险分类",
            "，".join(f"{labels.get(d, d)} {g} 类" for d, g in sorted(classes.items())),
        ),
        ("评估日期", view.as_of.isoformat()),
        ("模型版本", view.model_id),
    ]
    if not with_classes:
        facts = [fact for fact in facts if fact[0] != "信用风险分类"]
    rows = [(r.name, r.text.split("：", 1)[1], f"{r.points:.2f}") for r in view.reasons]
    return ProfilePart(
        title="风险评估",
        facts=facts,
        columns=("主要原因（指标）", "数值", "贡献"),
        rows=rows,
        badge=rules.LEVEL_COLOURS[view.level],
        badge_kind=BADGE_KINDS[view.level],
    )


def rules_domains() -> dict[str, str]:
    return dict(CREDIT_DOMAINS)
