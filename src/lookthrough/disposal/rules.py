"""Graded disposal (分级处置), pure: the matrix, the measures' state machine, escalation and the
deadlines of quick incident reports. ``now`` is always passed in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from lookthrough.core.errors import InvalidTransition, ValidationFailed

RISK_LABELS = {"I": "重大", "II": "较大", "III": "一般", "IV": "低"}
RISK_ORDER = {"I": 0, "II": 1, "III": 2, "IV": 3}

# The state machine of a measure, as data: action → (states it may start from, state it ends in).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "issue": (frozenset({"proposed"}), "issued"),  # 下达
    "acknowledge": (frozenset({"issued"}), "in_progress"),  # 主体签收、整改中
    "resolve": (frozenset({"issued", "in_progress"}), "resolved"),  # 办结（结果回流为监管信息）
    "escalate": (frozenset({"issued", "in_progress"}), "escalated"),  # 逾期升级
    "cancel": (frozenset({"proposed", "issued"}), "cancelled"),  # 撤销
}
STATE_LABELS = {
    "proposed": "待下达",
    "issued": "已下达",
    "in_progress": "整改中",
    "resolved": "已办结",
    "escalated": "已升级",
    "cancelled": "已撤销",
}
ACTION_LABELS = {
    "open": "提出",
    "issue": "下达",
    "acknowledge": "签收",
    "resolve": "办结",
    "escalate": "升级",
    "cancel": "撤销",
}
OPEN_STATES = frozenset({"issued", "in_progress"})
# Outcomes that come back as records, per measure: the record kinds an official may choose.
OUTCOME_KINDS = {
    "reminder": ("commitment", "inspection"),
    "warning": ("commitment", "inspection"),
    "interview": ("commitment", "inspection"),
    "inspection": ("inspection",),
    "case": ("penalty", "inspection"),
}


@dataclass(frozen=True, slots=True)
class MeasureKind:
    code: str
    label: str
    days: int
    next: str | None
    notice: str | None
    upward: bool


@dataclass(frozen=True)
class Matrix:
    probability: dict[int, str]
    consequence: dict[int, str]
    risk: list[list[str]]
    measure: list[list[str]]
    kinds: dict[str, MeasureKind]

    def kind(self, code: str) -> MeasureKind:
        if code not in self.kinds:
            raise ValidationFailed(f"未知的处置措施：{code}")
        return self.kinds[code]


def load_matrix(path: Path | None = None) -> Matrix:
    """The matrix from a YAML file (the shipped one when ``path`` is None), checked whole."""
    if path is None:
        text = (
            resources.files("lookthrough.disposal")
            .joinpath("data", "matrix.yaml")
            .read_text(encoding="utf-8")
        )
    else:
        text = path.read_text(encoding="utf-8")
    return parse_matrix(yaml.safe_load(text))


def parse_matrix(data: Mapping[str, Any]) -> Matrix:
    try:
        kinds = {
            code: MeasureKind(
                code, str(m["label"]), int(m["days"]), m.get("next"), m.get("notice"),
                bool(m.get("upward", False)),
            )
            for code, m in data["measures"].items()
        }  # fmt: skip
        matrix = Matrix(
            {int(k): str(v) for k, v in data["levels"]["probability"].items()},
            {int(k): str(v) for k, v in data["levels"]["consequence"].items()},
            [list(map(str, row)) for row in data["risk"]],
            [list(map(str, row)) for row in data["measure"]],
            kinds,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ValidationFailed(f"处置矩阵文件格式有误：{error}") from error
    size = (len(matrix.probability), len(matrix.consequence))
    for name, grid in (("risk", matrix.risk), ("measure", matrix.measure)):
        if len(grid) != size[0] or any(len(row) != size[1] for row in grid):
            raise ValidationFailed(f"处置矩阵 {name} 须为 {size[0]}×{size[1]}")
    bad = {c for row in matrix.risk for c in row} - set(RISK_LABELS)
    bad |= {c for row in matrix.measure for c in row} - set(kinds)
    bad |= {k.next for k in kinds.values() if k.next is not None} - set(kinds)
    if bad:
        raise ValidationFailed(f"处置矩阵中有未定义的取值：{'、'.join(sorted(bad))}")
    return matrix


@dataclass(frozen=True, slots=True)
class Proposal:
    kind: str
    risk_level: str
    reason: str


def propose(matrix: Matrix, probability: int, consequence: int) -> Proposal:
    """按“可能性 × 后果”分级：可能性越大、后果越严重，措施越严厉（提醒 → 警示 → 约谈 → 检查 →
    立案）；重大风险优先处置。"""
    if probability not in matrix.probability or consequence not in matrix.consequence:
        raise ValidationFailed(
            f"可能性等级须为 1–{len(matrix.probability)}，后果等级须为 1–{len(matrix.consequence)}"
        )
    level = matrix.risk[probability - 1][consequence - 1]
    kind = matrix.measure[probability - 1][consequence - 1]
    reason = (
        f"可能性“{matrix.probability[probability]}”（{probability} 级）× 后果"
        f"“{matrix.consequence[consequence]}”（{consequence} 级）→ {RISK_LABELS[level]}风险"
        f"（{level} 级），建议{matrix.kinds[kind].label}"
    )
    return Proposal(kind, level, reason)


def move(state: str, action: str) -> str:
    """The state an action leads to; an action the table does not allow from here is refused."""
    allowed = TRANSITIONS.get(action)
    if allowed is None:
        raise InvalidTransition(f"未知的操作：{action}")
    starts, end = allowed
    if state not in starts:
        raise InvalidTransition(
            f"处置措施“{STATE_LABELS.get(state, state)}”时不能{ACTION_LABELS.get(action, action)}"
        )
    return end


def deadline(matrix: Matrix, kind: str, start: date) -> date:
    return start + timedelta(days=matrix.kind(kind).days)


@dataclass(frozen=True, slots=True)
class Escalation:
    kind: str  # the measure that replaces the overdue one
    upward: bool  # handed to the jurisdiction above
    reason: str


def escalation(
    matrix: Matrix, *, kind: str, state: str, due: date, today: date, upward_allowed: bool
) -> Escalation | None:
    """逾期未办结的措施升级：换为更严厉的下一措施；已是最严厉（立案）或矩阵要求时，并在配置
    允许时移交上一级管辖机关。未逾期、已办结或已撤销的措施不升级。"""
    if state not in OPEN_STATES or today <= due:
        return None
    current = matrix.kind(kind)
    upward = upward_allowed and (current.next is None or current.upward)
    if current.next is None and not upward:
        return None
    target = current.next or kind
    where = "，并移交上一级管辖机关" if upward else ""
    reason = (
        f"{current.label}期限 {due.isoformat()} 已过仍未办结，升级为{matrix.kinds[target].label}"
        + where
    )
    return Escalation(target, upward, reason)


def parent_region(code: str) -> str | None:
    """The jurisdiction above: county → city → province."""
    for length in (9, 6, 4, 2):
        if len(code) > length:
            return code[:length]
    return None


# -- quick incident reports (早报快报) -----------------------------------------------------

LEVELS_UP = ("city", "province")
UPDATE_LABELS = {"first": "首报", "followup": "续报", "final": "终报"}
LEVEL_LABELS = {"county": "县级", "city": "市级", "province": "省级"}


@dataclass(frozen=True, slots=True)
class Step:
    """One step of an incident's reporting chain, as the timeline shows it."""

    label: str
    due: datetime | None
    done: datetime | None
    overdue: bool
    by: str | None = None


def first_report_due(learned_at: datetime, minutes: int) -> datetime:
    """首报：获知事故后规定时限内（默认 1 小时）向上级报告。"""
    return learned_at + timedelta(minutes=minutes)


def next_followup_due(last_report: datetime, hours: int) -> datetime:
    """续报：每次报告后规定时限内（默认 24 小时）续报进展，直至终报。"""
    return last_report + timedelta(hours=hours)


def ack_due(forwarded_at: datetime, minutes: int) -> datetime:
    """逐级确认：下级报送（或下级确认转报）后，上一级须在规定时限内确认收到。"""
    return forwarded_at + timedelta(minutes=minutes)


def is_overdue(due: datetime | None, done: datetime | None, now: datetime) -> bool:
    """A step is overdue when done after its deadline, or still open past it."""
    if due is None:
        return False
    return (done or now) > due
