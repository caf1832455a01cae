"""Writing many rows fast: PostgreSQL ``COPY`` from Arrow-made CSV, SQLite batched upserts.

A full re-score replaces a whole table (7.5 M rows at province scale) inside the run's
transaction; an incremental one upserts the few thousand businesses it touched.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import Table, delete, text
from sqlalchemy.orm import Session

BATCH = 5_000
REBUILD_ROWS = 50_000  # a full replace this big rebuilds its secondary indexes
ANALYSE_ROWS = 10_000  # a write this big refreshes the table's planner statistics


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _analyse(session: Session, table: Table, rows: int) -> None:
    """Refresh PostgreSQL's statistics of ``table`` after a bulk write of ``rows``.

    ``COPY`` leaves none, and a full replace starts from a truncated table; the planner then
    guesses 0.5 % of the rows for any range. With the jurisdiction's ``region_code`` range in
    every query it chose to AND a bitmap of the whole province's 447 k credit classes with the
    one business's key: 21 ms per look-up instead of 0.05 (the file, bench/RESULTS.md).
    ANALYZE samples 30 k rows, so it costs a fraction of a second; inside the run's transaction
    it counts the rows the transaction wrote. (Upserts change a few per cent of a table:
    autovacuum's own analysis keeps up with those.)
    """
    if rows >= ANALYSE_ROWS and _is_pg(session):
        session.execute(text(f'ANALYZE "{table.name}"'))


COPY_SLICE = 100_000  # rows turned into CSV at a time


def _copy(session: Session, target: str, data: pa.Table) -> None:
    """``COPY … FROM STDIN`` a slice at a time: the server parses and stores one slice while
    the next one is turned into CSV here (making the whole CSV first left one side idle)."""
    raw = session.connection().connection.driver_connection
    assert raw is not None
    columns = ", ".join(f'"{name}"' for name in data.column_names)
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {target} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy,
    ):
        for start in range(0, data.num_rows, COPY_SLICE):
            buffer = io.BytesIO()
            pacsv.write_csv(data.slice(start, COPY_SLICE), buffer, options)
            copy.write(buffer.getbuffer())


def _rows(data: pa.Table) -> list[dict[str, object]]:
    """Rows for SQLAlchemy; JSON columns (text made by the engine) back to Python values, which
    the column type serialises again. ``COPY`` sends the text as it is."""
    rows: list[dict[str, object]] = data.to_pylist()
    wanted = [f.name for f in data.schema if (f.metadata or {}).get(b"json") == b"1"]
    for row in rows:
        for name in wanted:
            value = row[name]
            row[name] = json.loads(value) if isinstance(value, str) else value
    return rows


def _driver_rows(data: pa.Table) -> list[tuple[object, ...]]:
    """Rows as SQLite's driver takes them, converted column by column in Arrow: times as the
    text SQLAlchemy stores for ``UTCDateTime`` (UTC, microseconds), days as ISO text, JSON
    columns as the JSON text they already hold."""
    columns: list[list[object]] = []
    for fld, column in zip(data.schema, data.columns, strict=True):
        if pa.types.is_timestamp(fld.type):
            utc = column.cast(pa.timestamp("us", tz="UTC"))
            column = pc.strftime(utc, format="%Y-%m-%d %H:%M:%S")
        elif pa.types.is_date(fld.type):
            column = column.cast(pa.string())
        columns.append(column.to_pylist())
    return list(zip(*columns, strict=True))


def _sqlite_insert(
    session: Session, table: Table, data: pa.Table, keys: Sequence[str] | None = None
) -> None:
    """One prepared statement run over all rows by the driver (``executemany``): building a
    dict per row and passing it through SQLAlchemy's bind processors cost more than SQLite."""
    names = data.column_names
    columns = ", ".join(f'"{c}"' for c in names)
    marks = ", ".join("?" for _ in names)
    # Table and column names from our own metadata (hence S608 is safe here).
    sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})'  # noqa: S608
    if keys:
        sets = ", ".join(f'"{c}" = excluded."{c}"' for c in names if c not in keys)
        sql += f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"
    connection = session.connection()
    for start in range(0, data.num_rows, BATCH * 10):
        connection.exec_driver_sql(sql, _driver_rows(data.slice(start, BATCH * 10)))


def json_column(data: pa.Table, name: str) -> pa.Table:
    """Mark a text column of ``data`` as JSON text."""
    index = data.schema.get_field_index(name)
    field = data.schema.field(index).with_metadata({"json": "1"})
    return data.set_column(index, field, data.column(index))


def replace_all(session: Session, table: Table, data: pa.Table) -> None:
    """Make ``table`` hold exactly ``data`` (the caller's transaction commits it)."""
    session.flush()
    if _is_pg(session):
        session.execute(text(f'TRUNCATE "{table.name}"'))
        if not data.num_rows:
            return
        # Secondary indexes are built once after the load (a sort) rather than kept up to date
        # row by row; TRUNCATE already holds the table's exclusive lock until commit.
        rebuild = list(table.indexes) if data.num_rows >= REBUILD_ROWS else []
        connection = session.connection()
        for index in rebuild:
            index.drop(connection)
        _copy(session, f'"{table.name}"', data)
        for index in rebuild:
            index.create(connection)
        _analyse(session, table, data.num_rows)
        return
    session.execute(delete(table))
    if data.num_rows:
        _sqlite_insert(session, table, data)


