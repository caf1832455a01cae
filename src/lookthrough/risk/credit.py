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
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from lookthrough.engine import extract
from lookthrough.engine.definitions import IndicatorSpec
from lookthrough.risk import rules, store
from lookthrough.risk.fields import FIELDS
from lookthrough.risk.models import CreditClass, CreditClassChange, ScoringRun
from lookthrough.risk.writes import align

if TYPE_CHECKING:
    from lookthrough.risk.scoring import Assessed

GENERAL = "general"
DISHONESTY = "dishonesty_listed_60m"


def domain_of_fields(fields: np.ndarray) -> np.ndarray:
    """Each business's credit domain ("" for none), vectorised over the few distinct fields."""
    result = np.full(len(fields), "", dtype="U32")
    for code, f in FIELDS.items():
        if f.credit_domain:
            result[fields == code] = f.credit_domain
    return result


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
    run_id: int,
    as_of: dt.date,
    now: dt.datetime,
    cuts: dict[str, list[float]] | None,
) -> tuple[dict[str, list[float]], int]:
    """Grade the run's businesses, write current classes and their changes; returns the cuts
    and the number of current classes written."""
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
    for domain in [GENERAL, *sorted(d for d in np.unique(domains).tolist() if d)]:
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
    written = _write(session, result, parts, (model_id, run_id, as_of, now), full=full)
    return cuts, written


PREVIOUS_SCHEMA = pa.schema(
    [pa.field("entity_id", pa.int64()), pa.field("domain", pa.string()),
     pa.field("grade", pa.string()), pa.field("digest", pa.int64())]
)  # fmt: skip
CLASS_DIGEST = ("region_code", "grade", "probability", "model_id")
KEYS = ["entity_id", "domain"]


def _previous(session: Session, ids: np.ndarray, full: bool) -> pa.Table:
    stmt = select(CreditClass.entity_id, CreditClass.domain, CreditClass.grade, CreditClass.digest)
    if full:
        return extract.to_arrow(session, stmt, PREVIOUS_SCHEMA)
    parts = [
        extract.to_arrow(
            session,
            stmt.where(extract.one_of(session, CreditClass.entity_id, chunk)),
            PREVIOUS_SCHEMA,
        )
        for chunk in extract.chunks([int(i) for i in ids], session)
        if chunk
    ]
    return pa.concat_tables(parts) if parts else PREVIOUS_SCHEMA.empty_table()


def _write(
    session: Session,
    result: Assessed,
    parts: list[tuple[np.ndarray, str, np.ndarray]],
    stamp: tuple[str, int, dt.date, dt.datetime],  # model, run, as-of day, time
    *,
    full: bool,
) -> int:
    model_id, run_id, as_of, now = stamp
    rows = result.frame
    before = _previous(session, rows.ids, full)
    old_domains = np.array(before.column("domain").to_pylist(), dtype="U32")
    old_ids = before.column("entity_id").to_numpy()
    old_grades = np.array(before.column("grade").to_pylist(), dtype="U1")
    current: list[pa.Table] = []
    changes: list[pa.Table] = []
    for members, domain, grade in parts:
        ids = rows.ids[members]
        n = len(ids)
        mine = old_domains == domain
        old = align(ids, old_ids[mine], old_grades[mine], missing="")
        current.append(
            pa.table(
                {
                    "entity_id": pa.array(ids, pa.int64()),
                    "domain": pa.array([domain] * n, pa.string()),
                    "region_code": rows.regions.take(pa.array(members, pa.int64())),
                    "grade": pa.array(grade.astype("U1"), pa.string()),
                    "probability": np.round(result.probability[members], 6),
                }
            )
        )
        moved = np.flatnonzero(old != grade.astype("U1"))
        changes.append(
            pa.table(
                {
                    "entity_id": pa.array(ids[moved], pa.int64()),
                    "domain": pa.array([domain] * len(moved), pa.string()),
                    "from_grade": pa.array([g or None for g in old[moved].tolist()], pa.string()),
                    "to_grade": pa.array(grade[moved].astype("U1"), pa.string()),
                }
            )
        )
    table = pa.concat_tables(current) if current else None
    history = pa.concat_tables(changes) if changes else None
    if table is None or history is None:
        return 0
    n, m = table.num_rows, history.num_rows
    table = table.append_column("model_id", pa.array([model_id] * n, pa.string()))
    table = table.append_column("run_id", pa.array([run_id] * n, pa.int64()))
    table = store.with_digest(table, CLASS_DIGEST)
    history = history.append_column("at", pa.array([now] * m, pa.timestamp("us", tz="UTC")))
    history = history.append_column("as_of", pa.array([as_of] * m, pa.date32()))
    written = int(table.num_rows)
    if full:
        written = store.write_changed(session, CreditClass.__table__, table, KEYS, before)  # type: ignore[arg-type]
    else:
        store.upsert(session, CreditClass.__table__, table, KEYS)  # type: ignore[arg-type]
    store.append(session, CreditClassChange.__table__, history)  # type: ignore[arg-type]
    return written
