"""At small scale (20,000 businesses) the model must find the true violators: trained on the
past and scoring the next period, its top 10 % holds at least three times the share of the
hidden top-decile-propensity businesses that a random visit order would (bench/RESULTS.md has
the AUC beside it). SQLite only: about a minute."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from lookthrough.core.actor import Actor
from lookthrough.core.db import make_engine, session_factory, session_scope
from lookthrough.core.migrate import upgrade
from lookthrough.engine.seam import DuckDBEngine
from lookthrough.ingest import manifest, service
from lookthrough.regions import service as regions_service
from lookthrough.registry.models import Entity
from lookthrough.risk import indicators, metrics, training
from lookthrough.risk.dataset import frame_at
from lookthrough.synth.generate import generate
from risk.conftest import ANALYST


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("small-risk")
    generate("small", 1, folder)
    url = f"sqlite:///{folder / 'small.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        regions_service.sync_divisions(session, actor=Actor.system("tests"))
    for job in manifest.plan(folder):
        service.run_import(session_factory(engine), actor=ANALYST, path=job.path,
                           mapping=service.mapping_for(job.target, job.mapping))  # fmt: skip
    engine.dispose()
    return url, folder


def test_next_period_top_tenth_holds_three_times_the_true_violators(
    small: tuple[str, Path],
) -> None:
    url, folder = small
    engine = make_engine(url)
    with session_scope(engine) as session, DuckDBEngine() as analytics:
        indicators.seed_defaults(session, actor=ANALYST)
        specs = indicators.published_specs(session)
        end = training._load_all(session, analytics, specs)
        scorer, _, _ = training._fit_years(analytics, specs, "logistic", training._anchors(end, 2))
        rows = frame_at(analytics, specs, end)
        uscc = dict(session.execute(select(Entity.id, Entity.uscc)).all())
        session.rollback()
    engine.dispose()
    score = scorer.score(rows.values, rows.fields, explain=False).probability
    with (folder / "truth" / "propensity.csv").open(encoding="utf-8") as handle:
        hidden = {r["uscc"]: float(r["propensity"]) for r in csv.DictReader(handle)}
    truth = np.array([hidden[uscc[int(i)]] for i in rows.ids])
    violator = truth >= np.quantile(truth, 0.9)
    top = metrics.at_k(violator.astype(int), score, 0.10)
    assert top.lift >= 3.0, f"top 10 % holds {top.recall:.1%} of the true violators"
    assert (metrics.auc(violator.astype(int), score) or 0) >= 0.75
