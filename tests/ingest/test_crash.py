"""Crash safety: SIGKILL the importer at random moments, re-run it, lose and double nothing.

A large inspection file (with bad rows, exact duplicates and corrections) is imported twice: once
without interruption into one database (the expected result), and once into another while being
killed with SIGKILL at random moments at least 20 times, then re-run until it finishes. Both
databases must then hold exactly the same records and quarantined rows, and the batch counters
must add up to the rows in the file.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from ingest_support import Database, importer, write_csv
from sqlalchemy import func, select

from lookthrough.ingest import service
from lookthrough.ingest.models import IngestBatch, QuarantineRow
from lookthrough.records.models import Record
from lookthrough.registry import uscc

LOOKTHROUGH = str(Path(sys.executable).with_name("lookthrough"))
BUSINESSES = 3_000
ROWS = 200_000
KILLS = 20
MAX_KILLS = 40  # then one run is left to finish
SEED = int(os.environ.get("LOOKTHROUGH_CRASH_SEED", "20260301"))
COUNTIES = ["340102", "340103", "340104", "340111"]
HEADER = ["检查编号", "统一社会信用代码", "检查日期", "检查类型", "检查结果", "评分", "执法人员"]
RESULTS = ["合格", "基本符合", "不合格"]


def business_codes() -> list[str]:
    return [uscc.make("91", COUNTIES[n % 4], f"MA{n:06d}") for n in range(BUSINESSES)]


def inspection_rows(codes: list[str], rng: random.Random) -> list[list[str]]:
    """Mostly good rows; about 1% each of exact duplicates, bad rows and corrections."""
    rows: list[list[str]] = []
    stranger = uscc.make("91", "340104", "MA999999")  # never registered
    for n in range(ROWS):
        roll = rng.random()
        if roll < 0.01 and rows:
            rows.append(list(rng.choice(rows)))  # the same row again
        elif roll < 0.015:
            rows.append([f"X{n}", rng.choice(codes), "2026-02-30", "日常检查", "合格", "90", "A1"])
        elif roll < 0.02:
            rows.append([f"X{n}", stranger, "2026-03-01", "日常检查", "合格", "90", "A1"])
        elif roll < 0.03 and rows:
            corrected = list(rng.choice(rows))
            corrected[5] = str(rng.randint(0, 100))  # same key, other content
            rows.append(corrected)
        else:
            day = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            rows.append(
                [
                    f"JC{n:07d}",
                    rng.choice(codes),
                    day,
                    rng.choice(["日常检查", "专项检查", "双随机抽查"]),
                    rng.choice(RESULTS),
                    str(rng.randint(40, 100)),
                    f"A{rng.randint(1, 300):03d}、A{rng.randint(1, 300):03d}",
                ]
            )
    return rows


@dataclass
class Outcome:
    records: list[tuple[str, str | None, str | None, int | None, int | None]]
    quarantined: list[tuple[str, int]]  # (batch, row), repeats kept
    batches: list[tuple[str, str, int, int, int, int]]  # id, status, read, accepted, quar., dups


def outcome(db: Database) -> Outcome:
    with db.factory() as session:
        records = session.execute(
            select(
                Record.id,
                Record.supersedes_id,
                Record.parent_id,
                Record.entity_id,
                Record.source_row,
            )
            .where(Record.kind == "inspection")
            .order_by(Record.id)
        )
        quarantined = session.execute(
            select(QuarantineRow.batch_id, QuarantineRow.row_no)
            .join(IngestBatch)
            .where(IngestBatch.target == "inspection")
            .order_by(QuarantineRow.batch_id, QuarantineRow.row_no)
        )
        batches = session.scalars(
            select(IngestBatch).where(IngestBatch.target == "inspection").order_by(IngestBatch.id)
        )
        return Outcome(
            records=[tuple(r) for r in records],
            quarantined=[tuple(q) for q in quarantined],
            batches=[
                (b.id, b.status, b.rows_read, b.accepted, b.quarantined, b.duplicates)
                for b in batches
            ],
        )


def committed_rows(db: Database) -> int:
    with db.factory() as session:
        last = session.scalar(
            select(func.max(IngestBatch.last_row)).where(IngestBatch.target == "inspection")
        )
        return last or 0


def import_done(db: Database) -> bool:
    with db.factory() as session:
        status = session.scalars(
            select(IngestBatch.status).where(IngestBatch.target == "inspection")
        ).first()
        return status == "done"


class Importer:
    """`lookthrough import` of one file into one database, run as its own process group."""

    def __init__(self, db: Database, path: Path, folder: Path) -> None:
        self.db, self.path, self.folder = db, path, folder
        self.runs = 0

    def start(self) -> subprocess.Popen[bytes]:
        self.runs += 1
        env = {
            **os.environ,
            "LOOKTHROUGH_DATABASE_URL": self.db.url,
            "LOOKTHROUGH_VAR_DIR": str(self.folder),
        }
        with (
            (self.folder / "out.json").open("wb") as out,
            (self.folder / "err.txt").open("wb") as err,
        ):
            return subprocess.Popen(
                [LOOKTHROUGH, "import", str(self.path), "--kind", "inspection", "--json"],
                env=env,
                stdout=out,
                stderr=err,
                start_new_session=True,  # the forked reader joins the group and dies with it
            )

    def finish(self, process: subprocess.Popen[bytes]) -> dict[str, object]:
        process.wait(timeout=300)
        assert process.returncode == 0, (self.folder / "err.txt").read_text(encoding="utf-8")
        return json.loads((self.folder / "out.json").read_text(encoding="utf-8"))


def seconds_to_first_commit(importer_: Importer) -> float:
    """Run to the end, noting when the first chunk was committed."""
    started, first = time.monotonic(), None
    process = importer_.start()
    while process.poll() is None:
        if first is None and committed_rows(importer_.db) > 0:
            first = time.monotonic() - started
        time.sleep(0.01)
    importer_.finish(process)
    assert first is not None, "the whole import was committed in one chunk"
    return first


@pytest.fixture
def prepared(new_db: Callable[[], Database], tmp_path: Path) -> tuple[Database, Database, Path]:
    """Two databases holding the same businesses, and the inspection file."""
    codes = business_codes()
    registry = write_csv(
        tmp_path / "主体.csv",
        ["统一社会信用代码", "主体名称", "所属区划代码"],
        [[code, f"测试企业{n}有限公司", code[2:8]] for n, code in enumerate(codes)],
    )
    rows = inspection_rows(codes, random.Random(SEED))
    inspections = write_csv(tmp_path / "检查.csv", HEADER, rows)
    databases = new_db(), new_db()
    for db in databases:
        summary = service.run_import(
            db.factory, actor=importer(), path=registry, mapping=service.mapping_for("entity")
        )
        assert summary.accepted == BUSINESSES
    return databases[0], databases[1], inspections


def test_sigkill_at_random_moments_loses_and_doubles_nothing(
    prepared: tuple[Database, Database, Path], tmp_path: Path
) -> None:
    expected_db, crashed_db, path = prepared
    (tmp_path / "expected").mkdir()
    (tmp_path / "crashed").mkdir()
    first_commit = seconds_to_first_commit(Importer(expected_db, path, tmp_path / "expected"))
    expected = outcome(expected_db)
    print('first_commit', first_commit, time.monotonic())

    rng = random.Random(SEED + 1)
    crashing = Importer(crashed_db, path, tmp_path / "crashed")
    # From half the time a fresh run takes to commit its first chunk to a little past it: kills
    # land while a run starts, resumes, reads, writes or commits; a run commits a chunk or two.
    low, high = 0.5 * first_commit, 1.4 * first_commit
    kills, after_a_commit, final = 0, 0, None
    while not import_done(crashed_db):
        before = committed_rows(crashed_db)
        process = crashing.start()
        if kills < MAX_KILLS:
            time.sleep(rng.uniform(low, high))
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                kills += 1
                after_a_commit += committed_rows(crashed_db) > before
                print('kill', kills, before, committed_rows(crashed_db), time.monotonic())
                continue
        final = crashing.finish(process)
    context = (
        f"seed {SEED}: {kills} kills ({after_a_commit} after a commit) in {crashing.runs} runs"
    )
    assert kills >= KILLS, context
    assert after_a_commit >= KILLS // 2, f"too few kills landed mid-import: {context}"

    crashed = outcome(crashed_db)
    file_rows = len(path.read_text(encoding="utf-8").splitlines()) - 1
    assert crashed.records == expected.records, context
    assert crashed.quarantined == expected.quarantined, context
    assert crashed.batches == expected.batches, context
    (_, status, read, accepted, quarantined, duplicates) = crashed.batches[-1]
    assert (status, read) == ("done", file_rows)
    assert read == accepted + quarantined + duplicates
    if final is not None:  # None when a kill landed after the last commit
        assert (final["rows_read"], final["adds_up"]) == (file_rows, True)
    if crashed_db.backend == "sqlite":
        with crashed_db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
