"""Indicator definitions compiled to one SQL query over two tables the engine holds.

``events(entity_id, kind, day, p_<field> …)``: one row per record (payload fields as text, only
those some definition reads), and ``entities(entity_id, …)``: one row per business. The query
yields one row per business and one column per indicator, as of a day: a window of W days ends
on that day and includes it, ``as_of - W < day <= as_of``; later records are not seen. Every
value — kinds, condition values, window edges — is a bound parameter;
the only names written into the SQL are column names checked against the record kinds' payload
models (``definitions.payload_fields``), so a definition cannot inject SQL.

The SQL is plain: ``SUM(CASE …)``, ``MAX(CASE …)``, a ``LEFT JOIN`` and a dialect hook for
parameters, day differences and text search, so a Spark backend can run the same definitions.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from lookthrough.engine.definitions import AS_OF, Condition, IndicatorSpec, payload_fields

_SAFE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class Dialect(Protocol):
    """What differs between the SQL engines the definitions run on."""

    def param(self, name: str) -> str: ...
    def days_between(self, earlier: str, later: str) -> str: ...
    def contains(self, column: str, needle: str) -> str: ...
    def to_number(self, column: str) -> str: ...
    def to_date(self, column: str) -> str: ...


class DuckDBDialect:
    def param(self, name: str) -> str:
        return f"${name}"

    def days_between(self, earlier: str, later: str) -> str:
        return f"date_diff('day', {earlier}, {later})"

    def contains(self, column: str, needle: str) -> str:
        return f"strpos({column}, {needle}) > 0"

    def to_number(self, column: str) -> str:
        return f"TRY_CAST({column} AS DOUBLE)"

    def to_date(self, column: str) -> str:
        return f"TRY_CAST({column} AS DATE)"


def column_for(field_name: str) -> str:
    """The events column holding a payload field (checked: a name, never a value)."""
    if not _SAFE_NAME.match(field_name):
        raise ValueError(f"unsafe field name {field_name!r}")
    return f"p_{field_name}"


@dataclass
class Query:
    """SQL with named parameters, built up as fragments are rendered."""

    dialect: Dialect
    params: dict[str, Any] = field(default_factory=dict)

    def bind(self, value: Any) -> str:
        name = f"v{len(self.params)}"
        self.params[name] = value
        return self.dialect.param(name)


def _field_type(kinds: list[str], name: str) -> str:
    for kind in kinds:
        found = payload_fields(kind).get(name)
        if found:
            return found
    raise ValueError(f"unknown field {name!r}")  # definitions.check refuses this first


def _value(q: Query, value: Any, field_type: str, as_of: dt.date) -> str:
    if value == AS_OF:
        return q.bind(as_of)
    if field_type == "date":
        return q.bind(dt.date.fromisoformat(str(value)))
    if field_type == "number":
        return q.bind(float(value))
    if field_type == "bool":
        return q.bind(bool(value) if not isinstance(value, str) else value in ("true", "是"))
    return q.bind(str(value))


def _condition(q: Query, kinds: list[str], cond: Condition, as_of: dt.date) -> str:
    column = column_for(cond.field)
    kind_type = _field_type(kinds, cond.field)
    if cond.op == "empty":
        return f"({column} IS NULL OR {column} = '')"
    if cond.op == "present":
        return f"({column} IS NOT NULL AND {column} <> '')"
    expr = {
        "number": q.dialect.to_number(column),
        "date": q.dialect.to_date(column),
        "bool": f"(lower({column}) IN ('true', '1'))",
        "text": column,
    }[kind_type]
    if cond.op == "contains":
        return q.dialect.contains(column, q.bind(str(cond.value)))
    if cond.op in ("in", "not in"):
        values = cond.value if isinstance(cond.value, list) else [cond.value]
        listed = ", ".join(_value(q, v, kind_type, as_of) for v in values)
        negate = "NOT " if cond.op == "not in" else ""
        return f"COALESCE({expr} {negate}IN ({listed}), FALSE)"
    op = "<>" if cond.op == "!=" else cond.op
    return f"COALESCE({expr} {op} {_value(q, cond.value, kind_type, as_of)}, FALSE)"


def _matches(
    q: Query, kinds: list[str], where: list[Condition], start: str, end: str, as_of: dt.date
) -> str:
    listed = ", ".join(q.bind(k) for k in kinds)
    parts = [f"kind IN ({listed})", f"day > {start}", f"day <= {end}"]
    parts += [_condition(q, kinds, c, as_of) for c in where]
    return " AND ".join(parts)


def _count(match: str) -> str:
    return f"SUM(CASE WHEN {match} THEN 1 ELSE 0 END)"


@dataclass(frozen=True, slots=True)
class Window:
    """Edges of the windows an indicator needs, as parameters."""

    start: str
    end: str
    previous: str  # start of the window before (trend)


def _aggregates(q: Query, spec: IndicatorSpec, as_of: dt.date) -> tuple[list[str], str]:
    """Inner aggregate columns (``name AS alias``) and the outer expression for the value."""
    end = q.bind(as_of)
    start = q.bind(as_of - dt.timedelta(days=spec.window_days))
    c = spec.code
    match = _matches(q, spec.kinds, spec.where, start, end, as_of)
    if spec.aggregation == "count":
        return [f"{_count(match)} AS a_{c}"], f"COALESCE(a_{c}, 0)"
    if spec.aggregation in ("sum", "max"):
        value = q.dialect.to_number(column_for(spec.value_field or ""))
        fn = spec.aggregation.upper()
        return [f"{fn}(CASE WHEN {match} THEN {value} END) AS a_{c}"], f"COALESCE(a_{c}, 0)"
    if spec.aggregation == "rate":
        den = spec.denominator
        den_match = _matches(
            q, den.kinds if den else spec.kinds, den.where if den else [], start, end, as_of
        )
        least = q.bind(spec.min_denominator)
        inner = [f"{_count(match)} AS a_{c}", f"{_count(den_match)} AS d_{c}"]
        if spec.prior_rate is not None:
            # Shrunk towards the prior: (hits + p·w) / (trials + w), so 1 of 1 is not 100 %.
            prior, weight = q.bind(spec.prior_rate * spec.prior_weight), q.bind(spec.prior_weight)
            num, bottom = f"(COALESCE(a_{c}, 0) + {prior})", f"(COALESCE(d_{c}, 0) + {weight})"
        else:
            num, bottom = f"CAST(a_{c} AS DOUBLE)", f"d_{c}"
        outer = (
            f"CASE WHEN COALESCE(d_{c}, 0) >= {least} AND {bottom} > 0 "
            f"THEN {num} / {bottom} ELSE 0 END"
        )
        return inner, outer
    if spec.aggregation == "days_since":
        last = f"MAX(CASE WHEN {match} THEN day END)"
        days = q.dialect.days_between(f"a_{c}", q.bind(as_of))
        return [f"{last} AS a_{c}"], f"COALESCE({days}, {q.bind(spec.window_days)})"
    assert spec.aggregation == "trend"
    before = q.bind(as_of - dt.timedelta(days=2 * spec.window_days))
    earlier = _matches(q, spec.kinds, spec.where, before, start, as_of)
    inner = [f"{_count(match)} AS a_{c}", f"{_count(earlier)} AS b_{c}"]
    return inner, f"COALESCE(a_{c}, 0) - COALESCE(b_{c}, 0)"


def lookback_days(specs: list[IndicatorSpec]) -> int:
    """How far back any of the definitions looks (for extracting only what is needed)."""
    return max((s.window_days * (2 if s.aggregation == "trend" else 1) for s in specs), default=365)


def features_sql(
    specs: list[IndicatorSpec], as_of: dt.date, dialect: Dialect | None = None
) -> tuple[str, dict[str, Any]]:
    """One row per business: ``entity_id`` and one column per indicator code, as of a day.

    Indicators are grouped by the record kinds they read and each group aggregates only its
    own rows: one pass with every aggregate would update every aggregate's state for every row
    (75 states × 300,000 businesses does not stay in cache), a pass per kind updates a few."""
    q = Query(dialect or DuckDBDialect())
    groups: dict[tuple[str, ...], list[str]] = {}
    outer: list[str] = []
    for spec in specs:
        if not _SAFE_NAME.match(spec.code):
            raise ValueError(f"unsafe indicator code {spec.code!r}")
        aggregates, value = _aggregates(q, spec, as_of)
        groups.setdefault(tuple(sorted(spec.record_kinds)), []).extend(aggregates)
        outer.append(f"CAST({value} AS DOUBLE) AS {spec.code}")
    if not groups:
        return "SELECT e.entity_id FROM entities e ORDER BY e.entity_id", q.params
    earliest = q.bind(as_of - dt.timedelta(days=lookback_days(specs)))
    latest = q.bind(as_of)
    joins = []
    for n, (kinds, aggregates) in enumerate(groups.items()):
        listed = ", ".join(q.bind(k) for k in kinds)
        # Names are checked identifiers; every value is a bound parameter (S608 is safe here).
        joins.append(
            f"LEFT JOIN (SELECT entity_id, {', '.join(aggregates)} FROM events "  # noqa: S608
            f"WHERE kind IN ({listed}) AND day > {earliest} AND day <= {latest} "
            f"GROUP BY entity_id) g{n} ON g{n}.entity_id = e.entity_id"
        )
    sql = (
        f"SELECT e.entity_id, {', '.join(outer)} FROM entities e "  # noqa: S608
        f"{' '.join(joins)} ORDER BY e.entity_id"
    )
    return sql, q.params


def payload_columns(specs: list[IndicatorSpec]) -> dict[str, set[str]]:
    """For each payload field some definition reads, the kinds it is read from."""
    wanted: dict[str, set[str]] = {}
    for spec in specs:
        for kind, name in spec.payload_refs():
            wanted.setdefault(name, set()).add(kind)
    return wanted
