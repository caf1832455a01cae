"""What other domains ask of risk: the current assessment, level and credit class of a business,
businesses by level or class (as sub-selects to fold into their own scoped queries), and the
published indicators by field or matter.

Scores are for officials only: every function refuses enterprise users and the public
(``Capability.READ_BUSINESS``) and filters by the actor's region.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.errors import OutOfJurisdiction
from lookthrough.core.roles import Capability
from lookthrough.core.scope import region_prefix_clause, require
from lookthrough.engine.definitions import IndicatorSpec
from lookthrough.risk import indicators, rules
from lookthrough.risk.fields import CREDIT_DOMAINS, FIELD_LABELS
from lookthrough.risk.models import Alert, Assessment, CreditClass, Indicator, ScoringRun
from lookthrough.risk.scorers import applies

GENERAL = "general"


def _in_scope(actor: Actor, column: Any) -> ColumnElement[bool]:
    return region_prefix_clause(column, actor.region)


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    name: str
    value: float
    unit: str
    points: float

    @property
    def text(self) -> str:
        shown = f"{self.value:g}" if self.unit != "%" else f"{self.value * 100:.0f}"
        return f"{self.name}：{shown}{self.unit}"


class Stamps:
    """The day and time a current row stands for: those of the later of the run that last wrote
    it and the last full run (a full run assesses every business but rewrites only the rows
    that changed)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        last_full = select(func.max(ScoringRun.id)).where(ScoringRun.kind == "full")
        self._last_full = int(session.scalar(last_full) or 0)
        self._seen: dict[int, tuple[dt.date, dt.datetime]] = {}

    def of(self, run_id: int) -> tuple[dt.date, dt.datetime]:
        key = max(int(run_id), self._last_full)
        if key not in self._seen:
            run = self._session.get(ScoringRun, key)
            if run is None:
                raise LookupError(f"risk_run {key} is missing")  # rows are written by runs
            self._seen[key] = (run.as_of, run.finished_at)
        return self._seen[key]


@dataclass(frozen=True, slots=True)
class AssessmentView:
    entity_id: int
    region_code: str
    field: str
    field_label: str
    level: int
    level_label: str
    colour: str
    probability: float
    consequence: float
    model_id: str
    as_of: dt.date
    assessed_at: dt.datetime
    reasons: list[Reason]

    @classmethod
    def of(cls, row: Assessment, stamp: tuple[dt.date, dt.datetime]) -> AssessmentView:
        as_of, assessed_at = stamp
        return cls(
            entity_id=row.entity_id,
            region_code=row.region_code,
            field=row.field,
            field_label=FIELD_LABELS.get(row.field, row.field),
            level=row.level,
            level_label=rules.level_label(row.level),
            colour=rules.LEVEL_CSS[row.level],
            probability=row.probability,
            consequence=row.consequence,
            model_id=row.model_id,
            as_of=as_of,
            assessed_at=assessed_at,
            reasons=[Reason(**item) for item in row.top or []],
        )


def current_assessment(session: Session, *, actor: Actor, entity_id: int) -> AssessmentView | None:
    """The business's current assessment (None when out of scope or not scored yet)."""
    require(actor, Capability.READ_BUSINESS)
    # The run whose stamps the row carries is found in the same statement (Stamps, in SQL):
    # the file asks this once per business.
    last_full = func.coalesce(
        select(func.max(ScoringRun.id)).where(ScoringRun.kind == "full").scalar_subquery(), 0
    )
    stamped_by = case((Assessment.run_id > last_full, Assessment.run_id), else_=last_full)
    found = session.execute(
        select(Assessment, ScoringRun.as_of, ScoringRun.finished_at)
        .join(ScoringRun, ScoringRun.id == stamped_by)
        .where(Assessment.entity_id == entity_id, _in_scope(actor, Assessment.region_code))
    ).first()
    return None if found is None else AssessmentView.of(found[0], (found[1], found[2]))


LOOKUP_CHUNK = 2000  # ids per IN list (SQLite allows 32,766 parameters)


