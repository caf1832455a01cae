"""The sf-inspections real case: San Francisco restaurant inspections (2015-02..2018-02),
imported through the shipped mapping files, turned into one feature row per scored inspection
from the records *before* it, and backtested with a time split — beside the baseline a bureau
would use without a model: "the lower the last inspection score, the sooner the next visit".

    nice -n 10 .venv/bin/python bench/risk_sf.py --work /tmp/risk-sf [--split 2017-01-01]

A violation (label 1) is an inspection scored 85 or less (the data's legend: 71–85 "Needs
Improvement", 0–70 "Poor"). Prints one JSON document with both results.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv

from lookthrough.core.actor import Actor
from lookthrough.core.db import make_engine, session_factory, session_scope
from lookthrough.core.migrate import upgrade
from lookthrough.core.roles import Role
from lookthrough.engine import extract
from lookthrough.engine.seam import DuckDBEngine
from lookthrough.ingest import service
from lookthrough.regions import service as regions_service
from lookthrough.risk import metrics

ROOT = Path(__file__).resolve().parents[1]
# ../shared beside the project (a worktree one level deeper finds it one more level up).
DATA = next(
    (p for p in (ROOT / "../shared/data/sf-inspections", ROOT / "../../shared/data/sf-inspections")
     if p.is_dir()),
    ROOT / "../shared/data/sf-inspections",
)  # fmt: skip
MAPPINGS = ROOT / "examples/mappings/sf-inspections"
SCOPE = "340104"
FILES = [("businesses.csv", "businesses.yaml", "entity"),
         ("inspections.csv", "inspections.yaml", "inspection"),
         ("violations.csv", "violations.yaml", "finding")]  # fmt: skip
LOOKTHROUGH = Path(sys.executable).parent / "lookthrough"

# One row per scored inspection; every feature looks only at records strictly before its day.
# One row per scored inspection; every feature looks only at the records strictly before its day
# (what the bureau knew when it chose whom to visit).
FEATURES_SQL = """
WITH insp AS (
    SELECT entity_id, day, TRY_CAST(p_score AS DOUBLE) AS score FROM events
    WHERE kind = 'inspection'
), found AS (
    SELECT entity_id, day, count(*) AS n FROM events WHERE kind = 'finding' GROUP BY ALL
), visit AS (
    SELECT i.*, coalesce(f.n, 0) AS findings FROM insp i
    LEFT JOIN found f ON f.entity_id = i.entity_id AND f.day = i.day
    WHERE i.score IS NOT NULL
), pairs AS (
    SELECT s.entity_id, s.day, s.score, p.day AS p_day, p.score AS p_score,
           p.findings AS p_findings
    FROM visit s LEFT JOIN visit p ON p.entity_id = s.entity_id AND p.day < s.day
)
SELECT
    entity_id AS business, day AS date, CAST(score <= 85 AS INTEGER) AS violation,
    arg_max(p_score, p_day) AS last_score,
    avg(p_score) AS mean_score,
    min(p_score) AS worst_score,
    count(p_day) AS visits_before,
    arg_max(p_findings, p_day) AS last_findings,
    sum(p_findings) / nullif(count(p_day), 0) AS findings_per_visit,
    date_diff('day', max(p_day), day) AS days_since_visit
FROM pairs
GROUP BY entity_id, day, score
ORDER BY day, entity_id
"""


def prepare(work: Path) -> str:
    db = work / "sf.db"
    url = f"sqlite:///{db}"
    if db.exists():
        return url
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        regions_service.sync_divisions(session, actor=Actor.system("bench"))
    actor = Actor(None, "system:bench", Role.PROVINCE_ANALYST, "34", SCOPE)
    for name, mapping, target in FILES:
        service.run_import(
            session_factory(engine),
            actor=actor,
            path=DATA / name,
            mapping=service.mapping_for(target, MAPPINGS / mapping),
            scope=SCOPE,
        )
    return url


def build_features(url: str, out: Path) -> int:
    engine = make_engine(url)
    payload = {"score": {"inspection"}, "inspection_type": {"inspection"}}
    with session_scope(engine) as session, DuckDBEngine() as analytics:
        table = extract.to_arrow(
            session,
            extract.events_select(session, kinds=["inspection", "finding"], payload=payload,
                                  since=dt.date(2000, 1, 1), until=dt.date(2030, 1, 1)),
            extract.events_schema(payload),
        )  # fmt: skip
        analytics.load("events", table)
        features = analytics.query(FEATURES_SQL)
    pacsv.write_csv(features, out)
    return int(features.num_rows)


def baseline(path: Path, split: dt.date) -> dict[str, object]:
    """Visit order by the last inspection score, lowest first (no score yet: the median)."""
    with path.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if dt.date.fromisoformat(r["date"]) >= split]
    last = np.array([float(r["last_score"]) if r["last_score"] else np.nan for r in rows])
    last = np.where(np.isnan(last), np.nanmedian(last), last)
    label = np.array([int(r["violation"]) for r in rows])
    days = np.array([dt.date.fromisoformat(r["date"]).toordinal() for r in rows])
    score = -last + 1e-9 * np.arange(len(rows))[::-1]  # ties: keep the data's order
    result = metrics.summary(label, score, visits=(days, score, label))
    return {k: result[k] for k in ("n_test", "auc", "recall_at_10pct", "lift_at_10pct",
                                   "precision_at_10pct", "days_earlier_mean")}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--split", default="2017-01-01")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    url = prepare(args.work)
    table = args.work / "sf-features.csv"
    rows = build_features(url, table)
    done = subprocess.run(
        [str(LOOKTHROUGH), "risk", "backtest", "--features", str(table), "--id", "business",
         "--date", "date", "--label", "violation", "--split", args.split, "--json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    model = json.loads(done.stdout)
    split = dt.date.fromisoformat(args.split)
    print(json.dumps({"rows": rows, "split": args.split, "model": model,
                      "baseline_last_score": baseline(table, split)},
                     ensure_ascii=False, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
