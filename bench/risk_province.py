"""Province-scale risk benchmark on PostgreSQL: full re-score, the bare DuckDB pass computing the
same features, and an incremental re-score after 100,000 new records.

Run it on your own copy of the province (never on ``lt_province`` itself)::

    createdb -h 127.0.0.1 -U postgres -T lt_province lt_risk
    nice -n 10 .venv/bin/python bench/risk_province.py \\
        --url postgresql+psycopg://postgres@127.0.0.1:5432/lt_risk --work /tmp/rp all

``all`` runs each phase in a process of its own (so each peak memory is its own, read from
``VmHWM``) and prints one JSON document: ``prepare`` (migrate, seed the library, train on a
sample), ``full`` (``lookthrough risk score`` as the scheduler runs it; the first run also writes
the records' analytics copy under ``WORK/analytics``), ``full2`` (the next full run, reading the
copy), ``bare`` (DuckDB over a Parquet snapshot of the same rows, computing the same indicator
columns, nothing else), ``incremental`` (100,000 records added, then the incremental re-score),
``full_after`` (a full run after those records). ``--no-mirror`` reads the records from the
database in every run, as before the copy existed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from sqlalchemy import func, select, text

from lookthrough.core.actor import Actor
from lookthrough.core.db import make_engine, session_scope
from lookthrough.core.migrate import upgrade
from lookthrough.core.roles import Role
from lookthrough.engine import service as engine_service
from lookthrough.engine.compile import lookback_days
from lookthrough.engine.seam import DuckDBEngine
from lookthrough.records.models import Record
from lookthrough.risk import alerting, frame, indicators, scoring, training
from lookthrough.risk.rules import HORIZON_DAYS

ACTOR = Actor(None, "system:bench", Role.PROVINCE_ANALYST, "34", "34")
NEW_RECORDS = 100_000
PHASES = ("prepare", "full", "full2", "snapshot", "bare", "add", "incremental", "full_after")


def peak_gb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024 / 1024, 2)
    return 0.0


def prepare(url: str, sample: int) -> dict[str, Any]:
    engine = make_engine(url)
    tick = time.perf_counter()
    upgrade(engine)  # risk tables and the first_seen index on record
    migrated = time.perf_counter() - tick
    with session_scope(engine) as session:
        indicators.seed_defaults(session, actor=ACTOR)
        tick = time.perf_counter()
        model = training.train(session, actor=ACTOR, algorithm="logistic", sample=sample).model
        trained = time.perf_counter() - tick
        records = session.scalar(select(func.count()).select_from(Record))
    return {"migrate_seconds": round(migrated, 1), "train_seconds": round(trained, 1),
            "train_sample": sample, "model": model.id, "records": records,
            "peak_gb": peak_gb()}  # fmt: skip


def full(url: str, folder: Path | None) -> dict[str, Any]:
    engine = make_engine(url)
    tick = time.perf_counter()
    with session_scope(engine) as session:
        summary = scoring.run(session, actor=ACTOR, mirror_folder=folder)
    seconds = time.perf_counter() - tick  # including the commit
    return {"seconds": round(seconds, 1), "entities": summary.entities, "events": summary.events,
            "alerts": summary.alerts, "levels": summary.level_counts, "as_of": str(summary.as_of),
            "steps": summary.seconds, "written": summary.written,
            "peak_gb": peak_gb()}  # fmt: skip


def snapshot(url: str, work: Path) -> dict[str, Any]:
    """Write the rows a full run reads as Parquet (untimed set-up of the bare pass)."""
    engine = make_engine(url)
    with session_scope(engine) as session, DuckDBEngine() as analytics:
        model = scoring.active_model(session)
        specs, _ = scoring.scorer_for(session, model)
        every = [*specs, *alerting.extra_specs()]
        today = dt.date.today()
        frame.load(session, analytics, every,
                   since=today - dt.timedelta(days=lookback_days(every) + 31),
                   until=today + dt.timedelta(days=1))  # fmt: skip
        for name in ("events", "entities"):
            pq.write_table(analytics.query(f"SELECT * FROM {name}"), work / f"{name}.parquet")  # noqa: S608
        as_of = analytics.query("SELECT max(day) AS d FROM events").column("d")[0].as_py()
        session.rollback()
    (work / "as_of.txt").write_text(str(as_of))
    return {"peak_gb": peak_gb()}


def bare(url: str, work: Path) -> dict[str, Any]:
    """The same indicator columns, DuckDB alone: read the Parquet snapshot, run the SQL."""
    engine = make_engine(url)
    with session_scope(engine) as session:
        specs, _ = scoring.scorer_for(session, scoring.active_model(session))
        session.rollback()
    as_of = dt.date.fromisoformat((work / "as_of.txt").read_text())
    tick = time.perf_counter()
    with DuckDBEngine() as analytics:
        analytics.load("events", pq.read_table(work / "events.parquet"))
        analytics.load("entities", pq.read_table(work / "entities.parquet"))
        table = engine_service.features(analytics, specs, as_of)
    return {"seconds": round(time.perf_counter() - tick, 1), "rows": table.num_rows,
            "columns": table.num_columns - 1, "peak_gb": peak_gb()}  # fmt: skip


def add_records(url: str) -> dict[str, Any]:
    """100,000 new records (copies of random existing ones, new ids, dated the last day)."""
    engine = make_engine(url)
    tick = time.perf_counter()
    with engine.begin() as conn:
        last = conn.execute(select(func.max(Record.occurred_at))).scalar_one()
        estimate = conn.execute(
            text("SELECT reltuples FROM pg_class WHERE relname = 'record'")
        ).scalar_one()
        percent = min(100.0, 100.0 * 4 * NEW_RECORDS / max(float(estimate), 1.0))
        added = conn.execute(
            text(
                "INSERT INTO record (id, kind, region_code, entity_id, occurred_at, title, payload,"
                " parent_id, source, source_key, batch_id, source_row, first_seen, last_seen,"
                " supersedes_id) "
                "SELECT left(md5(id || :salt), 40), kind, region_code, entity_id,"
                " :last, title, payload, NULL, 'bench', source_key || '-inc', NULL, NULL, now(),"
                " now(), NULL FROM record TABLESAMPLE SYSTEM (:percent)"
                " WHERE kind IN ('inspection', 'complaint', 'sampling', 'iot_alarm')"
                " AND entity_id IS NOT NULL LIMIT :n"
            ),
            {"last": last, "n": NEW_RECORDS, "percent": percent, "salt": f"bench-{time.time()}"},
        ).rowcount
    return {"inserted": added, "insert_seconds": round(time.perf_counter() - tick, 1)}


def incremental(url: str, folder: Path | None) -> dict[str, Any]:
    engine = make_engine(url)
    tick = time.perf_counter()
    with session_scope(engine) as session:
        summary = scoring.run(session, actor=ACTOR, kind="incremental", mirror_folder=folder)
    return {"seconds": round(time.perf_counter() - tick, 1), "entities": summary.entities,
            "events": summary.events, "alerts": summary.alerts, "steps": summary.seconds,
            "written": summary.written, "peak_gb": peak_gb()}  # fmt: skip


def child(phase: str, args: argparse.Namespace) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--url", args.url, "--work", str(args.work),
         "--sample", str(args.sample), *(["--no-mirror"] if args.no_mirror else []), phase],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"{phase} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    print(f"{phase}: {result}", file=sys.stderr)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--sample", type=int, default=500_000)
    parser.add_argument(
        "--no-mirror", action="store_true", help="read the records from the database each run"
    )
    parser.add_argument(
        "phase",
        choices=["all", *PHASES],
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    folder = None if args.no_mirror else args.work / "analytics"
    if args.phase == "all":
        report: dict[str, Any] = {"horizon_days": HORIZON_DAYS, "mirror": folder is not None}
        # full: the first run (it writes the analytics copy); full2: the next day's run, which
        # reads the copy and only the records that arrived since (none here).
        # full_after: a full run after the incremental one (the new records' part of the copy
        # read, the rows they changed rewritten).
        for phase in PHASES:
            report[phase] = child(phase, args)
        for run in ("full", "full2", "full_after"):
            report[f"ratio_{run}_to_bare"] = round(
                report[run]["seconds"] / report["bare"]["seconds"], 1
            )
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    phases = {
        "prepare": lambda: prepare(args.url, args.sample),
        "full": lambda: full(args.url, folder),
        "full2": lambda: full(args.url, folder),
        "full_after": lambda: full(args.url, folder),
        "snapshot": lambda: snapshot(args.url, args.work),
        "bare": lambda: bare(args.url, args.work),
        "add": lambda: add_records(args.url),
        "incremental": lambda: incremental(args.url, folder),
    }
    print(json.dumps(phases[args.phase](), ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
