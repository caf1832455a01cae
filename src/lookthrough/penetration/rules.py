"""穿透分析的统计规则：哪些关联因素在问题主体中“超额出现”。

Pure functions over counts and membership matrices; no database, no clock. The docstrings are the
explanations officials read beside the results.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.stats import hypergeom

# 显著性水平（错误发现率 FDR 控制在 5%）。A factor is reported as significant when its
# Benjamini–Hochberg adjusted p-value (q) is at or below this.
ALPHA = 0.05
# A factor shared by fewer units than this is not "shared": it is not tested at all.
MIN_MEMBERS = 2
# Selections stop after this many factors (a problem with more common causes than this is not
# one problem).
MAX_SELECTED = 50
HALDANE = 0.5  # added to every cell of a 2×2 table with a zero (Haldane–Anscombe correction)
Z95 = 1.959963984540054


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


@dataclass(frozen=True, slots=True)
class Selection:
    """The outcome of :func:`select_factors`, one entry per factor (arrays of length F)."""

    members: np.ndarray  # units linked to each factor
    affected: np.ndarray  # of them, units with the problem
    p_value: np.ndarray  # marginal one-sided Fisher p
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

    ``membership`` is a factors × units 0/1 matrix; ``affected`` a boolean vector over units;
    ``groups`` the kind of each factor (one kind for all when absent); ``upstream`` the factors
    upstream of a factor in a chain.
    """
    member_matrix = membership.tocsr().astype(bool).astype(np.int64)
    sick = np.asarray(affected, dtype=bool)
    n_factors = member_matrix.shape[0]
    kinds = np.zeros(n_factors, dtype=np.int64) if groups is None else np.asarray(groups)
    universe, total = len(sick), int(sick.sum())
    members = np.asarray(member_matrix.sum(axis=1)).ravel()
    hits = member_matrix @ sick.astype(np.int64)
    p_marg = upper_tail(hits, members, total, universe)
    shared = members >= MIN_MEMBERS
    min_p = np.ones(n_factors)
    min_p[shared] = minimum_p(members[shared], total, universe)
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
        left = alive.astype(np.int64)
        p_cond = upper_tail(
            member_matrix @ (left & sick),
            member_matrix @ left,
            int((alive & sick).sum()),
            int(alive.sum()),
        )
        p_cond = np.where(testable, p_cond, 1.0)
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
