"""The command line, run as a user would run it (a subprocess on a fresh database)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

LOOKTHROUGH = str(Path(sys.executable).with_name("lookthrough"))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "LOOKTHROUGH_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
        "LOOKTHROUGH_VAR_DIR": str(tmp_path),
    }


def run(
    env: dict[str, str], *args: str, stdin: str = "", timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LOOKTHROUGH, *args],
        input=stdin,
        env=env,
        text=True,
        capture_output=True,
        timeout=timeout,
        check=False,
    )


def test_upgrade_create_list_and_get(env: dict[str, str]) -> None:
    upgraded = run(env, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "1821" in upgraded.stdout  # 1 province, 16 cities, 119 counties, 1,685 towns
    again = run(env, "db", "upgrade")
    assert "新增 0" in again.stdout, "upgrading twice changes nothing"
    created = run(
        env,
        "users",
        "create",
        "--username",
        "hefei",
        "--role",
        "city_official",
        "--region",
        "3401",
        "--password-stdin",
        "--no-must-change",
        stdin="City-Pass-2026!\n",
    )
    assert created.returncode == 0, created.stderr
    listed = json.loads(run(env, "users", "list", "--json").stdout)
    assert [(u["username"], u["region_code"]) for u in listed] == [("hefei", "3401")]
    me = run(env, "get", "/api/v1/auth/me", "--as", "hefei")
    assert me.returncode == 0, me.stderr
    assert json.loads(me.stdout)["jurisdiction"] == "3401"
    denied = run(env, "get", "/api/v1/users", "--as", "hefei")
    assert denied.returncode == 1 and "permission_denied" in denied.stdout
    assert run(env, "db", "check").returncode == 0


def test_bad_input_gets_a_clear_message(env: dict[str, str]) -> None:
    run(env, "db", "upgrade")
    weak = run(
        env,
        "users",
        "create",
        "--username",
        "weak",
        "--role",
        "county_official",
        "--region",
        "340104",
        "--password-stdin",
        stdin="123\n",
    )
    assert weak.returncode == 1
    assert "密码长度至少" in weak.stderr
    wrong = run(
        env,
        "users",
        "create",
        "--username",
        "x1",
        "--role",
        "county_official",
        "--region",
        "3401",
        "--password-stdin",
        stdin="Good-Pass-2026!\n",
    )
    assert wrong.returncode == 1 and "县（区）级" in wrong.stderr
    no_stdin = run(
        env, "users", "create", "--username", "x2", "--role", "audit_admin", "--region", "34"
    )
    assert no_stdin.returncode != 0 and "--password-stdin" in no_stdin.stderr
    bad_role = run(
        env,
        "users",
        "create",
        "--username",
        "x3",
        "--role",
        "mayor",
        "--region",
        "34",
        "--password-stdin",
        stdin="Good-Pass-2026!\n",
    )
    assert bad_role.returncode == 2


def test_demo_prepares_and_prints_accounts(env: dict[str, str]) -> None:
    # The demo imports a 20,000-business province and trains and scores its risk: minutes on a
    # busy two-core machine.
    demo = run(env, "demo", "--no-serve", timeout=600)
    assert demo.returncode == 0, demo.stderr
    assert "风险模型" in demo.stdout
    for username in (
        "sheng_fenxi",
        "hefei_shiju",
        "shushan_xianju",
        "xitong_guanli",
        "anquan_guanli",
        "shenji_guanli",
    ):
        assert username in demo.stdout
    assert "已确认并穿透分析 2 条" in demo.stdout  # the four lists' demo chains
    assert "投诉舆情" in demo.stdout and "已关联：自动" in demo.stdout  # resolve run after import
    second = run(env, "demo", "--no-serve", timeout=600)
    assert second.returncode == 0
    assert "新增演示网格 0" in second.stdout
    assert "四个清单已有数据" in second.stdout


def test_help_everywhere(env: dict[str, str]) -> None:
    for args in ((), ("db",), ("users",), ("users", "create"), ("demo",), ("get",)):
        result = run(env, *args, "--help")
        assert result.returncode == 0, args
        assert "Usage" in result.stdout


def test_scheduler_once_runs_every_job_and_an_overdue_measure_escalates(
    env: dict[str, str], tmp_path: Path
) -> None:
    from datetime import timedelta

    from factories import SETTINGS, make_entity
    from lookthrough.core import clock
    from lookthrough.core.actor import Actor
    from lookthrough.core.db import make_engine, session_scope
    from lookthrough.core.roles import Role
    from lookthrough.disposal import service as disposal
    from lookthrough.disposal.models import Measure
    from lookthrough.disposal.risk_inputs import judged

    assert run(env, "db", "upgrade").returncode == 0
    engine = make_engine(env["LOOKTHROUGH_DATABASE_URL"])
    county = Actor(None, "cli-county", Role.COUNTY_OFFICIAL, "340104", "340104")
    past = clock.utcnow() - timedelta(days=30)  # a warning's 10 days are long gone
    with session_scope(engine) as db:
        entity = make_entity(db, region="340104")
        measure = disposal.open_measure(
            db, actor=county, settings=SETTINGS, entity_id=entity.id, levels=judged(2, 2),
            owner_id=None, now=past,
        )  # fmt: skip
        disposal.act(db, actor=county, measure_id=measure.id, action="issue", now=past)
        measure_id = measure.id
    result = run(env, "scheduler", "--once", "--json")
    assert result.returncode == 0, result.stderr
    jobs = {j["name"]: j for j in json.loads(result.stdout)["jobs"]}
    assert {"risk.full", "risk.incremental", "disposal.escalate"} <= set(jobs)
    assert jobs["risk.full"]["status"] == "skipped"  # no model trained: said, not failed
    assert "lookthrough risk train" in jobs["risk.full"]["summary"]
    assert (jobs["disposal.escalate"]["status"], jobs["disposal.escalate"]["escalated"]) == (
        "ok",
        1,
    )
    with session_scope(engine) as db:
        old = db.get(Measure, measure_id)
        assert old is not None and old.state == "escalated"
    text = run(env, "scheduler", "--once")
    assert "升级逾期处置措施 0 项" in text.stdout  # done already: nothing twice
    assert "定时任务" in text.stdout and text.returncode == 0
    engine.dispose()
