"""Table tests of the disposal rules: the matrix, the state machine, escalation, deadlines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from lookthrough.core.errors import InvalidTransition, ValidationFailed
from lookthrough.disposal import rules

MATRIX = rules.load_matrix()


@pytest.mark.parametrize(
    ("p", "c", "kind", "level"),
    [(1, 1, "reminder", "IV"), (2, 2, "warning", "III"), (2, 3, "interview", "II"),
     (3, 3, "inspection", "II"), (4, 3, "case", "I"), (4, 4, "case", "I")],
)  # fmt: skip
def test_the_matrix_grades_by_probability_and_consequence(
    p: int, c: int, kind: str, level: str
) -> None:
    proposal = rules.propose(MATRIX, p, c)
    assert (proposal.kind, proposal.risk_level) == (kind, level)
    assert MATRIX.kinds[kind].label in proposal.reason


def test_levels_outside_the_matrix_are_refused() -> None:
    with pytest.raises(ValidationFailed, match="可能性等级"):
        rules.propose(MATRIX, 5, 1)


@pytest.mark.parametrize(
    ("state", "action", "after"),
    [("proposed", "issue", "issued"), ("issued", "acknowledge", "in_progress"),
     ("in_progress", "resolve", "resolved"), ("issued", "resolve", "resolved"),
     ("proposed", "cancel", "cancelled"), ("in_progress", "escalate", "escalated")],
)  # fmt: skip
def test_allowed_moves(state: str, action: str, after: str) -> None:
    assert rules.move(state, action) == after


@pytest.mark.parametrize(
    ("state", "action"),
    [("proposed", "resolve"), ("resolved", "issue"), ("cancelled", "issue"),
     ("escalated", "resolve"), ("in_progress", "cancel"), ("issued", "fly")],
)  # fmt: skip
def test_illegal_moves_are_refused(state: str, action: str) -> None:
    with pytest.raises(InvalidTransition):
        rules.move(state, action)


def test_an_overdue_measure_climbs_the_ladder_and_the_top_goes_upward() -> None:
    due, late = date(2026, 3, 1), date(2026, 3, 2)
    step = rules.escalation(MATRIX, kind="reminder", state="issued", due=due, today=late,
                            upward_allowed=True)  # fmt: skip
    assert step is not None and (step.kind, step.upward) == ("warning", False)
    top = rules.escalation(MATRIX, kind="case", state="in_progress", due=due, today=late,
                           upward_allowed=True)  # fmt: skip
    assert top is not None and (top.kind, top.upward) == ("case", True)
    assert rules.escalation(MATRIX, kind="case", state="issued", due=due, today=late,
                            upward_allowed=False) is None  # fmt: skip
    assert (
        rules.escalation(
            MATRIX, kind="reminder", state="issued", due=due, today=due, upward_allowed=True
        )
        is None
    )  # fmt: skip  (the last day counts)
    assert rules.escalation(MATRIX, kind="reminder", state="resolved", due=due, today=late,
                            upward_allowed=True) is None  # fmt: skip


def test_parent_regions_go_county_city_province() -> None:
    assert [rules.parent_region(c) for c in ("340104001", "340104", "3401", "34")] == [
        "340104", "3401", "34", None,
    ]  # fmt: skip


def test_a_malformed_matrix_names_what_is_wrong() -> None:
    with pytest.raises(ValidationFailed, match="未定义"):
        rules.parse_matrix(
            {"levels": {"probability": {1: "低"}, "consequence": {1: "低"}}, "risk": [["V"]],
             "measure": [["reminder"]], "measures": {"reminder": {"label": "提醒", "days": 1}}}
        )  # fmt: skip


def test_incident_deadlines_and_overdue() -> None:
    learned = datetime(2026, 3, 1, 8, tzinfo=UTC)
    due = rules.first_report_due(learned, 60)
    assert due == learned + timedelta(hours=1)
    assert not rules.is_overdue(due, learned + timedelta(minutes=59), learned + timedelta(days=2))
    assert rules.is_overdue(due, learned + timedelta(minutes=61), learned + timedelta(days=2))
    assert rules.is_overdue(due, None, due + timedelta(seconds=1))
    assert rules.next_followup_due(learned, 24) == learned + timedelta(days=1)
