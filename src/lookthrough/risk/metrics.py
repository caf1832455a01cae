"""Backtest measures, pure: how well an ordering by score would have found the violators."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def auc(label: np.ndarray, score: np.ndarray) -> float | None:
    """ROC AUC: the chance that a random violator is scored above a random non-violator
    (ties count half). None when the period has only one kind of subject."""
    label = label.astype(bool)
    positives, negatives = int(label.sum()), int((~label).sum())
    if positives == 0 or negatives == 0:
        return None
    order = np.argsort(score, kind="mergesort")
    ranks = np.empty(len(score), dtype=float)
    sorted_scores = score[order]
    # average ranks for ties
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    average = first + (counts - 1) / 2.0 + 1
    ranks[order] = np.repeat(average, counts)
    return float((ranks[label].sum() - positives * (positives + 1) / 2) / (positives * negatives))


@dataclass(frozen=True, slots=True)
class AtK:
    share: float  # k, as a share of subjects visited
    visited: int
    found: int
    recall: float
    precision: float
    lift: float  # precision over the base rate (what a random visit order finds)


def at_k(label: np.ndarray, score: np.ndarray, share: float) -> AtK:
    """Visit the top ``share`` of subjects by score: how many violators are found."""
    n = len(label)
    visited = max(1, round(n * share)) if n else 0
    order = np.lexsort((np.arange(n), -score))  # stable: ties keep input order
    top = label[order[:visited]].astype(bool)
    positives = int(label.astype(bool).sum())
    found = int(top.sum())
    base = positives / n if n else 0.0
    precision = found / visited if visited else 0.0
    return AtK(
        share,
        visited,
        found,
        found / positives if positives else 0.0,
        precision,
        precision / base if base else 0.0,
    )


def days_earlier(
    days: Sequence[int] | np.ndarray, score: np.ndarray, violated: np.ndarray
) -> float | None:
    """提前发现天数：把本期实际发生的检查按风险分从高到低排序，依次分配本期实际的检查日期
    （从早到晚），对发现问题的检查取“实际日期 − 模拟日期”的平均值。正数表示按风险排序能更早
    查到违法主体。``days`` are day numbers (e.g. ordinals)."""
    actual = np.asarray(days, dtype=np.int64)
    if len(actual) == 0 or not violated.any():
        return None
    order = np.lexsort((actual, -score))  # highest score first; ties by their real date
    simulated = np.empty(len(actual), dtype=np.int64)
    simulated[order] = np.sort(actual)
    gained = (actual - simulated)[violated.astype(bool)]
    return float(gained.mean())


SHARES = (0.05, 0.10, 0.20)


def summary(
    label: np.ndarray,
    score: np.ndarray,
    *,
    visits: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> dict[str, float | int | None]:
    """The numbers a backtest reports. ``visits`` = (day, score, violated) of the period's real
    inspections, for the mean days earlier."""
    out: dict[str, float | int | None] = {
        "n_test": len(label),
        "positives": int(label.astype(bool).sum()),
        "base_rate": float(label.mean()) if len(label) else None,
        "auc": auc(label, score),
    }
    for share in SHARES:
        k = at_k(label, score, share)
        tag = f"{int(share * 100)}pct"
        out[f"recall_at_{tag}"] = k.recall
        out[f"precision_at_{tag}"] = k.precision
        out[f"lift_at_{tag}"] = k.lift
    if visits is not None:
        out["days_earlier_mean"] = days_earlier(visits[0], visits[1], visits[2])
        out["inspections_in_period"] = len(visits[0])
    return out
