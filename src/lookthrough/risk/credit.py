""" "1+N" credit-risk classification (信用风险分类): one general A/B/C/D class for every business,
plus a class in its field's domain (food, special equipment, industrial products, online trade).

Classes are graded from the run's probabilities by share (``rules.credit_cuts``): a full re-score
recomputes the cut-offs for the general class and for each domain; an incremental run grades the
businesses it touched by the last full run's cut-offs. Every first class and every change is kept
in ``risk_credit_class_change`` (the history).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from lookthrough.engine.definitions import IndicatorSpec
from lookthrough.risk import rules, store
from lookthrough.risk.fields import FIELDS
from lookthrough.risk.models import CreditClass, CreditClassChange, ScoringRun

if TYPE_CHECKING:
    from lookthrough.risk.scoring import Assessed

GENERAL = "general"
DISHONESTY = "dishonesty_listed_60m"


def domain_of_fields(fields: np.ndarray) -> np.ndarray:
    lookup = {code: f.credit_domain for code, f in FIELDS.items()}
    return np.array([lookup.get(f, "") for f in fields.tolist()], dtype=object)


def last_cuts(session: Session) -> dict[str, list[float]] | None:
    details = session.scalar(
        select(ScoringRun.details)
        .where(ScoringRun.kind == "full")
        .order_by(ScoringRun.id.desc())
        .limit(1)
    )
    return None if details is None else details.get("cuts")


def _red_flags(specs: Sequence[IndicatorSpec], result: Assessed, domains: np.ndarray) -> np.ndarray:
    """Businesses with a warned-of indicator of their own domain over its threshold."""
    rows = result.frame
    flagged = np.zeros(len(rows.ids), dtype=bool)
    for j, spec in enumerate(specs):
        if not spec.alert or "all" in spec.fields:
            continue
        over = (
            rows.values[:, j] >= spec.threshold
            if spec.higher_is_riskier
            else (rows.values[:, j] <= spec.threshold)
        )
        flagged |= over & np.isin(rows.fields, spec.fields) & (domains != "")
    return flagged


def _grades(
    probability: np.ndarray, cut: rules.CreditCut, dishonest: np.ndarray, red: np.ndarray
) -> np.ndarray:
    grade = np.where(
        probability <= cut.ab,
        "A",
        np.where(probability <= cut.bc, "B", np.where(probability <= cut.cd, "C", "D")),
    ).astype(object)
    grade[red & np.isin(grade, ["A", "B"])] = "C"
    grade[dishonest] = "D"
    return grade


def classify(
    session: Session,
    *,
    result: Assessed,
    specs: Sequence[IndicatorSpec],
    model_id: str,
    as_of: dt.date,
    now: dt.datetime,
    cuts: dict[str, list[float]] | None,
) -> dict[str, list[float]]:
    """Grade the run's businesses, write current classes and their changes; returns the cuts."""
    rows = result.frame
    codes = [s.code for s in specs]
    dishonest = (
        rows.values[:, codes.index(DISHONESTY)] > 0
        if DISHONESTY in codes
        else np.zeros(len(rows.ids), dtype=bool)
    )
    domains = domain_of_fields(rows.fields)
    red = _red_flags(specs, result, domains)
    full = cuts is None
    cuts = dict(cuts or {})
    parts: list[tuple[np.ndarray, str, np.ndarray]] = []
    for domain in [GENERAL, *sorted({d for d in domains.tolist() if d})]:
        members = np.ones(len(rows.ids), dtype=bool) if domain == GENERAL else domains == domain
        if not members.any():
            continue
        if full or domain not in cuts:
            c = rules.credit_cuts(result.probability[members])
            cuts[domain] = [c.ab, c.bc, c.cd]
        cut = rules.CreditCut(*cuts[domain])
        flags = red[members] if domain != GENERAL else np.zeros(int(members.sum()), dtype=bool)
        grade = _grades(result.probability[members], cut, dishonest[members], flags)
        parts.append((np.flatnonzero(members), domain, grade))
    _write(session, result, parts, model_id, as_of, now, full=full)
    return cuts


def _previous(session: Session, ids: np.ndarray, full: bool) -> dict[tuple[int, str], str]:
    stmt = select(CreditClass.entity_id, CreditClass.domain, CreditClass.grade)
    found: dict[tuple[int, str], str] = {}
    if full:
        rows = session.execute(stmt).all()
        return {(int(e), d): g for e, d, g in rows}
    for start in range(0, len(ids), 20_000):
        chunk = [int(i) for i in ids[start : start + 20_000]]
        for e, d, g in session.execute(stmt.where(CreditClass.entity_id.in_(chunk))).all():
            found[(int(e), d)] = g
    return found


def _write(
    session: Session,
    result: Assessed,
    parts: list[tuple[np.ndarray, str, np.ndarray]],
    model_id: str,
    as_of: dt.date,
    now: dt.datetime,
    *,
    full: bool,
) -> None:
    rows = result.frame
    before = _previous(session, rows.ids, full)
    current: dict[str, list[Any]] = {
        k: [] for k in ("entity_id", "domain", "region_code", "grade", "probability")
    }
    changes: dict[str, list[Any]] = {
        k: [] for k in ("entity_id", "domain", "from_grade", "to_grade")
    }
    for members, domain, grade in parts:
        ids = rows.ids[members]
        current["entity_id"] += ids.tolist()
        current["domain"] += [domain] * len(ids)
        current["region_code"] += rows.regions[members].tolist()
        current["grade"] += grade.tolist()
        current["probability"] += np.round(result.probability[members], 6).tolist()
        old = np.array([before.get((int(e), domain)) for e in ids], dtype=object)
        moved = old != grade
        changes["entity_id"] += ids[moved].tolist()
        changes["domain"] += [domain] * int(moved.sum())
        changes["from_grade"] += old[moved].tolist()
        changes["to_grade"] += grade[moved].tolist()
    n, m = len(current["entity_id"]), len(changes["entity_id"])
    table = pa.table(
        {
            **{k: current[k] for k in ("entity_id", "domain", "region_code", "grade")},
            "probability": pa.array(current["probability"], pa.float64()),
            "model_id": [model_id] * n,
            "as_of": pa.array([as_of] * n, pa.date32()),
            "assessed_at": pa.array([now] * n, pa.timestamp("us", tz="UTC")),
        }
    )
    history = pa.table(
        {
            "entity_id": pa.array(changes["entity_id"], pa.int64()),
            "domain": pa.array(changes["domain"], pa.string()),
            "at": pa.array([now] * m, pa.timestamp("us", tz="UTC")),
            "as_of": pa.array([as_of] * m, pa.date32()),
            "from_grade": pa.array(changes["from_grade"], pa.string()),
            "to_grade": pa.array(changes["to_grade"], pa.string()),
        }
    )
    if full:
        store.replace_all(session, CreditClass.__table__, table)  # type: ignore[arg-type]
    else:
        store.upsert(session, CreditClass.__table__, table, ["entity_id", "domain"])  # type: ignore[arg-type]
    store.append(session, CreditClassChange.__table__, history)  # type: ignore[arg-type]
