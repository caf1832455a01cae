"""The learned model learns from the businesses that were checked; calibration uses them all."""

from __future__ import annotations

import numpy as np

from lookthrough.risk.scorers import MIN_CHECKED, _split


def test_training_rows_are_checked_ones_and_calibration_keeps_everyone() -> None:
    rng = np.random.default_rng(3)
    n = 2_000
    checked = rng.random(n) < 0.3
    outcome = (checked & (rng.random(n) < 0.4)).astype(int)
    train, hold = _split(n, checked=checked, outcome=outcome)
    assert checked[train].all()
    assert set(train) == {i for i in _split(n)[0] if checked[i]}
    assert len(hold) == n - int(n * 0.7)
    assert not checked[hold].all()  # unchecked businesses are still calibrated on
    assert not set(train) & set(hold)


def test_too_few_checked_businesses_learn_from_all() -> None:
    n = 1_000
    checked = np.zeros(n, dtype=bool)
    checked[: MIN_CHECKED // 2] = True
    outcome = checked.astype(int)
    assert np.array_equal(_split(n, checked=checked, outcome=outcome)[0], _split(n)[0])
    everyone = np.ones(n, dtype=bool)
    same = np.ones(n, dtype=int)  # one outcome only among the checked: nothing to learn
    assert np.array_equal(_split(n, checked=everyone, outcome=same)[0], _split(n)[0])
