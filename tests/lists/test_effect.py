"""Did it work? Before/after problem rates of targeted and comparable businesses, with the
difference-in-differences and its bootstrap interval."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest
from chain_world import build, dirty_finding
from sqlalchemy.orm import Session

from lookthrough.core.errors import Conflict
from lookthrough.lists import effect, rectifications, rules
from lookthrough.lists.rectifications import TaskIn

CUT = date(2025, 7, 1)
TODAY = date(2026, 7, 1)  # one year after the cut: before = 2024-07-01 … 2025-07-01
AFTER = datetime(2025, 10, 1, tzinfo=UTC)


def test_did_rule_and_interval() -> None:
    treated = [(True, False)] * 18 + [(True, True)] * 2
    control = [(True, True)] * 15 + [(True, False)] * 5
    e = rules.did(treated, control, seed=1)
    assert (e.treated_before, e.treated_after) == (1.0, 0.1)
    assert (e.control_before, e.control_after) == (1.0, 0.75)
    assert e.estimate == pytest.approx(-0.65)
    assert e.low < e.estimate < e.high < 0  # the fall is real: the interval excludes 0
    same = rules.did([(True, True)] * 10, [(True, True)] * 10)
    assert same.estimate == 0 and same.low == same.high == 0
    assert math.isnan(rules.did([], control).estimate)


def test_windows_are_equal_and_at_most_a_year() -> None:
    w = rules.windows(CUT, TODAY)
    assert (w.before_start, w.after_end, w.days) == (date(2024, 7, 1), TODAY, 365)
    short = rules.windows(CUT, CUT + timedelta(days=40))
    assert short.days == 40 and short.before_start == CUT - timedelta(days=40)


def _task(db: Session, chain: object, **change: object) -> TaskIn:
    deadline = date.today() + timedelta(days=30)
    return TaskIn.model_validate({"title": "后厨整改", "scope": "class", "measures": "清理",
                                  "policy": "日清周查", "responsible": "食品科",
                                  "deadline": deadline, **change})  # fmt: skip


def test_a_class_rectification_that_worked(db: Session) -> None:
    chain = build(db, run=False)
    with pytest.raises(Conflict):
        effect.effect(db, actor=chain.actor, problem_id=chain.problem.id, today=TODAY, cut=CUT)
    rectifications.open_task(db, actor=chain.actor, problem_id=chain.problem.id,
                             data=_task(db, chain), today=date.today())  # fmt: skip
    # After the cut one rectified kitchen is dirty again, and two kitchens never rectified.
    for shop in (chain.dirty[0], chain.clean[0], chain.clean[1]):
        dirty_finding(db, shop, AFTER)
    seen = effect.effect(db, actor=chain.actor, problem_id=chain.problem.id, today=TODAY, cut=CUT)
    e = seen.effect
    assert (seen.treated_units, seen.control_units) == (6, 6)
    assert (e.treated_before, e.treated_after) == (1.0, pytest.approx(1 / 6))
    assert (e.control_before, e.control_after) == (0.0, pytest.approx(2 / 6))
    assert e.estimate == pytest.approx((1 / 6 - 1) - 2 / 6)
    assert e.high < 0 and "整改见效" in seen.reading
    assert seen.comparison.startswith("同一事项、同一县区")


def test_rectifying_the_supplier_reaches_its_customers(db: Session) -> None:
    chain = build(db, run=False)
    rectifications.open_task(
        db, actor=chain.actor, problem_id=chain.problem.id,
        data=_task(db, chain, scope="one", entity_id=chain.supplier.id, policy=""),
        today=date.today(),
    )  # fmt: skip
    seen = effect.effect(db, actor=chain.actor, problem_id=chain.problem.id, today=TODAY, cut=CUT)
    assert seen.treated_units == 6  # the wholesaler's six customers, through the supply edges
    assert seen.effect.treated_after == 0.0


def test_no_time_after_the_cut_means_no_estimate(db: Session) -> None:
    chain = build(db, run=False)
    rectifications.open_task(db, actor=chain.actor, problem_id=chain.problem.id,
                             data=_task(db, chain), today=date.today())  # fmt: skip
    seen = effect.effect(db, actor=chain.actor, problem_id=chain.problem.id, today=CUT, cut=CUT)
    assert not seen.estimable and "暂不能评估" in seen.reading
