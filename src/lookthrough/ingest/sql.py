"""What every writer shares: chunk results, the batch context, and fast SQL helpers.

Inserts use ``ON CONFLICT DO NOTHING`` so that a chunk replayed after a crash, or a file
imported twice, adds nothing; the hot paths go straight to the database driver.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lookthrough.ingest.mapping import Mapping
from lookthrough.ingest.shapes import Candidate, Problem


@dataclass(slots=True)
class ChunkResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[tuple[Candidate, list[Problem]]] = field(default_factory=list)


MEMO_LIMIT = 200_000  # remembered look-ups per batch (a business has many records)


@dataclass(frozen=True, slots=True)
class Context:
    mapping: Mapping
    source: str
    batch_id: str
    scope: str  # region prefix the importer may write into
    now: datetime
    columns: dict[str, str]  # target field → header, for problems found here
    memo: dict[str, dict[Any, Any]] = field(default_factory=dict)  # shared across a batch

    def problem(self, name: str, rule: str, value: str | None, reason: str) -> Problem:
        return Problem(self.columns.get(name, name), rule, value, reason)


def insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> int:
    """Insert rows (dicts with the same keys), skipping conflicts; returns how many went in.

    Values pass through each column type's own conversion (dates, JSON, UTC times), then go to
    the driver's executemany (``bulk_insert``). SQLAlchemy's multi-row INSERT … RETURNING was
    four fifths of a 7.5-million-business import on PostgreSQL: the driver re-parsed a
    38,000-parameter statement for every parcel.
    """
    if not rows:
        return 0
    dialect = session.get_bind().dialect
    columns = tuple(rows[0])
    convert = [
        (name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in columns
    ]
    values = [
        [row[name] if fn is None or row[name] is None else fn(row[name]) for name, fn in convert]
        for row in rows
    ]
    return bulk_insert(session, table.name, columns, values)


def chunks(items: Sequence[Any], size: int = 900) -> Iterable[Sequence[Any]]:
    # SQLite allows 32,766 bound parameters; IN lists stay well under that.
    for start in range(0, len(items), size):
        yield items[start : start + size]


def lookup(session: Session, column: Any, keys: Iterable[Any], *columns: Any) -> dict[Any, Any]:
    wanted = sorted({k for k in keys if k is not None})
    found: dict[Any, Any] = {}
    for part in chunks(wanted):
        for row in session.execute(select(column, *columns).where(column.in_(part))):
            found[row[0]] = row
    return found


def remembered(
    session: Session, ctx: Context, name: str, column: Any, keys: Iterable[Any], *columns: Any
) -> dict[Any, Any]:
    """``lookup`` through the batch's memory of keys already resolved."""
    memo = ctx.memo.setdefault(name, {})
    wanted = {k for k in keys if k is not None}
    missing = [k for k in wanted if k not in memo]
    if missing:
        if len(memo) > MEMO_LIMIT:
            # Forget, then ask again for everything this parcel wants: keys remembered a moment
            # ago are gone too (a province's shipments once lost 15k known suppliers here).
            memo.clear()
            missing = list(wanted)
        found = lookup(session, column, missing, *columns)
        for key in missing:
            memo[key] = found.get(key)
    return {k: memo[k] for k in wanted if memo.get(k) is not None}


def touch(
    session: Session,
    column: Any,
    last_seen: Any,
    keys: set[Any],
    now: datetime,
    *,
    only_before: datetime | None = None,
) -> None:
    """Move ``last_seen`` of rows seen again (those first seen earlier than ``only_before``)."""
    table = column.table
    for part in chunks(sorted(keys)):
        stmt = update(table).where(column.in_(part))
        if only_before is not None:
            stmt = stmt.where(table.c.first_seen < only_before)
        session.execute(stmt.values({last_seen: now}))


def in_scope(code: str | None, scope: str) -> bool:
    return code is not None and code.startswith(scope)


class Timestamps:
    """Timestamps as the driver wants them: SQLite text in SQLAlchemy's layout, PG as is."""

    def __init__(self, dialect: str) -> None:
        self.text = dialect == "sqlite"
        self.seen: dict[datetime, Any] = {}

    def __call__(self, value: datetime | None) -> Any:
        if value is None or not self.text:
            return value
        found = self.seen.get(value)
        if found is None:
            found = self.seen[value] = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return found


def bulk_insert(
    session: Session, table: str, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]
) -> int:
    """executemany straight to the driver: the hot path of imports (no per-value processing).

    Returns how many rows were inserted; rows whose key is already stored are skipped.
    """
    if not rows:
        return 0
    connection = session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608 - names are ours
        f"({', '.join([marker] * len(columns))}) ON CONFLICT DO NOTHING"
    )
    cursor = connection.connection.cursor()  # the driver's own: rows may be lists
    try:
        cursor.executemany(sql, rows)
        return int(cursor.rowcount)
    finally:
        cursor.close()


def unique(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    seen: set[Any] = set()
    unique = []
    for row in rows:
        if row[key] not in seen:
            seen.add(row[key])
            unique.append(row)
    return unique


def select_in(
    session: Session, sql: str, fixed: tuple[Any, ...], values: Iterable[Any]
) -> list[tuple[Any, ...]]:
    """Run ``sql`` (ending in ``IN``) over ``values`` in slices, straight to the driver."""
    connection = session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    found: list[tuple[Any, ...]] = []
    for part in chunks(sorted(set(values)), 500):
        statement = sql.replace("%s", marker) + f" ({', '.join([marker] * len(part))})"
        found.extend(tuple(r) for r in connection.exec_driver_sql(statement, (*fixed, *part)))
    return found
