"""Benchmark: importing CSV records into PostgreSQL, against a bare COPY of the same rows.

    .venv/bin/python bench/import_speed_pg.py [--rows 300000] [--businesses 5000]
        [--admin-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

The same synthetic inspection file as `import_speed.py`; `run_import` of it into a fresh
PostgreSQL database, then a bare `COPY` of the very rows it stored into a second fresh database
with the same schema (the fastest way PostgreSQL takes rows). Prints JSON; results go to
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
import uuid
from pathlib import Path

from import_speed import ACTOR, write_files
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lookthrough.cli_common import cli_actor
from lookthrough.core.db import make_engine, normalise_url, session_factory, session_scope
from lookthrough.core.migrate import upgrade
from lookthrough.ingest import service
from lookthrough.ingest.mapping import builtin
from lookthrough.regions import service as regions_service


def fresh_database(admin_url: str) -> tuple[str, str]:
    name = f"lt_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(normalise_url(admin_url)).set(database=name).render_as_string(False)
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        regions_service.sync_divisions(session, actor=cli_actor("bench"))
    engine.dispose()
    return name, url


def drop_database(admin_url: str, name: str) -> None:
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--businesses", type=int, default=5_000)
    parser.add_argument(
        "--admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    made: list[str] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            entities, records = write_files(Path(tmp), args.rows, args.businesses)
            name, url = fresh_database(args.admin_url)
            made.append(name)
            engine = make_engine(url)
            factory = session_factory(engine)
            service.run_import(factory, actor=ACTOR, path=entities, mapping=builtin("entity"))
            started = time.perf_counter()
            summary = service.run_import(
                factory, actor=ACTOR, path=records, mapping=builtin("inspection")
            )
            imported = time.perf_counter() - started
            raw = engine.raw_connection()
            cursor = raw.cursor()
            cursor.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'record' ORDER BY ordinal_position"
            )
            columns = [c for (c,) in cursor.fetchall()]
            # JSON as its text: the file's rows, not Python objects, are what COPY is given
            listed = ", ".join(f"{c}::text" if c == "payload" else c for c in columns)
            cursor.execute(f"SELECT {listed} FROM record")  # noqa: S608 - names are ours
            rows = cursor.fetchall()
            raw.close()
            bare_name, bare_url = fresh_database(args.admin_url)
            made.append(bare_name)
            bare_engine = make_engine(bare_url)
            service.run_import(
                session_factory(bare_engine), actor=ACTOR, path=entities, mapping=builtin("entity")
            )
            target = bare_engine.raw_connection()
            started = time.perf_counter()
            with target.cursor() as out:  # type: ignore[attr-defined]
                for start in range(0, len(rows), service.CHUNK_ROWS):
                    with out.copy(f"COPY record ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in rows[start : start + service.CHUNK_ROWS]:
                            copy.write_row(row)
                    target.commit()
            bare = time.perf_counter() - started
            target.close()
            engine.dispose()
            bare_engine.dispose()
    finally:
        for name in made:
            drop_database(args.admin_url, name)
    result = {
        "rows": summary.rows_read,
        "accepted": summary.accepted,
        "import_seconds": round(imported, 2),
        "import_rows_per_s": round(args.rows / imported),
        "bare_copy_seconds": round(bare, 2),
        "bare_copy_rows_per_s": round(len(rows) / bare),
        "ratio": round((args.rows / imported) / (len(rows) / bare), 2),
        "machine": f"{platform.machine()} · {platform.python_version()} · "
        f"{len(__import__('os').sched_getaffinity(0))} cores",
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
