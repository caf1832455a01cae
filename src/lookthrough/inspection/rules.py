"""Plan rules (一单两库一细则), pure: who may be drawn, which items apply, how visits merge.

Each function's docstring is the explanation shown to officials. Columns of the subject pool
are numpy arrays so the same code plans a county and the whole province (7.5M businesses).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from lookthrough.inspection import draw
from lookthrough.inspection.draw import Candidates, DrawInputError, InspectorPool, Visit

CLASSES = ("A", "B", "C", "D")
RISK_LEVELS = ("I", "II", "III", "IV")  # 重大 / 较大 / 一般 / 低
# 信用风险分类管理: A 类"无事不扰"，不主动抽查；D 类提高比例和频次。Defaults of a new plan.
DEFAULT_RATIOS = {"A": "0", "B": "0.03", "C": "0.10", "D": "0.30"}


@dataclass(frozen=True, slots=True)
class ItemSpec:
    """One inspection item (抽查事项) of the list 一单."""

    code: str
    name: str
    department: str
    qualification: str | None = None  # what an inspector must hold to check it
    matter: str | None = None  # the screening manual it is checked by
    industry_prefixes: tuple[str, ...] = ()  # GB/T 4754 codes it applies to; () = every business


@dataclass(frozen=True, slots=True)
class PlanSpec:
    """What a plan says: items, subject filter, ratios per class, the burden cap, team size."""

    code: str
    name: str
    region: str
    year: int
    items: tuple[ItemSpec, ...]
    ratios: Mapping[str, Fraction]
    unclassified_as: str  # the class whose ratio unclassified businesses are drawn at
    cap: int  # visits per business per year, all departments together
    team_size: int = 2
    industry_prefixes: tuple[str, ...] = ()
    risk_levels: tuple[str, ...] = ()  # () = no risk filter

    def ratio(self, stratum: str) -> Fraction:
        if stratum == "U":
            return self.ratios.get(self.unclassified_as, Fraction(0))
        return self.ratios.get(stratum, Fraction(0))


def check_spec(spec: PlanSpec) -> None:
    """A plan must name items, keep A-class businesses out of proactive draws (无事不扰), have a
    cap of at least one visit, and send teams of at least two inspectors (行政执法两人以上)."""
    if not spec.items:
        raise DrawInputError("计划须至少包含一个抽查事项")
    if spec.ratios.get("A", Fraction(0)) != 0:
        raise DrawInputError("A 类（信用风险低）主体不主动抽查，比例须为 0")
    if spec.unclassified_as not in CLASSES:
        raise DrawInputError(f"未分类主体按哪一类处理须是 {'、'.join(CLASSES)} 之一")
    if spec.cap < 1:
        raise DrawInputError("每户每年检查次数上限至少为 1")
    if spec.team_size < 2:
        raise DrawInputError("每个检查组至少 2 名执法人员")
    unknown = [level for level in spec.risk_levels if level not in RISK_LEVELS]
    if unknown:
        raise DrawInputError(f"风险等级只能是 I、II、III、IV：{'、'.join(unknown)}")
    codes = [item.code for item in spec.items]
    if len(set(codes)) != len(codes):
        raise DrawInputError("抽查事项重复")


@dataclass(frozen=True)
class SubjectTable:
    """The subject pool 主体库 as columns (one row per business)."""

    keys: npt.NDArray[np.bytes_]  # USCC, or the registry key when there is none
    regions: npt.NDArray[np.bytes_]
    industries: npt.NDArray[np.bytes_]
    classes: npt.NDArray[np.uint8]  # ord("A") … ord("D"), or 0: not classified
    risk: npt.NDArray[np.uint8]  # 1 … 4 for I … IV, or 0: not assessed
    visits: npt.NDArray[np.int32]  # visits already made or planned this year

    def __len__(self) -> int:
        return int(self.keys.shape[0])


def _startswith_any(
    column: npt.NDArray[np.bytes_], prefixes: Sequence[str]
) -> npt.NDArray[np.bool_]:
    if not prefixes:
        return np.ones(column.shape[0], dtype=bool)
    mask = np.zeros(column.shape[0], dtype=bool)
    for prefix in prefixes:
        mask |= np.char.startswith(column, prefix.encode("utf-8"))
    return mask


@dataclass(frozen=True)
class Eligibility:
    mask: npt.NDArray[np.bool_]
    excluded: dict[str, int]  # reason → businesses left out for it (in region and industry)


def eligible(table: SubjectTable, spec: PlanSpec) -> Eligibility:
    """Who may be drawn: businesses in the plan's region and industries that at least one item
    applies to, passing the risk filter, and below the year's visit cap (无事不扰: a business
    already visited ``cap`` times this year by any department is not drawn again)."""
    scope = np.char.startswith(table.regions, spec.region.encode()) & _startswith_any(
        table.industries, spec.industry_prefixes
    )
    items_apply = np.zeros(len(table), dtype=bool)
    for item in spec.items:
        items_apply |= _startswith_any(table.industries, item.industry_prefixes)
    mask = scope & items_apply
    excluded: dict[str, int] = {}
    if spec.risk_levels:
        wanted = np.array([RISK_LEVELS.index(x) + 1 for x in spec.risk_levels], dtype=np.uint8)
        passes = np.isin(table.risk, wanted)
        excluded["risk_filter"] = int(np.count_nonzero(mask & ~passes))
        mask &= passes
    at_cap = table.visits >= spec.cap
    excluded["cap_reached"] = int(np.count_nonzero(mask & at_cap))
    mask &= ~at_cap
    return Eligibility(mask, excluded)


def strata(classes: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """The stratum of each business: its credit class, or U when it has none."""
    return np.where(classes == 0, np.uint8(ord("U")), classes).astype(np.uint8)


def department_needs(spec: PlanSpec, industry: bytes) -> tuple[tuple[str, frozenset[str]], ...]:
    """Which departments visit a business and what their inspectors must be qualified for:
    the items that apply to its industry, grouped by department (综合查一次: all of them in
    one visit)."""
    needs: dict[str, set[str]] = {}
    text = industry.decode("utf-8")
    for item in spec.items:
        if not item.industry_prefixes or text.startswith(item.industry_prefixes):
            quals = needs.setdefault(item.department, set())
            if item.qualification:
                quals.add(item.qualification)
    return tuple((dept, frozenset(quals)) for dept, quals in sorted(needs.items()))


def items_for(spec: PlanSpec, industry: str) -> list[ItemSpec]:
    return [
        item
        for item in spec.items
        if not item.industry_prefixes or industry.startswith(item.industry_prefixes)
    ]


@dataclass
class PlanDraw:
    """Everything a draw produced, in the canonical orders the published file uses."""

    candidates: Candidates
    candidates_hash: str
    rows: npt.NDArray[np.int64]  # table row of each candidate, in canonical order
    drawn: npt.NDArray[np.int64]  # positions in the candidate list, ascending
    visits: list[Visit]
    assignments: list[draw.Assignment]
    excluded: dict[str, int]
    summary: dict[str, int] = field(default_factory=dict)


def visits_for(
    spec: PlanSpec,
    *,
    keys: Sequence[bytes],
    regions: Sequence[str],
    industries: Sequence[bytes],
    exclusions: Mapping[bytes, frozenset[str]],
    pool: InspectorPool,
) -> list[Visit]:
    """One joint visit per drawn business: every department whose items apply comes along."""
    index = pool.index()
    cache: dict[bytes, tuple[tuple[str, frozenset[str]], ...]] = {}
    visits: list[Visit] = []
    for key, region, industry in zip(keys, regions, industries, strict=True):
        needs = cache.get(industry)
        if needs is None:
            needs = cache[industry] = department_needs(spec, industry)
        banned = exclusions.get(key)
        visits.append(
            Visit(
                region=region,
                needs=needs,
                excluded=frozenset(index[c] for c in banned if c in index)
                if banned
                else frozenset(),
            )
        )
    return visits


def summarise(visits: Sequence[Visit], assignments: Sequence[draw.Assignment]) -> dict[str, int]:
    """Visits, the department visits they replace (综合查一次) and how many were saved."""
    department_visits = sum(len(v.needs) for v in visits)
    return {
        "drawn": len(visits),
        "visits": len(visits),
        "department_visits": department_visits,
        "visits_saved": department_visits - len(visits),
        "unassigned": sum(1 for a in assignments if a.unassigned),
    }


def prepare(
    table: SubjectTable, spec: PlanSpec
) -> tuple[Candidates, npt.NDArray[np.int64], dict[str, int]]:
    """The canonical candidate list of a plan (what is hashed and published before drawing)."""
    check_spec(spec)
    chosen = eligible(table, spec)
    rows = np.flatnonzero(chosen.mask).astype(np.int64)
    candidates, order = draw.canonical_order(table.keys[rows], strata(table.classes[rows]))
    return candidates, rows[order], chosen.excluded


def run(
    table: SubjectTable,
    spec: PlanSpec,
    *,
    seed: str,
    pool: InspectorPool,
    exclusions: Mapping[bytes, frozenset[str]],
    prepared: tuple[Candidates, npt.NDArray[np.int64], dict[str, int]] | None = None,
) -> PlanDraw:
    """Draw the plan: stratified subjects, one joint visit each, random qualified teams.

    ``exclusions`` names, per business key, the inspectors it must not get: declared conflicts
    of interest and the inspectors of its last visit (not the same inspector twice in a row).
    """
    candidates, rows, excluded = prepared or prepare(table, spec)
    ratios = {s: spec.ratio(s) for s in draw.STRATA}
    drawn = draw.draw_subjects(candidates, seed, ratios)
    picked = rows[drawn]
    visits = visits_for(
        spec,
        keys=[bytes(k) for k in candidates.keys[drawn]],
        regions=[bytes(r).decode() for r in table.regions[picked]],
        industries=[bytes(i) for i in table.industries[picked]],
        exclusions=exclusions,
        pool=pool,
    )
    assignments = draw.assign(visits, pool, seed, spec.team_size)
    summary = {"candidates": len(candidates), **summarise(visits, assignments)}
    return PlanDraw(
        candidates,
        draw.candidates_hash(candidates),
        rows,
        drawn,
        visits,
        assignments,
        excluded,
        summary,
    )


def results_overdue(results_due: date | None, today: date, open_visits: int) -> bool:
    """一公开：抽取后规定期限内（默认 20 日）须公示全部检查结果；期限已过仍有未完成（未公示）的
    检查户，即为公示逾期。"""
    return results_due is not None and today > results_due and open_visits > 0