def levels_of(session: Session, *, actor: Actor, entity_ids: Iterable[int]) -> dict[int, int]:
    """Current levels of many businesses at once (the ones in scope that have been assessed)."""
    require(actor, Capability.READ_BUSINESS)
    ids = sorted(set(entity_ids))
    found: dict[int, int] = {}
    for n in range(0, len(ids), LOOKUP_CHUNK):
        found.update(
            (int(e), int(level))
            for e, level in session.execute(
                select(Assessment.entity_id, Assessment.level).where(
                    Assessment.entity_id.in_(ids[n : n + LOOKUP_CHUNK]),
                    _in_scope(actor, Assessment.region_code),
                )
            )
        )
    return found


def level_name(level: int) -> str:
    """``II级 较大（橙）``: how a level is written everywhere."""
    return rules.level_label(level)


def level_of(session: Session, *, actor: Actor, entity_id: int) -> int | None:
    """The business's current risk level, 1 (重大) … 4 (低)."""
    view = current_assessment(session, actor=actor, entity_id=entity_id)
    return None if view is None else view.level


def credit_classes_of(session: Session, *, actor: Actor, entity_id: int) -> dict[str, str]:
    """The business's "1+N" classes: ``{"general": "B", "food": "C"}``."""
    require(actor, Capability.READ_BUSINESS)
    rows = session.execute(
        select(CreditClass.domain, CreditClass.grade).where(
            CreditClass.entity_id == entity_id, _in_scope(actor, CreditClass.region_code)
        )
    ).all()
    return {str(domain): str(grade) for domain, grade in rows}


def credit_class_of(
    session: Session, *, actor: Actor, entity_id: int, domain: str = GENERAL
) -> str | None:
    """One class of the business (the general one by default)."""
    return credit_classes_of(session, actor=actor, entity_id=entity_id).get(domain)


def credit_class_select(
    actor: Actor, *, domain: str = GENERAL, region: str | None = None
) -> Select[int, str]:
    """(entity_id, grade) of the businesses in scope, for stratified draws (双随机 by A/B/C/D).
    A sub-select: fold it into your own query rather than loading millions of ids."""
    require(actor, Capability.READ_BUSINESS)
    stmt = select(CreditClass.entity_id, CreditClass.grade).where(
        CreditClass.domain == domain, _in_scope(actor, CreditClass.region_code)
    )
    if region:
        stmt = stmt.where(region_prefix_clause(CreditClass.region_code, region))
    return stmt


def entities_at_levels(
    actor: Actor, *, levels: Iterable[int], region: str | None = None
) -> Select[int]:
    """Ids of the businesses in scope whose current level is one of ``levels`` (a sub-select)."""
    require(actor, Capability.READ_BUSINESS)
    stmt = select(Assessment.entity_id).where(
        Assessment.level.in_(list(levels)), _in_scope(actor, Assessment.region_code)
    )
    if region:
        stmt = stmt.where(region_prefix_clause(Assessment.region_code, region))
    return stmt


def level_select(actor: Actor, *, region: str | None = None) -> Select[int, int]:
    """(entity_id, level) of the assessed businesses in scope: the current level of each, as a
    sub-select to outer-join into a query over businesses (a draw's millions of candidates)."""
    require(actor, Capability.READ_BUSINESS)
    stmt = select(Assessment.entity_id, Assessment.level).where(
        _in_scope(actor, Assessment.region_code)
    )
    if region:
        stmt = stmt.where(region_prefix_clause(Assessment.region_code, region))
    return stmt


def consequence_level(value: float) -> int:
    """后果等级（1 轻微 … 4 严重）：与风险矩阵相同的分档（≥5 严重、≥3 较大、≥1.5 一般、其余轻微），
    供处置矩阵使用（等级越高越严重）。"""
    return 1 + sum(value >= edge for edge in rules.CONSEQUENCE_BANDS)


