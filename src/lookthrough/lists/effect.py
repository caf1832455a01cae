"""整改成效 ("did it work?"): for a rectified problem, the share of units showing it before and
after the rectification, among the targeted ones and among comparable untargeted ones, with the
difference-in-differences and its confidence interval (``rules.did``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.errors import Conflict
from lookthrough.core.roles import Capability
from lookthrough.core.scope import require
from lookthrough.lists import matters, problems, rules, signatures, tasks
from lookthrough.lists.models import Matter
from lookthrough.penetration import graph
from lookthrough.registry.models import Entity, Subject

# Factor types through which a targeted business reaches other units: its customers (supplier),
# the elevators it maintains, the shops on it (platform), the lots it made, the objects it uses.
REACH_TYPES = frozenset({"supplier", "maintainer", "platform", "producer", "owner"})


@dataclass(frozen=True, slots=True)
class EffectView:
    problem_id: int
    windows: rules.Windows
    effect: rules.Effect
    treated_units: int
    control_units: int
    comparison: str  # how the comparable units were chosen
    reading: str  # one sentence for officials

    @property
    def estimable(self) -> bool:
        return not math.isnan(self.effect.estimate)


def _at(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _reached(links: graph.Links, targeted: set[int], unit: str) -> set[int]:
    """Units a targeted business is, or reaches through one of its relations."""
    units = links.units
    found = {int(u) for u in units if int(u) in targeted} if unit == "entity" else set()
    wanted = {f"entity:{e}" for e in targeted}
    hit_rows = [
        n
        for n, (ftype, ref) in enumerate(zip(links.factor_types, links.factor_refs, strict=True))
        if ftype in REACH_TYPES and ref in wanted
    ]
    if hit_rows:
        mask = np.isin(links.rows, np.array(hit_rows, dtype=np.int64))
        found |= {int(units[c]) for c in links.cols[mask]}
    return found


def _counties(session: Session, unit: str, ids: set[int]) -> dict[int, str]:
    model = Entity if unit == "entity" else Subject
    found: dict[int, str] = {}
    wanted = sorted(ids)
    for n in range(0, len(wanted), 2000):
        for i, code in session.execute(
            select(model.id, model.region_code).where(model.id.in_(wanted[n : n + 2000]))
        ):
            found[int(i)] = str(code)[:6]
    return found


def _reading(e: rules.Effect) -> str:
    if math.isnan(e.estimate):
        return "整改后时间太短或没有可比主体，暂不能评估成效"
    change = e.treated_after - e.treated_before
    words = f"被整改对象问题率由 {e.treated_before:.1%} 变为 {e.treated_after:.1%}"
    words += f"，可比对象由 {e.control_before:.1%} 变为 {e.control_after:.1%}"
    words += f"；双重差分 {e.estimate * 100:+.1f} 个百分点（95% 置信区间 "
    words += f"{e.low * 100:+.1f} 至 {e.high * 100:+.1f}）"
    if e.high < 0:
        return words + "，问题率的下降明显大于可比对象，整改见效"
    if e.low > 0:
        return words + "，问题率相对可比对象上升，整改未见成效"
    return words + ("，与可比对象的差异尚不显著" if change <= 0 else "，整改后问题率未下降")


def effect(
    session: Session, *, actor: Actor, problem_id: int, today: date, cut: date | None = None
) -> EffectView:
    """Did the rectification lower the problem rate? ``cut``: when it took effect (default: the
    day the problem's first task was opened)."""
    require(actor, Capability.READ_BUSINESS)
    problem = problems.get(session, actor=actor, problem_id=problem_id)
    targeted = tasks.targeted_entities(session, actor=actor, problem_id=problem.id)
    opened = tasks.first_opened(session, actor=actor, problem_id=problem.id)
    if not targeted or opened is None:
        raise Conflict("该问题还没有整改任务，无法评估成效")
    cut = cut or opened
    spans = rules.windows(cut, today)
    matter = session.get(Matter, problem.matter_id)
    assert matter is not None
    population = matters.population_of(matter, actor.region)
    units = graph.universe(session, population)
    treated = _reached(graph.links(session, population, units), targeted, population.unit)
    others = set(units.tolist()) - treated
    counties = _counties(session, population.unit, treated | others)
    treated_counties = {counties.get(u) for u in treated}
    comparable = {u for u in others if counties.get(u) in treated_counties}
    comparison = "同一事项、同一县区内未被整改的对象"
    if not comparable:
        comparable, comparison = others, "同一事项内未被整改的对象"
    before: set[int] = set()
    after: set[int] = set()
    if spans.days:
        for sig in problems.signatures_of(problem):
            for part, since, until in (
                (before, spans.before_start, spans.cut),
                (after, spans.cut, spans.after_end),
            ):
                part |= signatures.units_of(
                    signatures.hits(session, actor=actor, signature=sig, region=actor.region,
                                    since=_at(since), until=_at(until))
                )  # fmt: skip
        pairs_t = [(u in before, u in after) for u in sorted(treated)]
        pairs_c = [(u in before, u in after) for u in sorted(comparable)]
    else:
        pairs_t, pairs_c = [], []
    result = rules.did(pairs_t, pairs_c, seed=problem.id)
    return EffectView(problem.id, spans, result, len(treated), len(comparable), comparison,
                      _reading(result))  # fmt: skip
