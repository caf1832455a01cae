"""Scoring penetration against a synthetic province's planted common causes (``truth/``).

Each planted problem is set up the way an official would set it up from records — the population
it is counted among and the records that show it — and penetration then searches every factor
type without being told which one was planted. Two figures come out:

* ``top3_recovery``: the share of planted causes that are significant and among the top three
  factors of their problem. Where one problem has several planted causes (six oil suppliers
  behind 酸价超标), a cause's rank is counted with the *other planted causes of the same problem*
  set aside — the "filtered" rank of link-prediction evaluation — so that six true causes can all
  count as found. The unfiltered rank is reported beside it.
* ``false_discovery_rate``: of the factors reported as significant, the share that are not a
  planted cause of that problem.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.errors import ValidationFailed
from lookthrough.core.roles import Role
from lookthrough.lists import signatures
from lookthrough.lists.signatures import ABSOLUTE_TERMS, Signature
from lookthrough.penetration import analysis
from lookthrough.penetration.graph import Population
from lookthrough.registry.models import Entity, Person

# GB/T 4754-2017 codes of the food chain: catering, food retail and wholesale, food makers.
FOOD_INDUSTRIES = ("H62", "F5121", "F5124", "F5211", "F5212", "F5221", "F5223", "C13", "C14")
LIVE_COMMERCE = ("F5292",)


@dataclass(frozen=True, slots=True)
class Setup:
    """How a planted problem is set up: among whom, shown by which records, found as which
    factor type."""

    population: Population
    signature: Signature
    factor_type: str


SETUPS: dict[str, Setup] = {
    "电梯困人": Setup(
        Population(unit="elevator"),
        Signature(kind="incident", values=["电梯困人"], unit="elevator"),
        "maintainer",
    ),
    "食用植物油酸价超标": Setup(
        Population(industry_prefixes=FOOD_INDUSTRIES, exposure_kinds=("sampling",)),
        Signature(kind="sampling_item", values=["酸价"]),
        "supplier",
    ),
    "空壳企业失联、经营异常": Setup(
        Population(),
        Signature(kind="list_entry", values=["abnormal_list", "dishonesty_list"]),
        "controller",
    ),
    "直播带货使用绝对化用语": Setup(
        Population(industry_prefixes=LIVE_COMMERCE, subject_kinds=("shop",)),
        Signature(kind="text_terms", values=list(ABSOLUTE_TERMS)),
        "platform",
    ),
}
TOP = 3


def evaluator() -> Actor:
    """The province analyst's view: the whole province, every factor named."""
    return Actor(
        user_id=None,
        username="system:penetration evaluate",
        role=Role.PROVINCE_ANALYST,
        jurisdiction="34",
        region="34",
    )


def read_causes(folder: Path) -> list[dict[str, Any]]:
    """``causes.json`` from a province folder or its ``truth/`` folder."""
    for path in (folder / "truth" / "causes.json", folder / "causes.json"):
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, list):
                raise ValidationFailed(f"{path} 应为原因列表")
            return data
    raise ValidationFailed(f"在 {folder} 下找不到 truth/causes.json（请指定合成省份目录）")


def _factor_refs(session: Session, causes: list[dict[str, Any]]) -> dict[str, str]:
    """Each cause's factor as penetration names it (entity:ID, person:ID)."""
    refs: dict[str, str] = {}
    for cause in causes:
        key = cause["factor_key"]
        if cause["factor_type"] == "person":
            found = session.scalar(select(Person.id).where(Person.key.endswith(f":{key}")))
            refs[cause["cause_id"]] = f"person:{found}" if found else ""
        else:
            found = session.scalar(select(Entity.id).where(Entity.uscc == key))
            refs[cause["cause_id"]] = f"entity:{found}" if found else ""
    return refs


def evaluate(
    session: Session,
    *,
    folder: Path,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run penetration on every planted problem and score it."""
    causes = read_causes(folder)
    refs = _factor_refs(session, causes)
    actor = evaluator()
    by_problem: dict[str, list[dict[str, Any]]] = {}
    for cause in causes:
        by_problem.setdefault(cause["problem"], []).append(cause)
    problems: list[dict[str, Any]] = []
    scored: list[bool] = []
    significant = false_found = 0
    for problem, planted in by_problem.items():
        setup = SETUPS.get(problem)
        if setup is None:
            problems.append({"problem": problem, "skipped": "no set-up for this problem"})
            continue
        if progress:
            progress(problem)
        found = signatures.hits(session, actor=actor, signature=setup.signature)
        evidence: dict[int, list[str]] = {}
        for hit in found:
            if hit.unit_id is not None:
                evidence.setdefault(hit.unit_id, []).append(hit.record_id)
        result = analysis.analyse(session, population=setup.population, evidence=evidence)
        truth = {(setup.factor_type, refs[c["cause_id"]]) for c in planted}
        reported = [(f.factor_type, f.ref) for f in result.factors]
        for cause in planted:
            key = (setup.factor_type, refs[cause["cause_id"]])
            raw = reported.index(key) + 1 if key in reported else None
            others = truth - {key}
            filtered = [k for k in reported if k not in others]
            rank = filtered.index(key) + 1 if key in filtered else None
            factor = result.factors[raw - 1] if raw else None
            ok = bool(factor and factor.significant and rank is not None and rank <= TOP)
            scored.append(ok)
            cause_row = {"cause_id": cause["cause_id"], "factor": cause["factor_name"],
                         "rank": rank, "unfiltered_rank": raw, "recovered": ok,
                         "q_value": factor.q_value if factor else None}  # fmt: skip
            problems.append({"problem": problem, **cause_row})
        wrong = [f for f in result.significant if (f.factor_type, f.ref) not in truth]
        significant += len(result.significant)
        false_found += len(wrong)
        problems.append(
            {
                "problem": problem,
                "universe": result.universe,
                "affected": result.affected,
                "tests": result.tests,
                "significant": len(result.significant),
                "false": [f"{f.type_label}:{f.label}" for f in wrong],
            }
        )
    return {
        "top3_recovery": round(sum(scored) / len(scored), 4) if scored else 0.0,
        "false_discovery_rate": round(false_found / significant, 4) if significant else 0.0,
        "causes": len(scored),
        "recovered": sum(scored),
        "significant": significant,
        "false_discoveries": false_found,
        "details": problems,
    }
