"""The published draw file and its verification (`lookthrough inspection verify-draw FILE`).

The file holds everything needed to re-run a draw and nothing personal: the plan's rules, the
canonical candidate list (keys and strata), the commitment, the revealed seed, the inspector
pool (codes, departments, regions, qualifications), the inspectors each drawn business had to
avoid (by code), and the result. Pure: no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from lookthrough.inspection import draw, rules
from lookthrough.inspection.draw import Candidates, InspectorPool, Visit


def _ratio_text(value: Fraction) -> str:
    """An exact decimal for a ratio that came from a decimal (denominator 2^a 5^b)."""
    if value.denominator == 1:
        return str(value.numerator)
    digits = 0
    while (value * 10**digits).denominator != 1:
        digits += 1
        if digits > 12:
            raise draw.DrawInputError("抽查比例须为有限小数")
    return f"{value.numerator / value.denominator:.{digits}f}"


def plan_rules(spec: rules.PlanSpec) -> dict[str, Any]:
    return {
        "code": spec.code,
        "name": spec.name,
        "region": spec.region,
        "year": spec.year,
        "ratios": {s: _ratio_text(spec.ratios.get(s, Fraction(0))) for s in rules.CLASSES},
        "unclassified_as": spec.unclassified_as,
        "cap": spec.cap,
        "team_size": spec.team_size,
        "industry_prefixes": list(spec.industry_prefixes),
        "risk_levels": list(spec.risk_levels),
        "items": [
            {
                "code": i.code,
                "name": i.name,
                "department": i.department,
                "qualification": i.qualification,
                "matter": i.matter,
                "industry_prefixes": list(i.industry_prefixes),
            }
            for i in spec.items
        ],
    }


def document(
    *,
    spec: rules.PlanSpec,
    candidates: Candidates,
    candidates_hash: str,
    commitment: str,
    seed: str | None,
    pool: InspectorPool,
    subjects: Sequence[Mapping[str, Any]] = (),
    exclusions: Mapping[str, Sequence[str]] | None = None,
    assignments: Sequence[Mapping[str, Any]] = (),
    summary: Mapping[str, Any] | None = None,
    classes_source: str = "",
    include_candidates: bool = True,
) -> dict[str, Any]:
    """The file as published: before the draw (seed None, no result) or after it."""
    doc: dict[str, Any] = {
        "algorithm": draw.ALGORITHM,
        "plan": plan_rules(spec),
        "classes_source": classes_source,
        "candidates_hash": candidates_hash,
        "commitment": commitment,
        "seed": seed,
        "strata": candidates.counts(),
        "inspectors": [
            {
                "code": pool.codes[j],
                "department": pool.departments[j],
                "region": pool.regions[j],
                "qualifications": sorted(pool.qualifications[j]),
            }
            for j in range(len(pool.codes))
        ],
        "subjects": list(subjects),
        "exclusions": dict(exclusions or {}),
        "assignments": list(assignments),
        "summary": dict(summary or {}),
    }
    if include_candidates:
        doc["candidates"] = [
            [candidates.key(i), candidates.stratum(i)] for i in range(len(candidates))
        ]
    return doc


def results_of(
    result: rules.PlanDraw, pool: InspectorPool, subjects_extra: Sequence[Mapping[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ``subjects`` and ``assignments`` entries of a finished draw."""
    subjects: list[dict[str, Any]] = []
    assignments: list[dict[str, Any]] = []
    for n, position in enumerate(result.drawn.tolist()):
        key = result.candidates.key(position)
        visit = result.visits[n]
        subjects.append(
            subject_entry(key, result.candidates.stratum(position), visit) | dict(subjects_extra[n])
        )
        assignments += entries(key, visit, result.assignments[n], pool)
    return subjects, assignments


def subject_entry(key: str, stratum: str, visit: Visit) -> dict[str, Any]:
    """A drawn business as the file lists it: what re-running its assignment needs."""
    return {
        "key": key,
        "stratum": stratum,
        "region": visit.region,
        "needs": [{"department": d, "qualifications": sorted(q)} for d, q in visit.needs],
    }


