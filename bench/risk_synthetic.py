"""Backtest on the synthetic province against its hidden truth.

Generates (or reuses) a synthetic province, imports it through the normal import path into a
fresh SQLite database, links the complaints and public-opinion posts that name a business only
in words to the business they mean (``lookthrough resolve run``, as the platform would;
``--no-resolve`` to skip), seeds the default indicator library, then runs the platform's own
backtest (train on the past, score a later period) and compares the later period's scores with
the hidden propensity in ``truth/propensity.csv``: a business is a true violator when its
propensity is in the top 10 % of the province.

    nice -n 10 .venv/bin/python bench/risk_synthetic.py --scale small --years 2 --work /tmp/rb

The imported database is kept (``small-1.db``); the resolved one is a copy of it
(``small-1-resolved.db``), so both runs can be compared without importing twice. Resolution reads
only the records and the register — never the truth files.

Prints one JSON document (the numbers bench/RESULTS.md quotes).
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import time
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.db import make_engine, session_scope
from lookthrough.core.migrate import upgrade
from lookthrough.core.roles import Role
from lookthrough.engine.seam import DuckDBEngine
from lookthrough.regions import service as regions_service
from lookthrough.registry.models import Entity
from lookthrough.resolution import evaluate
from lookthrough.risk import indicators, metrics, training
from lookthrough.risk.dataset import frame_at

ACTOR = Actor(None, "system:bench", Role.PROVINCE_ANALYST, "34", "34")


def prepare(scale: str, seed: int, work: Path) -> Path:
    from lookthrough.core.db import session_factory
    from lookthrough.ingest import manifest, service
    from lookthrough.synth.generate import generate

    folder = work / f"{scale}-{seed}"
    if not (folder / "manifest.json").is_file():
        generate(scale, seed, folder)
    db = work / f"{scale}-{seed}.db"
    url = f"sqlite:///{db}"
    if not db.exists():
        engine = make_engine(url)
        upgrade(engine)
        with session_scope(engine) as session:
            regions_service.sync_divisions(session, actor=Actor.system("bench"))
        factory = session_factory(engine)
        for job in manifest.plan(folder):
            service.run_import(
                factory,
                actor=ACTOR,
                path=job.path,
                mapping=service.mapping_for(job.target, job.mapping),
            )
        engine.dispose()  # the last connection closing folds the WAL into the file
    return db


def resolved(db: Path) -> tuple[Path, dict[str, object]]:
    """A copy of the imported database with every mention resolved (made once, then reused)."""
    from lookthrough.core.config import get_settings
    from lookthrough.core.db import session_factory
    from lookthrough.resolution import run
    from lookthrough.resolution import service as resolution
    from lookthrough.resolution.engine import engine_named

    target = db.with_name(f"{db.stem}-resolved.db")
    done = target.with_suffix(".json")  # written last: a copy without it is incomplete
    if done.is_file():
        return target, {"reused": True, **json.loads(done.read_text(encoding="utf-8"))}
    for stale in db.parent.glob(f"{target.name}*"):
        stale.unlink()
    shutil.copyfile(db, target)
    settings = get_settings()
    engine = make_engine(f"sqlite:///{target}")
    summary = run.resolve_all(
        session_factory(engine),
        actor=Actor.system("bench"),
        thresholds=resolution.thresholds_for(settings),
        engine=engine_named(settings.resolution_engine),
    )
    engine.dispose()
    facts: dict[str, object] = {
        "engine": summary.engine,
        "mentions": summary.mentions,
        "statuses": summary.statuses,
        "seconds": summary.seconds,
    }
    done.write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    return target, facts


def next_period(session: Session, algorithm: str, years: int) -> tuple[list[int], np.ndarray, str]:
    """The production path: train on every year with known outcomes, score as of the data's
    last day — the following period has no records yet, but the synthetic truth is known."""
    specs = indicators.published_specs(session)
    with DuckDBEngine() as engine:
        end = training._load_all(session, engine, specs)
        anchors = training._anchors(end, years)
        scorer, _, _ = training._fit_years(engine, specs, algorithm, anchors)
        rows = frame_at(engine, specs, end)
    scores = scorer.score(rows.values, rows.fields, explain=False).probability
    return rows.ids.tolist(), scores, end.isoformat()


def against_truth(
    ids: list[int], scores: np.ndarray, uscc: dict[int, str], propensity: dict[str, float]
) -> dict[str, object]:
    hidden = np.array([propensity.get(uscc.get(i) or "", np.nan) for i in ids])
    known = ~np.isnan(hidden)
    violator = (hidden[known] >= np.quantile(hidden[known], 0.9)).astype(int)
    truth = metrics.summary(violator, scores[known])
    return {k: truth[k] for k in ("n_test", "positives", "auc", "recall_at_10pct", "lift_at_10pct")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, required=True, help="A folder to keep data in.")
    parser.add_argument("--algorithm", default="logistic")
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument(
        "--resolve",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Link mentions to businesses before scoring (default on; --no-resolve for before).",
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    db = prepare(args.scale, args.seed, args.work)
    resolution: dict[str, object] | None = None
    if args.resolve:
        db, resolution = resolved(db)
    prepared = time.perf_counter() - started
    engine = make_engine(f"sqlite:///{db}")
    with session_scope(engine) as session:
        indicators.seed_defaults(session, actor=ACTOR)
        tick = time.perf_counter()
        result = training.backtest(session, algorithm=args.algorithm, years=args.years)
        seconds = time.perf_counter() - tick
        latest_ids, latest_scores, latest_day = next_period(session, args.algorithm, args.years)
        uscc = dict(session.execute(select(Entity.id, Entity.uscc)).all())
        if resolution is not None:
            # How well the links match the truth — measured after scoring, never a feature.
            checked = evaluate.evaluate_database(session, args.work / f"{args.scale}-{args.seed}")
            resolution["vs_truth"] = {
                k: getattr(checked, k) for k in ("mentions", "precision", "recall", "review_share")
            }
        session.rollback()
    truth_file = args.work / f"{args.scale}-{args.seed}" / "truth" / "propensity.csv"
    with truth_file.open(encoding="utf-8") as handle:
        propensity = {row["uscc"]: float(row["propensity"]) for row in csv.DictReader(handle)}
    ids, scores = result.pop("entity_ids"), np.array(result.pop("scores"))
    print(
        json.dumps(
            {
                "scale": args.scale,
                "seed": args.seed,
                "years": args.years,
                "resolution": resolution,
                "prepare_seconds": round(prepared, 1),
                "backtest_seconds": round(seconds, 1),
                "observed": result,
                "backtest_vs_truth_top10pct": against_truth(ids, scores, uscc, propensity),
                "next_period_as_of": latest_day,
                "next_period_vs_truth_top10pct": against_truth(
                    latest_ids, latest_scores, uscc, propensity
                ),
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
