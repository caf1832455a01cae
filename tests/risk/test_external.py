"""`lookthrough risk backtest --features FILE.csv …`: the external-table form, run as a user
would (a subprocess), on a table whose label really depends on its features."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lookthrough.risk import metrics

LOOKTHROUGH = Path(sys.executable).parent / "lookthrough"
KEYS = ("auc", "days_earlier_mean", "recall_at_10pct", "lift_at_10pct", "n_train", "n_test")


def write_table(path: Path, n: int = 3000) -> None:
    rng = np.random.default_rng(3)
    start = dt.date(2023, 1, 1).toordinal()
    lines = ["shop,visited,found,last_score,complaints,district"]
    for i in range(n):
        last = rng.integers(55, 100)
        complaints = rng.poisson(1.0)
        district = ["东区", "西区", "南区"][i % 3]
        risk = 1 / (1 + np.exp(-(-0.12 * (last - 80) + 0.6 * complaints - 1.5
                                 + (0.8 if district == "南区" else 0))))  # fmt: skip
        day = dt.date.fromordinal(start + int(rng.integers(0, 730)))
        lines.append(f"S{i},{day.isoformat()},{int(rng.random() < risk)},{last},{complaints},"
                     f"{district}")  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def backtest(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOOKTHROUGH_")}
    return subprocess.run(
        [str(LOOKTHROUGH), "risk", "backtest", "--features", str(path), *extra],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_external_table_backtest_reports_the_keys(tmp_path: Path) -> None:
    table = tmp_path / "visits.csv"
    write_table(table)
    done = backtest(table, "--id", "shop", "--date", "visited", "--label", "found",
                    "--split", "2024-07-01", "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    for key in KEYS:
        assert result[key] is not None, key
    assert result["n_train"] + result["n_test"] == 3000
    assert result["features"] == ["last_score", "complaints", "district"]
    assert result["auc"] > 0.7 and result["lift_at_10pct"] > 1.5
    assert result["days_earlier_mean"] > 0  # risky shops first: violators are visited sooner


def test_external_table_mistakes_are_explained(tmp_path: Path) -> None:
    table = tmp_path / "visits.csv"
    write_table(table, n=200)
    missing = backtest(table, "--id", "shop", "--date", "when", "--label", "found",
                       "--split", "2024-07-01")  # fmt: skip
    assert missing.returncode == 1 and "特征表缺少列：when" in missing.stderr
    text = table.read_text(encoding="utf-8").replace(",1,", ",maybe,", 1)
    table.write_text(text, encoding="utf-8")
    bad = backtest(table, "--id", "shop", "--date", "visited", "--label", "found",
                   "--split", "2024-07-01")  # fmt: skip
    assert bad.returncode == 1 and "标签列“found”有 1 行无法识别" in bad.stderr
    half = backtest(table, "--id", "shop", "--date", "visited", "--label", "found")
    assert half.returncode != 0 and "--split" in half.stderr


@pytest.mark.parametrize(
    ("score", "violated", "expected"),
    [
        # three visits on days 10, 20, 30; the violator (last) is scored highest → visited on day
        # 10 instead of 30: 20 days earlier.
        ([0.1, 0.2, 0.9], [0, 0, 1], 20.0),
        ([0.9, 0.2, 0.1], [0, 0, 1], 0.0),  # already last in line: no gain
        ([0.1, 0.9, 0.5], [1, 0, 0], -20.0),  # the model sends it to the back: 20 days later
    ],
)
def test_days_earlier(score: list[float], violated: list[int], expected: float) -> None:
    got = metrics.days_earlier([10, 20, 30], np.array(score), np.array(violated, dtype=bool))
    assert got == expected


def test_auc_and_recall_at_k() -> None:
    label = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 0])
    score = np.array([0.9, 0.8, 0.1, 0.3, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2])
    assert metrics.auc(label, score) == 0.5  # one violator above all 8, one below all
    top = metrics.at_k(label, score, 0.10)
    assert (top.visited, top.found, top.recall, top.lift) == (1, 1, 0.5, 5.0)
    assert metrics.auc(np.zeros(3), np.arange(3.0)) is None
