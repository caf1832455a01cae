"""A model's probability is shown as officials read it, never as certainty."""

from __future__ import annotations

import pytest

from lookthrough.risk.rules import percent


@pytest.mark.parametrize(
    ("p", "shown"),
    [(0.0, "<1%"), (0.004, "<1%"), (0.005, "<1%"), (0.01, "1%"), (0.374, "37%"), (0.994, "99%"),
     (0.995, ">99%"), (1.0, ">99%")],
)  # fmt: skip
def test_percent(p: float, shown: str) -> None:
    assert percent(p) == shown
