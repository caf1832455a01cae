"""Benchmark: reading a plan's subject pool with the risk engine's classes and levels.

    nice -n 10 .venv/bin/python bench/inspection_pool.py [--subjects 1000000] [--url URL]

Fills a fresh database (a temporary SQLite file unless ``--url`` names an empty one) with
``--subjects`` businesses spread over the real Anhui towns, a general "1+N" credit class for 99%
of them (A 20%, B 60%, C 15%, D 4%) and a current assessment for all, then times
``inspection.service.subject_pool`` for a province-wide plan — the one query over businesses
with the two risk sub-selects outer-joined — against a bare fetch of the same businesses' columns.
Statistics are gathered (ANALYZE) after the fill, as autovacuum would. Prints JSON; results go
to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import tempfile
import time
from typing import Any

import numpy as np
from sqlalchemy import insert, null, select
from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.db import make_engine, session_scope
from lookthrough.core.migrate import upgrade
from lookthrough.core.roles import Role
from lookthrough.inspection import risk_inputs, rules, service
from lookthrough.regions import service as regions_service
from lookthrough.regions.divisions import load_divisions
from lookthrough.registry.models import Entity
from lookthrough.risk.models import Assessment, CreditClass

PROVINCE = Actor(None, "bench", Role.PROVINCE_ANALYST, "34", "34")
WITH_RISK = risk_inputs.with_risk


def _without_risk(stmt: Any, **_: Any) -> Any:
    return stmt.add_columns(null().label("grade"), null().label("level"))


CHUNK = 50_000


def fill(session: Session, n: int, rng: np.random.Generator) -> None:
    towns = np.array([d.code for d in load_divisions() if d.level == "town"])
    regions = towns[rng.integers(0, len(towns), size=n)]
    grades = rng.choice(np.array(list("ABCD-")), size=n, p=[0.20, 0.60, 0.15, 0.04, 0.01])
    levels = rng.integers(1, 5, size=n)
    now = dt.datetime.now(dt.UTC)
    day = now.date()
    for start in range(0, n, CHUNK):
        rows = range(start, min(n, start + CHUNK))
        session.execute(
            insert(Entity),
            [{"id": i + 1, "key": f"bench:{i}", "uscc": f"91{i:016d}", "name": f"企业{i}",
              "region_code": str(regions[i]), "industry_code": "F5211", "status": "存续",
              "uscc_status": "valid", "created_at": now, "source": "bench", "first_seen": now,
              "last_seen": now} for i in rows],
        )  # fmt: skip
        session.execute(
            insert(CreditClass),
            [{"entity_id": i + 1, "domain": "general", "region_code": str(regions[i]),
              "grade": str(grades[i]), "probability": 0.1, "model_id": "bench", "as_of": day,
              "assessed_at": now} for i in rows if grades[i] != "-"],
        )  # fmt: skip
        session.execute(
            insert(Assessment),
            [{"entity_id": i + 1, "region_code": str(regions[i]), "field": "general",
              "model_id": "bench", "as_of": day, "assessed_at": now, "probability": 0.1,
              "consequence": 1.0, "level": int(levels[i]), "top": []} for i in rows],
        )  # fmt: skip


def spec() -> rules.PlanSpec:
    return rules.PlanSpec(
        code="BENCH", name="全省抽查", region="34", year=2026,
        items=(rules.ItemSpec("SJ-01", "公示信息", "市场监管"),),
        ratios={}, unclassified_as="B", cap=2, team_size=2,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--url", default=None)
    parser.add_argument("--filled", action="store_true", help="--url is filled already")
    args = parser.parse_args()
    engine = make_engine(args.url or f"sqlite:///{tempfile.mkdtemp(prefix='lt-pool-')}/pool.db")
    t0 = time.perf_counter()
    if not args.filled:
        upgrade(engine)
        with session_scope(engine) as session:
            regions_service.sync_divisions(session, actor=Actor.system("bench"))
        with session_scope(engine) as session:
            fill(session, args.subjects, np.random.default_rng(2026))
        with engine.connect() as conn:  # statistics, as a loaded database has them (autovacuum)
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    filled = time.perf_counter() - t0
    timings: dict[str, list[float]] = {
        "businesses_only_query": [], "subject_pool_without_risk": [], "subject_pool_with_risk": []
    }  # fmt: skip
    for _ in range(2):  # the first round reads the file from disk, the second from the cache
        with session_scope(engine) as session:
            t1 = time.perf_counter()
            session.execute(
                select(Entity.id, Entity.uscc, Entity.key, Entity.region_code,
                       Entity.industry_code)
                .where(Entity.status.not_in(service.CLOSED_STATUSES))
                .order_by(Entity.id)
            ).all()  # fmt: skip
            t2 = time.perf_counter()
            # The pool as it was read before the risk seam: the same query, no risk columns.
            risk_inputs.with_risk = _without_risk  # type: ignore[assignment]
            service.subject_pool(session, actor=PROVINCE, spec=spec(), classes=None)
            risk_inputs.with_risk = WITH_RISK
            t3 = time.perf_counter()
            pool = service.subject_pool(session, actor=PROVINCE, spec=spec(), classes=None)
            t4 = time.perf_counter()
        timings["businesses_only_query"].append(round(t2 - t1, 2))
        timings["subject_pool_without_risk"].append(round(t3 - t2, 2))
        timings["subject_pool_with_risk"].append(round(t4 - t3, 2))
    classes = pool.inputs.classes
    report = {
        "backend": engine.dialect.name,
        "subjects": args.subjects,
        "classified": int(np.count_nonzero(classes)),
        "drawn_as_D": int(np.count_nonzero(classes == ord("D"))),
        "assessed": int(np.count_nonzero(pool.inputs.risk)),
        "source": pool.inputs.source,
        "seconds_fill": round(filled, 1),
        **{f"seconds_{k}": v for k, v in timings.items()},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
    }
    engine.dispose()
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
