"""Benchmark: importing CSV records into SQLite, against a bare batched insert of the same rows.

    .venv/bin/python bench/import_speed.py [--rows 200000] [--businesses 5000]

Builds a synthetic inspection file (valid codes, Chinese headers), imports the businesses, then
times `run_import` of the records into a fresh embedded database (WAL, synchronous=FULL), and
times a bare `executemany` of the very rows the import stored, in the same batch size, into a
second fresh database with the same schema. Prints JSON; results go to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import random
import sqlite3
import tempfile
import time
from datetime import date
from pathlib import Path

from lookthrough.core.actor import Actor
from lookthrough.core.db import make_engine, session_factory
from lookthrough.core.roles import Role
from lookthrough.ingest import service
from lookthrough.ingest.mapping import builtin
from lookthrough.registry import uscc

ACTOR = Actor(
    user_id=None, username="bench", role=Role.PROVINCE_ANALYST, jurisdiction="34", region="34"
)


def write_files(folder: Path, rows: int, businesses: int) -> tuple[Path, Path]:
    rng = random.Random(7)
    codes = [uscc.make("91", "340104", f"MA{i:06d}") for i in range(businesses)]
    entities = folder / "entities.csv"
    with entities.open("w", newline="", encoding="utf-8-sig") as handle:
        out = csv.writer(handle)
        out.writerow(["统一社会信用代码", "主体名称", "所属区划代码"])
        for i, code in enumerate(codes):
            out.writerow([code, f"测试{i}食品有限公司", "340104001"])
    records = folder / "inspections.csv"
    with records.open("w", newline="", encoding="utf-8-sig") as handle:
        out = csv.writer(handle)
        out.writerow(["检查编号", "统一社会信用代码", "检查日期", "检查类型", "检查结果", "评分"])
        for i in range(rows):
            out.writerow(
                [
                    f"J{i:09d}",
                    rng.choice(codes),
                    date(2025, rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
                    "日常检查",
                    rng.choice(["合格", "不合格", "基本符合"]),
                    rng.randint(50, 100),
                ]
            )
    return entities, records


def prepared_database(path: Path) -> str:
    from lookthrough.cli_common import cli_actor
    from lookthrough.core.db import session_scope
    from lookthrough.core.migrate import upgrade
    from lookthrough.regions import service as regions_service

    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        regions_service.sync_divisions(session, actor=cli_actor("bench"))
    engine.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--businesses", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        entities, records = write_files(folder, args.rows, args.businesses)
        url = prepared_database(folder / "import.db")
        factory = session_factory(make_engine(url))
        service.run_import(factory, actor=ACTOR, path=entities, mapping=builtin("entity"))
        started = time.perf_counter()
        summary = service.run_import(
            factory, actor=ACTOR, path=records, mapping=builtin("inspection")
        )
        imported = time.perf_counter() - started
        # The bare baseline: the same stored rows, the same batch size, a fresh database.
        source = sqlite3.connect(folder / "import.db")
        columns = [c[1] for c in source.execute("PRAGMA table_info(record)")]
        rows = source.execute(f"SELECT {', '.join(columns)} FROM record").fetchall()  # noqa: S608
        source.close()
        bare_url = prepared_database(folder / "bare.db")
        bare_factory = session_factory(make_engine(bare_url))
        service.run_import(bare_factory, actor=ACTOR, path=entities, mapping=builtin("entity"))
        target = sqlite3.connect(folder / "bare.db", isolation_level=None)
        for pragma in (
            "page_size=16384",
            "journal_mode=WAL",
            "synchronous=FULL",
            "foreign_keys=ON",
            "cache_size=-65536",
            "wal_autocheckpoint=8192",
        ):
            target.execute(f"PRAGMA {pragma}")
        sql = (
            f"INSERT INTO record ({', '.join(columns)}) VALUES "  # noqa: S608
            f"({', '.join('?' * len(columns))}) ON CONFLICT DO NOTHING"
        )
        started = time.perf_counter()
        for start in range(0, len(rows), service.CHUNK_ROWS):
            target.execute("BEGIN")
            target.executemany(sql, rows[start : start + service.CHUNK_ROWS])
            target.execute("COMMIT")
        bare = time.perf_counter() - started
        target.close()
    result = {
        "rows": summary.rows_read,
        "accepted": summary.accepted,
        "import_seconds": round(imported, 2),
        "import_rows_per_s": round(args.rows / imported),
        "bare_seconds": round(bare, 2),
        "bare_rows_per_s": round(len(rows) / bare),
        "ratio": round((args.rows / imported) / (len(rows) / bare), 2),
        "machine": f"{platform.machine()} · {platform.python_version()} · "
        f"{len(__import__('os').sched_getaffinity(0))} cores",
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