def top_assessments(
    session: Session,
    *,
    actor: Actor,
    levels: Iterable[int],
    limit: int,
    exclude: Select[int] | None = None,
) -> list[AssessmentView]:
    """Current assessments in scope at ``levels``, major first, then the most probable; without
    the businesses ``exclude`` (a sub-select of entity ids) names."""
    require(actor, Capability.READ_BUSINESS)
    stmt = select(Assessment).where(
        Assessment.level.in_(list(levels)), _in_scope(actor, Assessment.region_code)
    )
    if exclude is not None:
        stmt = stmt.where(Assessment.entity_id.not_in(exclude))
    rows = session.scalars(
        stmt.order_by(Assessment.level, Assessment.probability.desc(), Assessment.entity_id).limit(
            limit
        )
    ).all()
    stamps = Stamps(session)
    return [AssessmentView.of(row, stamps.of(row.run_id)) for row in rows]


ALERT_OPEN_STATES = ("open", "acknowledged", "assigned")  # not yet closed


@dataclass(frozen=True, slots=True)
class AlertBrief:
    id: int
    entity_id: int
    region_code: str
    kind_label: str
    level: int
    title: str
    state: str
    raised_at: dt.datetime


def _brief(row: Alert) -> AlertBrief:
    return AlertBrief(
        row.id, row.entity_id, row.region_code, rules.ALERT_KINDS.get(row.kind, row.kind),
        row.level, row.title, row.state, row.raised_at,
    )  # fmt: skip


def alert_brief(session: Session, *, actor: Actor, alert_id: int) -> AlertBrief | None:
    """One alert in scope (None when out of scope or unknown)."""
    require(actor, Capability.READ_BUSINESS)
    row = session.scalar(
        select(Alert).where(Alert.id == alert_id, _in_scope(actor, Alert.region_code))
    )
    return None if row is None else _brief(row)


def open_alerts(
    session: Session, *, actor: Actor, limit: int, exclude: Select[int] | None = None
) -> list[AlertBrief]:
    """Alerts in scope not yet closed, the most severe first, then the newest; without the
    businesses ``exclude`` names."""
    require(actor, Capability.READ_BUSINESS)
    stmt = select(Alert).where(
        Alert.state.in_(ALERT_OPEN_STATES), _in_scope(actor, Alert.region_code)
    )
    if exclude is not None:
        stmt = stmt.where(Alert.entity_id.not_in(exclude))
    rows = session.scalars(
        stmt.order_by(Alert.level, Alert.raised_at.desc(), Alert.id.desc()).limit(limit)
    ).all()
    return [_brief(row) for row in rows]


def assessments_of(
    session: Session, *, actor: Actor, entity_ids: Iterable[int]
) -> dict[int, AssessmentView]:
    """Current assessments of a few businesses (a page of proposals), by id."""
    require(actor, Capability.READ_BUSINESS)
    wanted = sorted(set(entity_ids))
    found: dict[int, AssessmentView] = {}
    stamps = Stamps(session)
    for start in range(0, len(wanted), 500):
        for row in session.scalars(
            select(Assessment).where(
                Assessment.entity_id.in_(wanted[start : start + 500]),
                _in_scope(actor, Assessment.region_code),
            )
        ):
            found[row.entity_id] = AssessmentView.of(row, stamps.of(row.run_id))
    return found


@dataclass(frozen=True, slots=True)
class IndicatorView:
    id: int
    code: str
    version: int
    name: str
    matter: str
    risk_point: str
    explanation: str
    threshold: float
    unit: str
    fields: list[str]


def _view(row_id: int, version: int, spec: IndicatorSpec) -> IndicatorView:
    return IndicatorView(
        row_id,
        spec.code,
        version,
        spec.name,
        spec.matter,
        spec.risk_point,
        spec.explanation,
        spec.threshold,
        spec.unit,
        list(spec.fields),
    )


def indicators_by_field(session: Session, *, field: str | None = None) -> list[IndicatorView]:
    """Published indicators that apply to a supervised field (all of them when None); general
    credit-risk indicators apply to every field."""
    found = []
    for row in indicators.published(session):
        spec = IndicatorSpec.model_validate(row.definition)
        if field is None or bool(applies(spec, _one(field))[0]):
            found.append(_view(row.id, row.version, spec))
    return found


