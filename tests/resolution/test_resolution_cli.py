"""`lookthrough resolve …` run as a user runs it (a subprocess on a fresh SQLite database)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lookthrough.synth.generate import generate

LOOKTHROUGH = str(Path(sys.executable).with_name("lookthrough"))


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LOOKTHROUGH, *args], env=env, text=True, capture_output=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    """A tiny province generated, imported and resolved through the command line."""
    folder = tmp_path_factory.mktemp("resolve-cli")
    province = folder / "province"
    generate("tiny", 5, province)
    env = {**os.environ, "LOOKTHROUGH_DATABASE_URL": f"sqlite:///{folder}/cli.db",
           "LOOKTHROUGH_VAR_DIR": str(folder)}  # fmt: skip
    for args in (("db", "upgrade"), ("import", str(province), "--json")):
        done = run(env, *args)
        assert done.returncode == 0, done.stderr
    return env, province


def test_run_resolves_every_mention_and_says_so(loaded: tuple[dict[str, str], Path]) -> None:
    env, province = loaded
    done = run(env, "resolve", "run", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["mentions"] > 100
    assert sum(summary["statuses"].values()) == summary["mentions"]
    stored = json.loads(run(env, "resolve", "evaluate", "--truth", str(province), "--database",
                            "--json").stdout)  # fmt: skip
    assert stored["mentions"] == summary["mentions"]
    assert stored["precision"] >= 0.98 and stored["recall"] >= 0.95


def test_evaluate_reads_the_folder_without_a_database(
    loaded: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    _, province = loaded
    env = {**os.environ, "LOOKTHROUGH_DATABASE_URL": f"sqlite:///{tmp_path}/none/never.db"}
    done = run(env, "resolve", "evaluate", "--truth", str(province), "--json")
    assert done.returncode == 0, done.stderr
    scores = json.loads(done.stdout)
    assert {"precision", "recall", "review_share"} <= set(scores)
    assert scores["precision"] >= 0.98 and scores["recall"] >= 0.95
    assert not (tmp_path / "none" / "never.db").exists()


def test_a_spreadsheet_of_names_gets_its_best_matches(
    loaded: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, province = loaded
    with (province / "entities.csv").open(encoding="utf-8-sig") as handle:
        header, first = handle.readline().strip().split(","), handle.readline().strip().split(",")
    name, address = first[header.index("主体名称")], first[header.index("住所")]
    sheet = tmp_path / "名单.csv"
    sheet.write_text(f"单位,地址\n{name},{address}\n查无此店XYZ,\n", encoding="utf-8")
    done = run(env, "resolve", str(sheet), "--name-col", "单位", "--address-col", "地址", "--json")
    assert done.returncode == 0, done.stderr
    found, missing = json.loads(done.stdout)
    assert (found["row"], found["uscc"], found["status"]) == (2, first[0], "auto")
    assert "地址道路门牌一致（+12）" in found["reasons"]
    assert (missing["status"], missing["entity_id"]) == ("unlinked", None)
    shown = run(env, "resolve", str(sheet), "--name-col", "单位")
    assert shown.returncode == 0 and name in shown.stdout and "自动关联" in shown.stdout


def test_a_missing_column_is_named_in_chinese(
    loaded: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, _ = loaded
    sheet = tmp_path / "x.csv"
    sheet.write_text("名称\n鑫源粮油\n", encoding="utf-8")
    done = run(env, "resolve", str(sheet), "--name-col", "单位")
    assert done.returncode == 1
    assert "文件中没有列“单位”" in done.stderr
