"""From the operational database to Arrow, on the caller's own connection.

Reading on the session's connection (not a second one) means the engine sees exactly what the
transaction sees: rows a route or job has just written, and in tests the rolled-back test data.
PostgreSQL streams ``COPY (SELECT …) TO STDOUT`` as CSV into pyarrow's multi-threaded reader;
SQLite hands rows over in batches. Only the columns some definition reads leave the database:
payload fields are projected at the source (``payload->>'result'`` / ``json_extract``) for the
kinds that have them, so a province's 44 M payloads are never shipped whole.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    any_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, aliased

from lookthrough.engine.compile import column_for
from lookthrough.records.models import Record
from lookthrough.resolution.models import LINKED_STATUSES, MentionLink

CHINA = "Asia/Shanghai"
ID_CHUNK = 20_000  # ids per IN list (SQLite allows 32,766 parameters)
Key = TypeVar("Key", int, str)
MENTION_KINDS = ("complaint", "public_opinion")  # kinds that name a business only in words


def china_day(session: Session) -> ColumnElement[Any]:
    """The record's calendar day in China (records are stored in UTC)."""
    if session.get_bind().dialect.name == "sqlite":
        return func.date(Record.occurred_at, "+8 hours")
    return func.date(func.timezone(CHINA, Record.occurred_at))


def _utc_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone(dt.timedelta(hours=8)))


def event_columns(session: Session, payload: dict[str, set[str]]) -> list[ColumnElement[Any]]:
    """``kind``, the China ``day`` and the payload fields asked for (each only for the kinds
    that have it)."""
    columns: list[ColumnElement[Any]] = [
        Record.kind.label("kind"),
        cast(china_day(session), String).label("day"),
    ]
    for name in sorted(payload):
        value = Record.payload[name].as_string()
        columns.append(
            case((Record.kind.in_(sorted(payload[name])), value), else_=None).label(
                column_for(name)
            )
        )
    return columns


def not_superseded() -> ColumnElement[bool]:
    """No record names this one as the record it corrects."""
    newer = aliased(Record)
    return ~exists(select(literal(1)).where(newer.supersedes_id == Record.id))


def events_select(
    session: Session,
    *,
    kinds: Iterable[str],
    payload: dict[str, set[str]],
    since: dt.date,
    until: dt.date,
    entity_ids: Sequence[int] | None = None,
) -> Select[Any]:
    """Records of ``kinds`` in [since, until) with their business and the payload fields asked
    for. A complaint naming a business without a code counts for the business its mention is
    linked to (automatically or by a person); a superseded record does not count at all."""
    link = aliased(MentionLink)
    columns = event_columns(session, payload)
    current = [
        Record.kind.in_(sorted(set(kinds))),
        Record.occurred_at >= _utc_midnight(since),
        Record.occurred_at < _utc_midnight(until),
        not_superseded(),
    ]
    linked = and_(
        link.record_id == Record.id,
        Record.entity_id.is_(None),
        link.status.in_(LINKED_STATUSES),
    )
    if entity_ids is None:
        entity = func.coalesce(Record.entity_id, link.entity_id)
        return (
            select(entity.label("entity_id"), *columns)
            .select_from(Record)
            .outerjoin(link, linked)
            .where(*current, or_(Record.entity_id.is_not(None), link.entity_id.is_not(None)))
        )
    # Two index-friendly halves instead of an OR across the join (which no planner can use an
    # index for): records of these businesses, and mentions linked to them.
    own = select(Record.entity_id.label("entity_id"), *columns).where(
        *current, one_of(session, Record.entity_id, entity_ids)
    )
    mentioned = (
        select(link.entity_id.label("entity_id"), *columns)
        .select_from(Record)
        .join(link, linked)
        .where(
            *current,
            one_of(session, link.entity_id, entity_ids),
            Record.kind.in_(MENTION_KINDS),
        )
    )
    return own.union_all(mentioned)  # type: ignore[return-value]


def events_schema(payload: dict[str, set[str]]) -> pa.Schema:
    fields = [
        pa.field("entity_id", pa.int64()),
        pa.field("kind", pa.string()),
        pa.field("day", pa.date32()),
    ]
    fields += [pa.field(column_for(name), pa.string()) for name in sorted(payload)]
    return pa.schema(fields)


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def one_of(session: Session, column: Any, ids: Sequence[int]) -> ColumnElement[bool]:
    """``column`` is one of ``ids``. On PostgreSQL one array parameter (``= ANY(…)``): an
    ``IN`` list of tens of thousands of parameters cost more to render, quote and plan than
    the index look-ups themselves took."""
    if _is_pg(session):
        wanted = bindparam(None, [int(i) for i in ids], type_=postgresql.ARRAY(Integer))
        result: ColumnElement[bool] = column == any_(wanted)
        return result
    return column.in_([int(i) for i in ids])  # type: ignore[no-any-return]


