"""The statistics of penetration, without a database."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import sparse
from scipy.stats import fisher_exact

from lookthrough.penetration import rules


@pytest.mark.parametrize(
    ("a", "b", "total", "n"),
    [(5, 10, 20, 200), (1, 1, 1, 10), (3, 50, 30, 1000), (8, 8, 8, 600), (0, 5, 10, 100)],
)
def test_upper_tail_is_the_one_sided_fisher_test(a: int, b: int, total: int, n: int) -> None:
    table = [[a, b - a], [total - a, n - b - (total - a)]]
    _, expected = fisher_exact(table, alternative="greater")
    got = rules.upper_tail(np.array([a]), np.array([b]), total, n)[0]
    assert got == pytest.approx(1.0 if a == 0 else expected, rel=1e-9)


def test_minimum_p_is_the_p_of_a_factor_whose_units_all_have_the_problem() -> None:
    got = rules.minimum_p(np.array([2, 4]), 10, 100)
    assert got[0] == pytest.approx(math.comb(10, 2) / math.comb(100, 2))
    assert got[1] == pytest.approx(math.comb(10, 4) / math.comb(100, 4))


def test_bh_adjust_matches_the_textbook_example() -> None:
    # Benjamini & Hochberg (1995), the 15 p-values of their worked example.
    p = np.array([0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
                  0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0])  # fmt: skip
    q = rules.bh_adjust(p)
    assert (q <= 0.05).sum() == 4  # the paper rejects the four smallest at q* = 0.05
    assert q[0] == pytest.approx(0.0015)
    assert np.all(np.diff(q) >= 0)


def test_bh_adjust_counts_more_tests_when_told() -> None:
    assert rules.bh_adjust(np.array([0.01]), tests=10)[0] == pytest.approx(0.1)


def test_tarone_drops_factors_that_could_never_be_significant() -> None:
    min_p = np.array([1e-9, 1e-7, 0.2, 0.3, 0.4, 0.5])
    testable, k = rules.tarone_testable(min_p, alpha=0.05)
    assert testable.tolist() == [True, True, False, False, False, False]
    assert k == 2


def test_effect_has_relative_risk_and_an_odds_ratio_interval() -> None:
    e = rules.effect(affected=20, members=40, total_affected=30, universe=400)
    assert e.rate == pytest.approx(0.5)
    assert e.rest_rate == pytest.approx(10 / 360)
    assert e.relative_risk == pytest.approx(0.5 / (10 / 360))
    assert e.odds_ratio == pytest.approx((20 * 350) / (20 * 10))
    assert e.or_low < e.odds_ratio < e.or_high


def test_effect_stays_finite_with_an_empty_cell() -> None:
    e = rules.effect(affected=5, members=5, total_affected=5, universe=100)
    assert math.isfinite(e.relative_risk) and math.isfinite(e.odds_ratio)


def _matrix(groups: list[list[int]], n: int) -> sparse.csr_matrix:
    rows = [i for i, g in enumerate(groups) for _ in g]
    cols = [u for g in groups for u in g]
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(groups), n))


def test_a_chain_link_is_explained_by_the_factor_upstream_of_it() -> None:
    """A maker supplies two wholesalers; wholesaler 1 passes the maker's bad oil to its 20
    shops. The maker is the cause; the wholesaler is explained by it, not reported."""
    n = 400
    maker = list(range(0, 40))  # its reach: both wholesalers' shops
    wholesaler = list(range(0, 20))
    noise = list(range(100, 140))
    sick = np.zeros(n, dtype=bool)
    sick[0:30] = True  # most of the maker's reach
    sick[[100, 250, 300]] = True
    got = rules.select_factors(_matrix([maker, wholesaler, noise], n), sick)
    assert got.selected == [0]
    assert got.q_value[1] > rules.ALPHA  # not significant once the maker's units are set aside
    assert got.explained_by[1] == 0
    assert got.order[0] == 0


def test_two_independent_causes_are_both_selected() -> None:
    n = 1000
    first, second = list(range(0, 30)), list(range(500, 530))
    sick = np.zeros(n, dtype=bool)
    sick[0:20] = True
    sick[500:518] = True
    got = rules.select_factors(_matrix([first, second, list(range(800, 830))], n), sick)
    assert sorted(got.selected) == [0, 1]
    assert got.explained_by[2] == -1


def test_nothing_is_selected_when_the_problem_is_random() -> None:
    rng = np.random.default_rng(3)
    n = 2000
    groups = [list(rng.choice(n, 20, replace=False)) for _ in range(200)]
    sick = rng.random(n) < 0.1
    got = rules.select_factors(_matrix(groups, n), sick)
    assert got.selected == []


def test_a_factor_of_one_unit_is_not_tested() -> None:
    sick = np.array([True, False, False, False])
    got = rules.select_factors(_matrix([[0]], 4), sick)
    assert not got.testable[0]


def test_the_source_is_taken_when_it_cannot_be_told_from_its_wholesaler() -> None:
    """Maker 0 supplies wholesaler 1 (its shops 0–10) and shop 11; only two of wholesaler 1's
    shops fail. Both explain the same two shops: the maker (upstream) is reported."""
    n = 2000
    maker, wholesaler = list(range(0, 12)), list(range(0, 11))
    sick = np.zeros(n, dtype=bool)
    sick[[0, 1]] = True
    matrix = _matrix([maker, wholesaler], n)
    alone = rules.select_factors(matrix, sick)
    assert alone.selected == [1]  # by p alone the smaller wholesaler wins
    traced = rules.select_factors(matrix, sick, upstream={1: [0]})
    assert traced.selected == [0]
    assert traced.explained_by[1] == 0


def test_count_tail_is_the_convolution_of_the_evidence_distribution() -> None:
    shares = rules.evidence_distribution(np.array([0] * 90 + [1] * 8 + [2] * 2))
    assert shares.tolist() == pytest.approx([0.9, 0.08, 0.02, 0.0])
    got = rules.count_tail(shares, np.array([2, 3, 1]), np.array([3, 2, 0]))
    pairs = {(i, j): shares[i] * shares[j] for i in range(4) for j in range(4)}
    assert got[0] == pytest.approx(sum(v for (i, j), v in pairs.items() if i + j >= 3))
    triples = sum(shares[i] * shares[j] * shares[k] for i in range(4) for j in range(4)
                  for k in range(4) if i + j + k >= 2)  # fmt: skip
    assert got[1] == pytest.approx(triples)
    assert got[2] == 1.0  # no evidence at all: nothing to test


def test_counts_are_capped() -> None:
    shares = rules.evidence_distribution(np.array([0, 0, 1, 7, 40]))
    assert shares.tolist() == pytest.approx([0.4, 0.2, 0.0, 0.4])


def test_a_controller_of_few_shells_on_both_lists_stands_out_by_its_evidence() -> None:
    """Four shells, each on the abnormal list and two also on the dishonesty list, among many
    owners of four ordinary companies with an entry now and then: one record a unit cannot tell
    them apart from chance at this many tests; two records a unit can."""
    rng = np.random.default_rng(7)
    owners, per = 6000, 4
    units = owners * per + per
    counts = (rng.random(units) < 0.06).astype(np.int64)  # ordinary: 6% on one list
    counts[-per:] = [2, 1, 2, 1]  # the planted controller's shells
    rows = np.repeat(np.arange(owners + 1), per)
    matrix = sparse.csr_matrix((np.ones(units), (rows, np.arange(units))))
    planted = owners
    by_count = rules.select_factors(matrix, counts)
    assert by_count.selected == [planted]
    one_each = rules.select_factors(matrix, counts > 0)
    assert planted not in one_each.selected and one_each.q_value[planted] > rules.ALPHA
