"""Feeding the engine from PostgreSQL: ``COPY … TO STDOUT`` as CSV into pyarrow (what the platform
uses, on the caller's connection) against the ADBC PostgreSQL driver (Arrow straight from libpq's
binary COPY, on a connection of its own), for the same select of the events a full run reads.

    nice -n 10 .venv/bin/python bench/risk_extract.py --url postgresql+psycopg://…/lt_risk_city
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time

from sqlalchemy.engine import make_url

from lookthrough.core.actor import Actor
from lookthrough.core.db import make_engine, session_scope
from lookthrough.core.roles import Role
from lookthrough.engine import extract
from lookthrough.engine.compile import payload_columns
from lookthrough.engine.service import kinds_read
from lookthrough.risk import alerting, indicators
from lookthrough.risk.rules import OUTCOMES

ACTOR = Actor(None, "system:bench", Role.PROVINCE_ANALYST, "34", "34")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    args = parser.parse_args()
    engine = make_engine(args.url)
    with session_scope(engine) as session:
        indicators.seed_defaults(session, actor=ACTOR)
        specs = [*indicators.published_specs(session), *alerting.extra_specs(), *OUTCOMES]
        payload = payload_columns(specs)
        stmt = extract.events_select(
            session,
            kinds=kinds_read(specs),
            payload=payload,
            since=dt.date(2000, 1, 1),
            until=dt.date(2030, 1, 1),
        )
        schema = extract.events_schema(payload)
        tick = time.perf_counter()
        copied = extract.to_arrow(session, stmt, schema)
        copy_seconds = time.perf_counter() - tick
        sql = str(stmt.compile(dialect=session.get_bind().dialect,
                               compile_kwargs={"literal_binds": True}))  # fmt: skip
        session.rollback()
    import adbc_driver_postgresql.dbapi as adbc

    url = make_url(args.url)
    uri = f"postgresql://{url.username}@{url.host}:{url.port}/{url.database}"
    tick = time.perf_counter()
    with adbc.connect(uri) as conn, conn.cursor() as cursor:
        cursor.execute(sql)
        fetched = cursor.fetch_arrow_table()
    adbc_seconds = time.perf_counter() - tick
    result = {
        "rows": copied.num_rows,
        "adbc_rows": fetched.num_rows,
        "copy_csv_seconds": round(copy_seconds, 1),
        "adbc_seconds": round(adbc_seconds, 1),
        "copy_mb": round(copied.nbytes / 2**20),
        "adbc_mb": round(fetched.nbytes / 2**20),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
