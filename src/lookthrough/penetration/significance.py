"""显著性：一个关联因素的问题主体是否多于偶然，以及检验许多因素时的多重校正。

Pure functions over counts; no database, no clock. The docstrings are the explanations
officials read beside the results (``rules.select_factors`` puts them together).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import hypergeom

# 显著性水平（错误发现率 FDR 控制在 5%）。A factor is reported as significant when its
# Benjamini–Hochberg adjusted p-value (q) is at or below this.
ALPHA = 0.05


def upper_tail(
    affected: np.ndarray, members: np.ndarray, total_affected: int, universe: int
) -> np.ndarray:
    """单侧 Fisher 精确检验（超几何分布上尾）：若该因素与问题无关，其关联主体中出现至少
    这么多问题主体的概率。

    ``affected`` of a factor's ``members`` show the problem, out of ``total_affected`` among
    ``universe`` units. A small value means the factor's units show the problem more often than
    chance would give. Factors with no affected member get 1.
    """
    a = np.asarray(affected, dtype=np.int64)
    b = np.asarray(members, dtype=np.int64)
    p = np.ones(len(a), dtype=float)
    ok = (a > 0) & (b > 0) & (universe > 0)
    if ok.any():
        p[ok] = hypergeom.sf(a[ok] - 1, universe, total_affected, b[ok])
    return np.clip(p, 0.0, 1.0)


def minimum_p(members: np.ndarray, total_affected: int, universe: int) -> np.ndarray:
    """一个因素理论上能达到的最小 p 值（其关联主体全部为问题主体时）。

    Used by Tarone's trimming: a factor of two members can never be significant among thousands
    of tests, so counting it as a test only costs the others power.
    """
    b = np.asarray(members, dtype=np.int64)
    top = np.minimum(b, total_affected)
    return upper_tail(top, b, total_affected, universe)


# A unit counts at most this many of the problem's records in the evidence-count test: a shop
# with twenty complaints is strong evidence about itself, not twenty times the evidence about
# its platform.
COUNT_CAP = 3


def evidence_distribution(counts: np.ndarray) -> np.ndarray:
    """Share of units with 0, 1, … COUNT_CAP of the problem's records (capped)."""
    c = np.minimum(np.asarray(counts, dtype=np.int64), COUNT_CAP)
    found = np.bincount(c, minlength=COUNT_CAP + 1)[: COUNT_CAP + 1].astype(float)
    total = found.sum()
    return found / total if total else found


def count_tail(shares: np.ndarray, members: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """证据条数检验：若该因素与问题无关，其关联主体的问题记录总数（每户最多计 3 条）至少
    这么多的概率。

    Where units differ in how much evidence they carry (a shell on both the abnormal list and
    the dishonesty list, an elevator trapping people three times), a factor's units are scored
    by their records, capped at COUNT_CAP, and the score of its ``members`` units is compared
    with the sum of as many units drawn at random with replacement from all units
    (``shares``: :func:`evidence_distribution`). Drawing with replacement spreads the sum a little
    wider than drawing the factor's units without replacement would, so the probability is, if
    anything, too large: the test errs on the safe side. Exact: the distribution of the sum is
    the ``members``-fold convolution of ``shares``.
    """
    members = np.asarray(members, dtype=np.int64)
    scores = np.asarray(scores, dtype=np.int64)
    p = np.ones(len(members))
    dist, drawn = np.array([1.0]), 0
    for i in np.argsort(members, kind="stable"):  # one convolution more per extra member
        while drawn < members[i]:
            dist = np.convolve(dist, shares)
            drawn += 1
        if members[i] > 0 and scores[i] > 0:
            p[i] = dist[scores[i] :].sum()
    return np.clip(p, 0.0, 1.0)


def tarone_testable(min_p: np.ndarray, alpha: float = ALPHA) -> tuple[np.ndarray, int]:
    """Tarone（1990）修剪：只检验“有可能显著”的因素，并以 K 作为多重检验的个数。

    K is the smallest number such that at most K factors could reach ``alpha / K`` at all;
    only those factors are tested, and the Benjamini–Hochberg correction counts K tests
    (Gilbert 2005 applies the same trimming to false-discovery-rate control). Returns the
    mask of testable factors and K.
    """
    m = len(min_p)
    if m == 0:
        return np.zeros(0, dtype=bool), 0
    ordered = np.sort(min_p)
    k = np.arange(1, m + 1)
    could = np.searchsorted(ordered, alpha / k, side="right")
    fits = np.flatnonzero(could <= k)
    big_k = int(k[fits[0]]) if len(fits) else m
    return min_p <= alpha / big_k, big_k


def bh_adjust(p: np.ndarray, tests: int | None = None) -> np.ndarray:
    """Benjamini–Hochberg 校正：把 p 值换算为 q 值（在 q 以下报告的因素中，预期误报比例
    不超过 q）。``tests`` defaults to the number of p-values; a larger count is conservative."""
    p = np.asarray(p, dtype=float)
    m = max(tests or len(p), len(p))
    if len(p) == 0:
        return p
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, len(p) + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    q = np.empty_like(ranked)
    q[order] = np.minimum(ranked, 1.0)
    return q


@dataclass(frozen=True, slots=True)
class Budget:
    """Which factors are tested and how the false-discovery budget is shared among them."""

    testable: np.ndarray  # bool per factor
    weights: np.ndarray  # per factor; zero where not testable; sums to at most ``tests``
    tests: int  # m: the number of tests the correction counts


def share_budget(min_p: np.ndarray, groups: np.ndarray, alpha: float = ALPHA) -> Budget:
    """每类关联关系平分错误发现的“预算”，每类内部只检验有可能显著的因素。

    We do not know beforehand whether a problem comes from a supplier, a contractor or a
    controller, so each kind of factor gets an equal share of the budget, however many factors
    of that kind there are: ten thousand wholesalers do not drown out forty controllers. Within
    a kind, Tarone's trimming keeps the factors that could reach significance at all (at level
    ``alpha`` divided by the number of kinds) and counts K of them. Factor i of a kind with K_t
    tests then has weight m / (T · K_t), where m = Σ K_t and T is the number of kinds: the
    weights average at most one, as the weighted Benjamini–Hochberg procedure (Genovese, Roeder
    & Wasserman 2006) requires. The weights depend on the structure only, never on which
    factors' units show the problem, so the false discovery rate stays controlled.
    """
    min_p = np.asarray(min_p, dtype=float)
    groups = np.asarray(groups)
    kinds = [g for g in np.unique(groups) if (min_p[groups == g] < 1).any()]
    testable = np.zeros(len(min_p), dtype=bool)
    per_kind: dict[object, int] = {}
    level = alpha / max(len(kinds), 1)
    for kind in kinds:
        where = np.flatnonzero(groups == kind)
        mask, k = tarone_testable(min_p[where], level)
        if mask.any():
            testable[where[mask]] = True
            per_kind[kind] = k
    tests = sum(per_kind.values())
    weights = np.zeros(len(min_p))
    for kind, k in per_kind.items():
        weights[(groups == kind) & testable] = tests / (len(per_kind) * k)
    return Budget(testable=testable, weights=weights, tests=max(tests, 1))


def weighted_q(p: np.ndarray, budget: Budget) -> np.ndarray:
    """q values of the testable factors under the weighted BH procedure (1 elsewhere)."""
    q = np.ones(len(p))
    where = np.flatnonzero(budget.testable)
    if len(where):
        q[where] = bh_adjust(p[where] / budget.weights[where], budget.tests)
    return q
