"""Risk dashboards: the map coloured by risk (by sub-region, down to county, town and grid), the
distribution by field and level, trends, and the top risks with their reasons — all in scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.roles import Capability
from lookthrough.core.scope import ensure_region, region_prefix_clause, require
from lookthrough.dashboard.service import CHILD_LENGTH, Cell, MapStats
from lookthrough.regions import service as regions_service
from lookthrough.registry.models import Entity
from lookthrough.risk import rules
from lookthrough.risk.fields import FIELD_LABELS
from lookthrough.risk.models import Assessment, Snapshot
from lookthrough.risk.service import AssessmentView, Stamps

RiskMetric = Literal["high", "major", "permille"]
RISK_METRIC_LABELS: dict[str, str] = {
    "high": "重大及较大风险主体数",
    "major": "重大风险主体数",
    "permille": "重大及较大风险主体占比（‰）",
}


def _region(actor: Actor, region: str | None) -> str:
    require(actor, Capability.READ_BUSINESS)
    code = region or actor.region
    ensure_region(actor, code)
    return code


def risk_map(
    session: Session, *, actor: Actor, region: str | None, metric: RiskMetric = "high"
) -> MapStats:
    """One number per child region (the same shape as the home map, so its script draws it)."""
    code = _region(actor, region)
    here = regions_service.require_region(session, code)
    kids = regions_service.children(session, code)
    length = CHILD_LENGTH.get(here.level, len(code))
    key = func.substr(Assessment.region_code, 1, length)
    high = func.sum(case((Assessment.level <= 2, 1), else_=0))
    major = func.sum(case((Assessment.level == 1, 1), else_=0))
    rows = session.execute(
        select(key, high, major, func.count())
        .where(
            region_prefix_clause(Assessment.region_code, actor.region),
            region_prefix_clause(Assessment.region_code, code),
        )
        .group_by(key)
    ).all()

    def value(h: int, m: int, n: int) -> int:
        if metric == "major":
            return int(m)
        if metric == "permille":
            return round(1000 * int(h) / int(n)) if n else 0
        return int(h)

    by_code = {str(k): value(h or 0, m or 0, n) for k, h, m, n in rows}
    cells = [Cell(k.code, k.name, by_code.get(k.code, 0), k.has_boundary) for k in kids]
    totals = [sum(int(r[i] or 0) for r in rows) for i in (1, 2, 3)]
    total = value(*totals)
    placed = sum(c.value for c in cells) if metric != "permille" else total
    geo = f"/static/geo/{code}.json" if here.has_boundary else None
    parent = (
        here.parent_code if here.parent_code and here.parent_code.startswith(actor.region) else None
    )
    return MapStats(
        code,
        here.name,
        here.level,
        metric,
        RISK_METRIC_LABELS[metric],
        total,
        total - placed,
        cells,
        geo,
        parent,
    )


@dataclass(frozen=True, slots=True)
class FieldRow:
    field: str
    label: str
    levels: dict[int, int]
    total: int


def distribution(session: Session, *, actor: Actor, region: str | None) -> list[FieldRow]:
    """Businesses by field and level."""
    code = _region(actor, region)
    rows = session.execute(
        select(Assessment.field, Assessment.level, func.count())
        .where(
            region_prefix_clause(Assessment.region_code, actor.region),
            region_prefix_clause(Assessment.region_code, code),
        )
        .group_by(Assessment.field, Assessment.level)
    ).all()
    table: dict[str, dict[int, int]] = {}
    for fld, lvl, n in rows:
        table.setdefault(str(fld), {1: 0, 2: 0, 3: 0, 4: 0})[int(lvl)] = int(n)
    found = [FieldRow(f, FIELD_LABELS.get(f, f), lv, sum(lv.values())) for f, lv in table.items()]
    return sorted(found, key=lambda r: (-(r.levels[1] + r.levels[2]), -r.total))


@dataclass(frozen=True, slots=True)
class TrendPoint:
    as_of: dt.date
    levels: dict[int, int]


def trend(session: Session, *, actor: Actor, region: str | None) -> list[TrendPoint]:
    """Businesses by level after each full re-score (snapshots are kept per county, so a view
    below county level has no trend line)."""
    code = _region(actor, region)
    if len(code) > 6:
        return []
    rows = session.execute(
        select(Snapshot.as_of, Snapshot.run_id, Snapshot.level, func.sum(Snapshot.entities))
        .where(region_prefix_clause(Snapshot.region_code, code))
        .group_by(Snapshot.as_of, Snapshot.run_id, Snapshot.level)
        .order_by(Snapshot.run_id)
    ).all()
    points: dict[int, TrendPoint] = {}
    for as_of, run_id, lvl, n in rows:
        point = points.setdefault(int(run_id), TrendPoint(as_of, {1: 0, 2: 0, 3: 0, 4: 0}))
        point.levels[int(lvl)] = int(n or 0)
    return list(points.values())


@dataclass(frozen=True, slots=True)
class TopRisk:
    name: str
    assessment: AssessmentView


def top_risks(
    session: Session, *, actor: Actor, region: str | None, limit: int = 20, offset: int = 0
) -> tuple[list[TopRisk], int]:
    """The riskiest businesses in scope (level first, then probability), with their reasons."""
    code = _region(actor, region)
    where = (
        region_prefix_clause(Assessment.region_code, actor.region),
        region_prefix_clause(Assessment.region_code, code),
        Assessment.level <= 3,
    )
    total = session.scalar(select(func.count()).select_from(Assessment).where(*where)) or 0
    rows = session.execute(
        select(Assessment, Entity.name)
        .join(Entity, Entity.id == Assessment.entity_id)
        .where(*where)
        .order_by(Assessment.level, Assessment.probability.desc(), Assessment.entity_id)
        .limit(limit)
        .offset(offset)
    ).all()
    stamps = Stamps(session)
    return [TopRisk(name, AssessmentView.of(a, stamps.of(a.run_id))) for a, name in rows], int(
        total
    )


LEVEL_NAMES = {level: rules.level_label(level) for level in rules.LEVELS}
