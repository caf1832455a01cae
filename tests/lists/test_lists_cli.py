"""`lookthrough lists overdue`, run as a job would run it (a subprocess on a database file)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from chain_world import build
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lookthrough.core import clock
from lookthrough.core.db import make_engine
from lookthrough.lists import tasks
from lookthrough.lists.models import Rectification, RectificationTarget
from lookthrough.risk.models import Alert

LOOKTHROUGH = str(Path(sys.executable).with_name("lookthrough"))


def _lookthrough(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LOOKTHROUGH, *args], env=env, text=True, capture_output=True,
                          check=False)  # fmt: skip


def test_overdue_lists_late_tasks_of_the_region_as_json(tmp_path: Path) -> None:
    env = {**os.environ, "LOOKTHROUGH_DATABASE_URL": f"sqlite:///{tmp_path}/lt.db",
           "LOOKTHROUGH_VAR_DIR": str(tmp_path)}  # fmt: skip
    assert _lookthrough(env, "db", "upgrade").returncode == 0
    engine = make_engine(env["LOOKTHROUGH_DATABASE_URL"])
    today = clock.today()
    with Session(engine) as db:
        chain = build(db, run=False)
        now = clock.utcnow()
        for n, days in enumerate((-3, 10)):  # one late, one not yet due
            task = Rectification(problem_id=chain.problem.id, region_code="340104", scope="one",
                                 title=f"任务{n}", measures="整改", responsible="食品科",
                                 deadline=today + timedelta(days=days), state="open",
                                 created_by="tests", created_at=now, updated_at=now)  # fmt: skip
            db.add(task)
            db.flush()
            target = RectificationTarget(
                rectification_id=task.id, entity_id=chain.dirty[n].id, region_code="340104",
                state="open", updated_at=now,
            )  # fmt: skip
            db.add(target)
        db.commit()
        expected = tasks.search(db, actor=chain.actor, today=today, overdue=True)[1]
    engine.dispose()
    done = _lookthrough(env, "lists", "overdue", "--region", "3401", "--json")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["total"] == expected == 1
    assert [(t["title"], t["days_overdue"], t["overdue_targets"]) for t in found["tasks"]] == [
        ("任务0", 3, 1)
    ]
    elsewhere = json.loads(_lookthrough(env, "lists", "overdue", "--region", "3402",
                                        "--json").stdout)  # fmt: skip
    assert elsewhere["total"] == 0
    table = _lookthrough(env, "lists", "overdue")
    assert "任务0" in table.stdout and "共 1 项超期整改任务" in table.stdout
    bad = _lookthrough(env, "lists", "overdue", "--region", "x")
    assert bad.returncode != 0 and "区划代码" in bad.stderr


def test_raise_overdue_alerts_raises_each_late_task_once(tmp_path: Path) -> None:
    env = {**os.environ, "LOOKTHROUGH_DATABASE_URL": f"sqlite:///{tmp_path}/lt.db",
           "LOOKTHROUGH_VAR_DIR": str(tmp_path)}  # fmt: skip
    assert _lookthrough(env, "db", "upgrade").returncode == 0
    engine = make_engine(env["LOOKTHROUGH_DATABASE_URL"])
    with Session(engine) as db:
        chain = build(db, run=False)
        now = clock.utcnow()
        task = Rectification(problem_id=chain.problem.id, region_code="340104", scope="one",
                             title="超期任务", measures="整改", responsible="食品科",
                             deadline=clock.today() - timedelta(days=2), state="open",
                             created_by="tests", created_at=now, updated_at=now)  # fmt: skip
        db.add(task)
        db.flush()
        db.add(
            RectificationTarget(
                rectification_id=task.id,
                entity_id=chain.dirty[0].id,
                region_code="340104",
                state="open",
                updated_at=now,
            )
        )
        db.commit()
    runs = [_lookthrough(env, "lists", "raise-overdue-alerts", "--region", "3401", "--json")
            for _ in range(2)]  # fmt: skip
    assert [json.loads(r.stdout)["raised"] for r in runs] == [1, 0], runs[0].stderr
    with Session(engine) as db:
        assert db.scalar(select(func.count()).select_from(Alert)) == 1
    engine.dispose()