def one_of_text(session: Session, column: Any, values: Sequence[str]) -> ColumnElement[bool]:
    """``column`` is one of ``values`` (text), as ``one_of`` does for ids."""
    if _is_pg(session):
        wanted = bindparam(None, [str(v) for v in values], type_=postgresql.ARRAY(String))
        result: ColumnElement[bool] = column == any_(wanted)
        return result
    return column.in_([str(v) for v in values])  # type: ignore[no-any-return]


def chunks(
    ids: Sequence[Key] | None, session: Session | None = None
) -> Iterator[Sequence[Key] | None]:
    """``ids`` in parts small enough for one query (all at once on PostgreSQL, see ``one_of``;
    SQLite allows 32,766 parameters)."""
    if ids is None:
        yield None
        return
    size = max(len(ids), 1) if session is not None and _is_pg(session) else ID_CHUNK
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def to_arrow(session: Session, stmt: Any, schema: pa.Schema) -> pa.Table:
    """Run a select on the session's connection and return its rows as Arrow."""
    if session.get_bind().dialect.name == "postgresql":
        return _copy_csv(session, stmt, schema)
    return _fetch(session, stmt, schema)


class _CopyStream(io.RawIOBase):
    """A file over psycopg's COPY chunks, for pyarrow's CSV reader."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._rest = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._rest:
            try:
                self._rest = bytes(next(self._chunks))
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._rest))
        buffer[:size] = self._rest[:size]
        self._rest = self._rest[size:]
        return size


@contextmanager
def _copy_out(session: Session, stmt: Any) -> Iterator[io.BufferedReader[_CopyStream] | None]:
    """The rows of ``stmt`` as CSV from PostgreSQL's ``COPY … TO STDOUT``, on the session's own
    connection; None when there are none (then drained: the connection is busy until COPY has
    ended)."""
    compiled = stmt.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )
    raw = session.connection().connection.driver_connection
    assert raw is not None
    sql = f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv, HEADER false)"
    with raw.cursor() as cursor, cursor.copy(sql, compiled.params) as copy:
        stream = io.BufferedReader(_CopyStream(iter(copy)), buffer_size=1 << 20)
        if stream.peek(1):
            yield stream
            return
        for _ in copy:
            pass
        yield None


def _csv_options(schema: pa.Schema, block: int) -> dict[str, Any]:
    return {
        "read_options": pacsv.ReadOptions(column_names=schema.names, block_size=block),
        "convert_options": pacsv.ConvertOptions(
            column_types=schema, strings_can_be_null=True, quoted_strings_can_be_null=False
        ),
    }


def _copy_csv(session: Session, stmt: Any, schema: pa.Schema) -> pa.Table:
    with _copy_out(session, stmt) as stream:
        if stream is None:
            return schema.empty_table()
        return pacsv.read_csv(stream, **_csv_options(schema, 8 << 20))


def to_batches(session: Session, stmt: Any, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """Like ``to_arrow``, a batch at a time (a province's records never held whole)."""
    if session.get_bind().dialect.name != "postgresql":
        yield from _fetch_batches(session, stmt, schema)
        return
    with _copy_out(session, stmt) as stream:
        if stream is not None:
            yield from pacsv.open_csv(stream, **_csv_options(schema, 16 << 20))


def _fetch(session: Session, stmt: Any, schema: pa.Schema, batch: int = 50_000) -> pa.Table:
    batches = list(_fetch_batches(session, stmt, schema, batch))
    if not batches:
        return schema.empty_table()
    return pa.Table.from_batches(batches, schema=schema)


def _fetch_batches(
    session: Session, stmt: Any, schema: pa.Schema, batch: int = 50_000
) -> Iterator[pa.RecordBatch]:
    # Rows straight from the driver's cursor: every column is text or a number already (days
    # are cast to text in SQL), and SQLAlchemy's per-row result processing was half the time
    # of reading a city's events.
    result = session.connection().execute(stmt)
    cursor = result.cursor
    while rows := cursor.fetchmany(batch):
        columns: list[Any] = list(zip(*rows, strict=True))
        arrays = []
        for values, fld in zip(columns, schema, strict=True):
            if pa.types.is_date32(fld.type):
                arrays.append(pa.array(values, pa.string()).cast(pa.date32()))
            else:
                arrays.append(pa.array(values, fld.type))
        yield pa.record_batch(arrays, schema=schema)
    result.close()