def entries(
    key: str, visit: Visit, outcome: draw.Assignment, pool: InspectorPool
) -> list[dict[str, Any]]:
    """A visit's ``assignments`` entries: one per department, its team's codes or why none."""
    found: list[dict[str, Any]] = []
    for dept, _ in visit.needs:
        entry: dict[str, Any] = {"subject": key, "department": dept}
        if dept in outcome.teams:
            entry["inspectors"] = [pool.codes[j] for j in outcome.teams[dept]]
        else:
            entry["unassigned"] = outcome.unassigned[dept]
        found.append(entry)
    return found


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str


def verify(doc: Mapping[str, Any]) -> list[Check]:
    """Re-run a published draw from the file alone and compare, step by step."""
    checks: list[Check] = []
    if doc.get("algorithm") != draw.ALGORITHM:
        return [Check("algorithm", False, f"不支持的算法：{doc.get('algorithm')}")]
    seed = doc.get("seed")
    if not isinstance(seed, str) or not seed:
        return [Check("seed", False, "文件中没有公布随机种子（抽取尚未完成）")]
    ok = draw.commitment(seed) == doc["commitment"]
    checks.append(
        Check("commitment", ok, "种子与抽取前公布的承诺值" + ("一致" if ok else "不一致"))
    )
    pairs = doc.get("candidates")
    if pairs is None:
        return [*checks, Check("candidates", False, "文件未包含候选名单，无法复核")]
    candidates = draw.canonical([p[0] for p in pairs], [p[1] for p in pairs])
    ok = draw.candidates_hash(candidates) == doc["candidates_hash"]
    checks.append(
        Check(
            "candidates_hash",
            ok,
            f"候选名单 {len(candidates)} 户，哈希" + ("一致" if ok else "不一致"),
        )
    )
    plan = doc["plan"]
    ratios = {s: draw.parse_ratio(v) for s, v in plan["ratios"].items()}
    ratios["U"] = ratios.get(plan["unclassified_as"], Fraction(0))
    drawn = draw.draw_subjects(candidates, seed, ratios)
    expected = [candidates.key(i) for i in drawn.tolist()]
    published = [s["key"] for s in doc["subjects"]]
    outside = [k for k in published if candidates.position(k) is None]
    checks.append(
        Check(
            "subjects_in_candidates",
            not outside,
            "抽中主体均在候选名单内" if not outside else f"{len(outside)} 户不在候选名单内",
        )
    )
    ok = expected == published
    checks.append(
        Check(
            "subjects",
            ok,
            f"重新抽取 {len(expected)} 户，" + ("与公布结果一致" if ok else "与公布结果不一致"),
        )
    )
    if not ok:
        return checks
    pool = InspectorPool.of(
        (i["code"], i["department"], i["region"], i["qualifications"]) for i in doc["inspectors"]
    )
    index = pool.index()
    exclusions = doc.get("exclusions", {})
    visits = [
        Visit(
            region=s["region"],
            needs=tuple((n["department"], frozenset(n["qualifications"])) for n in s["needs"]),
            excluded=frozenset(index[c] for c in exclusions.get(s["key"], ()) if c in index),
        )
        for s in doc["subjects"]
    ]
    redone = draw.assign(visits, pool, seed, int(plan["team_size"]))
    mine = [
        entry
        for subject, visit, outcome in zip(doc["subjects"], visits, redone, strict=True)
        for entry in entries(subject["key"], visit, outcome, pool)
    ]
    theirs = [
        {k: v for k, v in a.items() if k in ("subject", "department", "inspectors", "unassigned")}
        for a in doc["assignments"]
    ]
    ok = mine == theirs
    checks.append(
        Check(
            "assignments",
            ok,
            f"重新分派 {len(mine)} 组，" + ("与公布结果一致" if ok else "与公布结果不一致"),
        )
    )
    return checks