def upsert(session: Session, table: Table, data: pa.Table, keys: Sequence[str]) -> None:
    """Insert ``data``, replacing rows with the same ``keys``."""
    session.flush()
    if data.num_rows == 0:
        return
    updates = [c for c in data.column_names if c not in keys]
    if _is_pg(session):
        stage = f"stage_{table.name}"
        session.execute(text(f'CREATE TEMP TABLE "{stage}" (LIKE "{table.name}") ON COMMIT DROP'))
        _copy(session, f'"{stage}"', data)
        columns = ", ".join(f'"{c}"' for c in data.column_names)
        sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in updates)
        session.execute(
            # Table and column names from our own metadata (hence S608 is safe here).
            text(
                f'INSERT INTO "{table.name}" ({columns}) SELECT {columns} FROM "{stage}" '  # noqa: S608
                f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"
            )
        )
        session.execute(text(f'DROP TABLE "{stage}"'))
        return
    _sqlite_insert(session, table, data, keys)


def append(session: Session, table: Table, data: pa.Table) -> None:
    """Insert rows (ids from the table's sequence)."""
    session.flush()
    if data.num_rows == 0:
        return
    if _is_pg(session) and data.num_rows > BATCH:
        _copy(session, f'"{table.name}"', data)
        _analyse(session, table, data.num_rows)
        return
    if not _is_pg(session):
        _sqlite_insert(session, table, data)
        return
    for start in range(0, data.num_rows, BATCH):
        session.execute(table.insert(), _rows(data.slice(start, BATCH)))


DIGEST = "digest"
CHANGED_SHARE = 0.5  # more of the rows changed than this and a full run replaces the table


def with_digest(data: pa.Table, columns: Sequence[str]) -> pa.Table:
    """``data`` with a ``digest`` column: a 63-bit hash of ``columns``, so that the next full run
    tells which rows changed by reading two integers a row, not the rows themselves. DuckDB's
    hash may change between its versions: then every row looks changed once and is rewritten."""
    con = duckdb.connect(":memory:", config={"autoload_known_extensions": False})
    try:
        con.register("rows_in", data.select(list(columns)))
        listed = ", ".join(f'"{c}"' for c in columns)
        # Column names from our own tables (S608 is safe here).
        digest = con.sql(f"SELECT CAST(hash({listed}) >> 1 AS BIGINT) AS d FROM rows_in")  # noqa: S608
        return data.append_column(DIGEST, digest.to_arrow_table().column("d"))
    finally:
        con.close()


def _delete_keys(session: Session, table: Table, gone: pa.Table) -> None:
    """Delete the rows of ``table`` whose keys are the rows of ``gone``."""
    keys = gone.column_names
    if _is_pg(session):
        stage = f"gone_{table.name}"
        listed = ", ".join(f'"{k}"' for k in keys)
        # Table and column names from our own metadata (hence S608 is safe here).
        session.execute(
            text(
                f'CREATE TEMP TABLE "{stage}" ON COMMIT DROP AS '  # noqa: S608
                f'SELECT {listed} FROM "{table.name}" WITH NO DATA'
            )
        )
        _copy(session, f'"{stage}"', gone)
        match = " AND ".join(f't."{k}" = g."{k}"' for k in keys)
        session.execute(text(f'DELETE FROM "{table.name}" t USING "{stage}" g WHERE {match}'))  # noqa: S608
        session.execute(text(f'DROP TABLE "{stage}"'))
        return
    match = " AND ".join(f'"{k}" = ?' for k in keys)
    rows = list(zip(*(gone.column(k).to_pylist() for k in keys), strict=True))
    session.connection().exec_driver_sql(f'DELETE FROM "{table.name}" WHERE {match}', rows)  # noqa: S608


def write_changed(
    session: Session, table: Table, data: pa.Table, keys: Sequence[str], before: pa.Table
) -> int:
    """Make ``table`` hold exactly ``data``, writing only the rows whose digest is not what
    ``before`` (keys and digest of the rows there now) says, and deleting rows no longer in
    ``data``. Replaces the whole table when most rows changed. Returns the rows written."""
    keys = list(keys)
    if before.num_rows == 0:
        replace_all(session, table, data)
        return int(data.num_rows)
    old = before.select([*keys, DIGEST]).rename_columns([*keys, "old_digest"])
    joined = data.join(old, keys, join_type="left outer")
    same = pc.fill_null(pc.equal(joined.column(DIGEST), joined.column("old_digest")), False)
    changed = joined.filter(pc.invert(same)).drop_columns(["old_digest"])
    if changed.num_rows > CHANGED_SHARE * max(data.num_rows, 1):
        replace_all(session, table, data)
        return int(data.num_rows)
    gone = before.select(keys).join(data.select(keys), keys, join_type="left anti")
    session.flush()
    if gone.num_rows:
        _delete_keys(session, table, gone)
    upsert(session, table, changed.select(data.column_names), keys)
    return int(changed.num_rows)