def indicator_codes(session: Session) -> set[str]:
    """Every indicator code the risk domain knows: the shipped library and every code in the
    indicator table that is published or in draft (a retired code measures nothing now)."""
    shipped = {str(item["code"]) for item in indicators.default_library()}
    stored = session.scalars(
        select(Indicator.code).where(Indicator.status.in_(("published", "draft"))).distinct()
    )
    return shipped | {str(code) for code in stored}


def indicators_for_matter(session: Session, *, matter: str) -> list[IndicatorView]:
    """Published indicators serving a matter (事项), e.g. ``电梯安全`` — for the lists' key risk
    points."""
    return [
        _view(row.id, row.version, spec)
        for row in indicators.published(session)
        if (spec := IndicatorSpec.model_validate(row.definition)).matter == matter
    ]


def _one(field: str) -> np.ndarray:
    return np.array([field], dtype=object)


def level_counts(session: Session, *, actor: Actor, region: str | None = None) -> dict[int, int]:
    """Businesses in scope by current level."""
    require(actor, Capability.READ_BUSINESS)
    stmt = select(Assessment.level, func.count()).where(_in_scope(actor, Assessment.region_code))
    if region:
        stmt = stmt.where(region_prefix_clause(Assessment.region_code, region))
    rows = session.execute(stmt.group_by(Assessment.level)).all()
    found = {int(level): int(n) for level, n in rows}
    return {level: found.get(level, 0) for level in (1, 2, 3, 4)}


@dataclass(frozen=True, slots=True)
class AlertIn:
    """An early warning another domain raises (an overdue rectification task …): about one
    business, routed to ``region_code``, raised once per ``dedup_key``."""

    kind: str  # one of rules.ALERT_KINDS (at most 20 characters: the column is that wide)
    entity_id: int
    region_code: str
    level: int
    title: str
    detail: dict[str, Any]
    dedup_key: str


def raise_alerts(
    session: Session, *, actor: Actor, alerts: Sequence[AlertIn], now: dt.datetime
) -> list[int]:
    """Add the alerts whose ``dedup_key`` has never been raised (whatever became of the earlier
    one: a closed alert is not raised again for the same thing); returns the new alerts' ids.

    Only regions inside the actor's jurisdiction are written to, so a job run for one city
    cannot drop alerts into another's inbox."""
    require(actor, Capability.READ_BUSINESS)
    for a in alerts:
        if a.kind not in rules.ALERT_KINDS:
            raise ValueError(f"unknown alert kind {a.kind!r}")
        if not a.region_code.startswith(actor.jurisdiction):
            raise OutOfJurisdiction(region=a.region_code)
    keys = sorted({a.dedup_key for a in alerts})
    seen: set[str] = set()
    for n in range(0, len(keys), LOOKUP_CHUNK):
        seen.update(
            session.scalars(
                select(Alert.dedup_key).where(Alert.dedup_key.in_(keys[n : n + LOOKUP_CHUNK]))
            )
        )
    fresh = []
    for a in alerts:
        if a.dedup_key in seen:
            continue
        seen.add(a.dedup_key)
        fresh.append(
            Alert(kind=a.kind, entity_id=a.entity_id, region_code=a.region_code,
                  indicator_code=None, level=a.level, title=a.title[:300], detail=a.detail,
                  dedup_key=a.dedup_key, raised_at=now, state="open", updated_at=now,
                  updated_by=actor.username)
        )  # fmt: skip
    session.add_all(fresh)
    session.flush()
    return [a.id for a in fresh]


ALERTS_SHOWN = 50  # on a business's file


def open_alerts_of(session: Session, *, actor: Actor, entity_id: int) -> list[Alert]:
    """The business's alerts not yet closed, in the actor's region, newest first."""
    require(actor, Capability.READ_BUSINESS)
    return list(
        session.scalars(
            select(Alert)
            .where(
                Alert.entity_id == entity_id,
                Alert.state != "closed",
                _in_scope(actor, Alert.region_code),
            )
            .order_by(Alert.raised_at.desc(), Alert.id.desc())
            .limit(ALERTS_SHOWN)
        )
    )


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
