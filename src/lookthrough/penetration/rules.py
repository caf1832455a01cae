"""穿透分析的统计规则：哪些关联因素在问题主体中“超额出现”。

Pure functions over counts and membership matrices; no database, no clock. The docstrings are the
explanations officials read beside the results.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from lookthrough.penetration.significance import (
    ALPHA,
    COUNT_CAP,
    Budget,
    bh_adjust,
    count_tail,
    evidence_distribution,
    minimum_p,
    share_budget,
    tarone_testable,
    upper_tail,
    weighted_q,
)

# The tests and corrections live in ``significance``; they are named here too, where the
# selection that uses them is.
__all__ = [
    "ALPHA", "COUNT_CAP", "Budget", "Effect", "Selection", "bh_adjust", "count_tail", "effect",
    "evidence_distribution", "minimum_p", "select_factors", "share_budget", "tarone_testable",
    "upper_tail", "weighted_q",
]  # fmt: skip

# A factor shared by fewer units than this is not "shared": it is not tested at all.
MIN_MEMBERS = 2
# Selections stop after this many factors (a problem with more common causes than this is not
# one problem).
MAX_SELECTED = 50
HALDANE = 0.5  # added to every cell of a 2×2 table with a zero (Haldane–Anscombe correction)
Z95 = 1.959963984540054


@dataclass(frozen=True, slots=True)
class Effect:
    """效应量：关联该因素的主体出现问题的比例，对比其余主体。"""

    rate: float  # share of the factor's members that show the problem
    rest_rate: float  # share of the other units that show it
    relative_risk: float
    odds_ratio: float
    or_low: float  # 95% confidence interval of the odds ratio (Woolf, logit scale)
    or_high: float


def effect(affected: int, members: int, total_affected: int, universe: int) -> Effect:
    """相对风险与比值比（含 95% 置信区间）。

    Relative risk = (a/b) / (c/d) where a of the b members and c of the d other units show the
    problem. A zero cell gets the Haldane–Anscombe 0.5 so the ratio stays finite.
    """
    a, b = affected, members
    c, d = total_affected - affected, universe - members
    rate = a / b if b else 0.0
    rest = c / d if d else 0.0
    cells = np.array([a, b - a, c, d - c], dtype=float)
    if (cells == 0).any():
        cells = cells + HALDANE
    x, y, z, w = cells
    rr = (x / (x + y)) / (z / (z + w))
    odds = (x * w) / (y * z)
    spread = Z95 * float(np.sqrt(1 / x + 1 / y + 1 / z + 1 / w))
    log_or = float(np.log(odds))
    return Effect(
        rate=rate,
        rest_rate=rest,
        relative_risk=float(rr),
        odds_ratio=float(odds),
        or_low=float(np.exp(log_or - spread)),
        or_high=float(np.exp(log_or + spread)),
    )


@dataclass(frozen=True, slots=True)
class Selection:
    """The outcome of :func:`select_factors`, one entry per factor (arrays of length F)."""

    members: np.ndarray  # units linked to each factor
    affected: np.ndarray  # of them, units with the problem
    p_value: np.ndarray  # marginal one-sided p (Fisher, or the evidence-count test)
    p_conditional: np.ndarray  # p once the factors selected before it are set aside
    q_value: np.ndarray  # weighted-BH-adjusted conditional p
    testable: np.ndarray  # passed Tarone's trimming
    tests: int  # m: the number of tests the correction counts
    order: np.ndarray  # factor indices, selected first (in selection order), then by p
    selected: list[int]  # significant factors, in the order they were selected
    explained_by: np.ndarray  # for a factor significant alone but not once others are set
    # aside: the selected factor that covers most of its affected units (-1: none)


def select_factors(
    membership: sparse.csr_matrix,
    affected: np.ndarray,
    *,
    groups: np.ndarray | None = None,
    upstream: dict[int, list[int]] | None = None,
    alpha: float = ALPHA,
    max_selected: int = MAX_SELECTED,
) -> Selection:
    """找出超额出现的关联因素，并剔除被更强因素“解释掉”的因素。

    1. For every shared factor, count its units and how many of them show the problem, and test
       the excess with a one-sided Fisher exact test.
    2. Keep the factors that could be significant at all, share the false-discovery budget
       equally among the kinds of factor (:func:`share_budget`), and correct for the number of
       tests with the weighted Benjamini–Hochberg procedure.
    3. Take the most significant factor. Set its units aside, test the others again on what is
       left, and take the next — as long as one stays significant. A wholesaler that only passes
       on a bad oil maker's oil is significant on its own, but no longer once the maker's
       customers are set aside: it is reported as explained by the maker, not as a cause.
    4. 追根溯源: when the factor taken is a link of a chain (a wholesaler) and a factor upstream
       of it (the maker that supplies it) is significant too and reaches every one of its
       problem units, the data cannot tell the two apart, and the upstream one is taken — the
       source, with the wholesaler as the path to the shops.

    When some units carry more than one of the problem's records, step 1 uses the evidence-count
    test (:func:`count_tail`) instead of Fisher's: the question is the same — more problem than
    chance would give among the factor's units — asked of how much evidence they show.

    ``membership`` is a factors × units 0/1 matrix; ``affected`` the problem's records per unit
    (a boolean vector works: one record each); ``groups`` the kind of each factor (one kind for
    all when absent); ``upstream`` the factors upstream of a factor in a chain.
    """
    member_matrix = membership.tocsr().astype(bool).astype(np.int64)
    counts = np.minimum(np.asarray(affected).astype(np.int64), COUNT_CAP)
    sick = counts > 0
    n_factors = member_matrix.shape[0]
    kinds = np.zeros(n_factors, dtype=np.int64) if groups is None else np.asarray(groups)
    universe = len(sick)
    members = np.asarray(member_matrix.sum(axis=1)).ravel()
    hits = member_matrix @ sick.astype(np.int64)
    test = _Test(member_matrix, counts)
    p_marg = test.p_values(np.ones(universe, dtype=bool), np.arange(n_factors))
    shared = members >= MIN_MEMBERS
    min_p = np.ones(n_factors)
    min_p[shared] = test.minimum(members[shared])
    budget = share_budget(np.where(shared, min_p, 1.0), kinds, alpha)
    testable = budget.testable

    alive = np.ones(universe, dtype=bool)
    p_cond = np.where(testable, p_marg, 1.0)
    frozen_p = np.ones(n_factors)
    frozen_q = np.ones(n_factors)
    chosen = np.zeros(n_factors, dtype=bool)
    selected: list[int] = []
    while len(selected) < max_selected:
        candidates = testable & ~chosen
        if not candidates.any():
            break
        q = weighted_q(np.where(chosen, frozen_p, p_cond), budget)
        with np.errstate(divide="ignore"):
            score = np.where(candidates, p_cond / budget.weights, np.inf)
        pick = int(np.argmin(score))
        if q[pick] > alpha:
            break
        pick = _source_of(member_matrix, pick, upstream or {}, candidates & (q <= alpha),
                          alive & sick, score)  # fmt: skip
        chosen[pick], frozen_p[pick], frozen_q[pick] = True, p_cond[pick], q[pick]
        selected.append(pick)
        alive &= ~_row_mask(member_matrix, pick, universe)
        p_cond = np.ones(n_factors)
        still = np.flatnonzero(testable & ~chosen)
        p_cond[still] = test.p_values(alive, still)
    current = np.where(chosen, frozen_p, p_cond)
    q_final = weighted_q(current, budget)
    q_final[chosen] = frozen_q[chosen]
    q_alone = weighted_q(np.where(testable, p_marg, 1.0), budget)
    explained = _explained_by(member_matrix, sick, selected, q_alone <= alpha)
    rest = np.flatnonzero(~chosen)
    rest = rest[np.lexsort((p_marg[rest], current[rest], q_final[rest]))]
    return Selection(
        members=members,
        affected=hits,
        p_value=p_marg,
        p_conditional=current,
        q_value=q_final,
        testable=testable,
        tests=budget.tests,
        order=np.concatenate([np.array(selected, dtype=np.int64), rest]),
        selected=selected,
        explained_by=explained,
    )


class _Test:
    """The one-sided test of step 1 over the units still in play (``alive``): Fisher's exact
    test when every unit has at most one record, the evidence-count test otherwise."""

    def __init__(self, matrix: sparse.csr_matrix, counts: np.ndarray) -> None:
        self.matrix, self.counts = matrix, counts
        self.by_count = int(counts.max(initial=0)) > 1

    def p_values(self, alive: np.ndarray, rows: np.ndarray) -> np.ndarray:
        part = self.matrix[rows]
        left = alive.astype(np.int64)
        members = part @ left
        if self.by_count:
            shares = evidence_distribution(self.counts[alive])
            return count_tail(shares, members, part @ (self.counts * left))
        sick = (self.counts > 0) & alive
        return upper_tail(part @ sick.astype(np.int64), members, int(sick.sum()),
                          int(alive.sum()))  # fmt: skip

    def minimum(self, members: np.ndarray) -> np.ndarray:
        """The smallest p each factor could reach: all its units with the most evidence seen."""
        if self.by_count:
            top = int(self.counts.max())
            return count_tail(evidence_distribution(self.counts), members, members * top)
        return minimum_p(members, int((self.counts > 0).sum()), len(self.counts))


def _source_of(
    matrix: sparse.csr_matrix,
    pick: int,
    upstream: dict[int, list[int]],
    eligible: np.ndarray,
    open_sick: np.ndarray,
    score: np.ndarray,
) -> int:
    """The most upstream significant factor that reaches all of ``pick``'s problem units."""
    width = len(open_sick)
    while True:
        needed = _row_mask(matrix, pick, width) & open_sick
        better = [
            u for u in upstream.get(pick, ())
            if eligible[u] and not (needed & ~_row_mask(matrix, u, width)).any()
        ]  # fmt: skip
        if not better:
            return pick
        pick = min(better, key=lambda u: score[u])


def _row_mask(matrix: sparse.csr_matrix, row: int, width: int) -> np.ndarray:
    mask = np.zeros(width, dtype=bool)
    mask[matrix.indices[matrix.indptr[row] : matrix.indptr[row + 1]]] = True
    return mask


def _explained_by(
    matrix: sparse.csr_matrix, sick: np.ndarray, selected: list[int], alone: np.ndarray
) -> np.ndarray:
    """For factors significant on their own but not selected, the selected factor whose units
    cover most of their affected units."""
    explained = np.full(matrix.shape[0], -1, dtype=np.int64)
    if not selected:
        return explained
    alone = alone.copy()
    alone[selected] = False
    rows = np.flatnonzero(alone)
    if not len(rows):
        return explained
    affected_members = matrix[rows].multiply(sick.astype(np.int64)[None, :]).tocsr()
    chosen = matrix[selected].T.tocsc()
    overlap = (affected_members @ chosen).toarray()
    best = overlap.argmax(axis=1)
    has = overlap.max(axis=1) > 0
    explained[rows[has]] = np.array(selected, dtype=np.int64)[best[has]]
    return explained
