"""Businesses' current risk assessments as other domains read them: one business's (with its
reasons and the day it stands for), a few or many at once, the top ones for a worklist, counts
by level, and (entity_id, level) sub-selects to fold into their own scoped queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.roles import Capability
from lookthrough.core.scope import (
    THE_BUSINESS,
    business_params,
    region_param_clause,
    region_prefix_clause,
    require,
)
from lookthrough.risk import rules
from lookthrough.risk.fields import FIELD_LABELS
from lookthrough.risk.models import Assessment, ScoringRun
from lookthrough.risk.service.base import LOOKUP_CHUNK, in_scope


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


@lru_cache(maxsize=1)
def _current_statement() -> Select[Assessment, dt.date, dt.datetime]:
    # The run whose stamps the row carries is found in the same statement (Stamps, in SQL):
    # the file asks this once per business.
    last_full = func.coalesce(
        select(func.max(ScoringRun.id)).where(ScoringRun.kind == "full").scalar_subquery(), 0
    )
    stamped_by = case((Assessment.run_id > last_full, Assessment.run_id), else_=last_full)
    return (
        select(Assessment, ScoringRun.as_of, ScoringRun.finished_at)
        .join(ScoringRun, ScoringRun.id == stamped_by)
        .where(Assessment.entity_id == THE_BUSINESS, region_param_clause(Assessment.region_code))
    )


def current_assessment(session: Session, *, actor: Actor, entity_id: int) -> AssessmentView | None:
    """The business's current assessment (None when out of scope or not scored yet)."""
    require(actor, Capability.READ_BUSINESS)
    found = session.execute(_current_statement(), business_params(actor, entity_id)).first()
    return None if found is None else AssessmentView.of(found[0], (found[1], found[2]))


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
                    in_scope(actor, Assessment.region_code),
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


def entities_at_levels(
    actor: Actor, *, levels: Iterable[int], region: str | None = None
) -> Select[int]:
    """Ids of the businesses in scope whose current level is one of ``levels`` (a sub-select)."""
    require(actor, Capability.READ_BUSINESS)
    stmt = select(Assessment.entity_id).where(
        Assessment.level.in_(list(levels)), in_scope(actor, Assessment.region_code)
    )
    if region:
        stmt = stmt.where(region_prefix_clause(Assessment.region_code, region))
    return stmt


def level_select(actor: Actor, *, region: str | None = None) -> Select[int, int]:
    """(entity_id, level) of the assessed businesses in scope: the current level of each, as a
    sub-select to outer-join into a query over businesses (a draw's millions of candidates)."""
    require(actor, Capability.READ_BUSINESS)
    stmt = select(Assessment.entity_id, Assessment.level).where(
        in_scope(actor, Assessment.region_code)
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
        Assessment.level.in_(list(levels)), in_scope(actor, Assessment.region_code)
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
                in_scope(actor, Assessment.region_code),
            )
        ):
            found[row.entity_id] = AssessmentView.of(row, stamps.of(row.run_id))
    return found


def level_counts(session: Session, *, actor: Actor, region: str | None = None) -> dict[int, int]:
    """Businesses in scope by current level."""
    require(actor, Capability.READ_BUSINESS)
    stmt = select(Assessment.level, func.count()).where(in_scope(actor, Assessment.region_code))
    if region:
        stmt = stmt.where(region_prefix_clause(Assessment.region_code, region))
    rows = session.execute(stmt.group_by(Assessment.level)).all()
    found = {int(level): int(n) for level, n in rows}
    return {level: found.get(level, 0) for level in (1, 2, 3, 4)}
