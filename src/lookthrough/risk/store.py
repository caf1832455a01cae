"""Writing many rows fast: PostgreSQL ``COPY`` from Arrow-made CSV, SQLite batched upserts.

A full re-score replaces a whole table (7.5 M rows at province scale) inside the run's
transaction; an incremental one upserts the few thousand businesses it touched.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Table, delete, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

BATCH = 5_000


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _copy(session: Session, target: str, data: pa.Table) -> None:
    buffer = io.BytesIO()
    pacsv.write_csv(data, buffer, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    raw = session.connection().connection.driver_connection
    assert raw is not None
    columns = ", ".join(f'"{name}"' for name in data.column_names)
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {target} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy,
    ):
        view = buffer.getbuffer()
        for start in range(0, len(view), 1 << 22):
            copy.write(view[start : start + (1 << 22)])


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
        if data.num_rows:
            _copy(session, f'"{table.name}"', data)
        return
    session.execute(delete(table))
    for start in range(0, data.num_rows, BATCH):
        session.execute(table.insert(), _rows(data.slice(start, BATCH)))


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
    for start in range(0, data.num_rows, BATCH):
        stmt = sqlite_insert(table).values(_rows(data.slice(start, BATCH)))
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c: stmt.excluded[c] for c in updates}
        )
        session.execute(stmt)


def append(session: Session, table: Table, data: pa.Table) -> None:
    """Insert rows (ids from the table's sequence)."""
    session.flush()
    if data.num_rows == 0:
        return
    if _is_pg(session) and data.num_rows > BATCH:
        _copy(session, f'"{table.name}"', data)
        return
    for start in range(0, data.num_rows, BATCH):
        session.execute(table.insert(), _rows(data.slice(start, BATCH)))
