"""Risk decisions as pure functions: what counts as an adverse outcome, consequence, the level
matrix, credit classes. No session, no clock. Docstrings are the explanations users see.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lookthrough.engine.definitions import Condition, IndicatorSpec
from lookthrough.risk.fields import FIELDS

HORIZON_DAYS = 365  # a model predicts the next 12 months
VIOLATION_RESULTS = ["发现问题", "责令整改", "立案查处"]


def _outcome(code: str, name: str, kinds: list[str], where: list[Condition]) -> IndicatorSpec:
    return IndicatorSpec(
        code=code,
        name=name,
        kinds=kinds,
        where=where,
        window_days=HORIZON_DAYS,
        threshold=1,
        matter="训练目标",
        risk_point=name,
        explanation=name,
    )


# What the learned model learns to foresee (训练目标): within the next 12 months, a violation
# found at an inspection, a failed sampling test, a penalty, or an incident.
OUTCOMES = (
    _outcome(
        "y_violation",
        "检查发现问题",
        ["inspection"],
        [Condition(field="result", op="in", value=list(VIOLATION_RESULTS))],
    ),
    _outcome(
        "y_sampling",
        "抽检不合格",
        ["sampling"],
        [Condition(field="conclusion", op="=", value="不合格")],
    ),
    _outcome("y_penalty", "受到行政处罚", ["penalty"], []),
    _outcome("y_incident", "发生事故", ["incident"], []),
)
# Checks (检查、抽检) in the same 12 months: the learned model learns from the businesses that
# were looked at (``scorers._split``).
CHECKS = (
    _outcome("c_inspection", "接受检查", ["inspection"], []),
    _outcome("c_sampling", "接受抽检", ["sampling"], []),
)
OUTCOME_LABEL = "未来12个月内检查发现问题、抽检不合格、受到行政处罚或发生事故"

LEVELS = {1: "重大风险", 2: "较大风险", 3: "一般风险", 4: "低风险"}
LEVEL_COLOURS = {1: "红", 2: "橙", 3: "黄", 4: "蓝"}
LEVEL_CSS = {1: "red", 2: "orange", 3: "yellow", 4: "blue"}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

# 风险矩阵: rows are probability bands (high → low), columns consequence bands (严重, 较大,
# 一般, 轻微). Cell = level (1 = 重大 … 4 = 低).
PROBABILITY_BANDS = (0.5, 0.25, 0.1)  # 很可能 ≥ 50%, 可能 ≥ 25%, 偶尔 ≥ 10%, else 罕见
CONSEQUENCE_BANDS = (5.0, 3.0, 1.5)  # 严重 ≥ 5, 较大 ≥ 3, 一般 ≥ 1.5, else 轻微
MATRIX = (
    (1, 1, 2, 3),
    (1, 2, 3, 3),
    (2, 3, 3, 4),
    (3, 4, 4, 4),
)


def consequence(field: str, capital_wan: float, n_subjects: int) -> float:
    """后果严重程度 = 领域危害等级（1–4，婴配乳粉、电梯、气瓶为4）× 规模系数。

    规模系数：注册资本 1000 万元以上 ×1.5，50 万元以上 ×1.2；名下设备、批次等监管对象
    100 个以上再 +0.5，10 个以上 +0.2。规模越大，出事波及的人越多。
    """
    severity = FIELDS.get(field, FIELDS["general"]).severity
    scale = 1.5 if capital_wan >= 1000 else 1.2 if capital_wan >= 50 else 1.0
    scale += 0.5 if n_subjects >= 100 else 0.2 if n_subjects >= 10 else 0.0
    return round(severity * scale, 2)


def consequences(fields: np.ndarray, capital: np.ndarray, subjects: np.ndarray) -> np.ndarray:
    """``consequence`` for many businesses at once (same rule, vectorised)."""
    codes = list(FIELDS)
    lookup = np.array([FIELDS[c].severity for c in codes], dtype=float)
    order = np.argsort(np.array(codes, dtype="U32"))
    sorted_codes = np.array(codes, dtype="U32")[order]
    position = np.clip(np.searchsorted(sorted_codes, fields.astype("U32")), 0, len(codes) - 1)
    known = sorted_codes[position] == fields
    severity = np.where(known, lookup[order][position], FIELDS["general"].severity)
    scale = np.where(capital >= 1000, 1.5, np.where(capital >= 50, 1.2, 1.0))
    scale = scale + np.where(subjects >= 100, 0.5, np.where(subjects >= 10, 0.2, 0.0))
    result: np.ndarray = np.round(severity * scale, 2)
    return result


def _band(value: float, edges: tuple[float, ...]) -> int:
    for i, edge in enumerate(edges):
        if value >= edge:
            return i
    return len(edges)


def level(probability: float, consequence_value: float) -> int:
    """风险等级（风险矩阵）：可能性分四档（≥50% 很可能、≥25% 可能、≥10% 偶尔、其余罕见），
    后果分四档（≥5 严重、≥3 较大、≥1.5 一般、其余轻微），查表得 I 重大（红）、II 较大（橙）、
    III 一般（黄）、IV 低（蓝）。"""
    return MATRIX[_band(probability, PROBABILITY_BANDS)][
        _band(consequence_value, CONSEQUENCE_BANDS)
    ]


def levels(probability: np.ndarray, consequence_values: np.ndarray) -> np.ndarray:
    """``level`` for many businesses at once."""
    rows = np.searchsorted(-np.array(PROBABILITY_BANDS), -probability, side="right")
    cols = np.searchsorted(-np.array(CONSEQUENCE_BANDS), -consequence_values, side="right")
    result: np.ndarray = np.array(MATRIX)[rows, cols]
    return result


def percent(probability: float) -> str:
    """A probability as officials read it: 37%; never a flat "100%" or "0%" for a model's
    estimate (a calibrated model says 99.7%, not certainty)."""
    if probability >= 0.995:
        return ">99%"
    if probability < 0.01:
        return "<1%"
    return f"{probability:.0%}"


def level_label(value: int) -> str:
    return f"{ROMAN[value]}级 {LEVELS[value]}（{LEVEL_COLOURS[value]}）"


# 信用风险分类 "1+N": A 低风险, B 一般, C 较高, D 高 — by the share of businesses, so that
# each class means the same across fields (国家市场监管总局《关于推进企业信用风险分类管理
# 进一步提升监管效能的意见》 grades by score rank; the shares here are ours).
CREDIT_CLASSES = ("A", "B", "C", "D")
CREDIT_LABELS = {"A": "信用风险低", "B": "信用风险一般", "C": "信用风险较高", "D": "信用风险高"}
CREDIT_SHARES = (0.30, 0.50, 0.15, 0.05)  # A, B, C, D


@dataclass(frozen=True, slots=True)
class CreditCut:
    """Probability cut-offs between A|B, B|C and C|D."""

    ab: float
    bc: float
    cd: float


def credit_cuts(probabilities: np.ndarray) -> CreditCut:
    """分类界限：按主体风险概率排序，最低的 30% 为 A 类，其后 50% 为 B 类，再 15% 为 C 类，
    最高的 5% 为 D 类。"""
    if len(probabilities) == 0:
        return CreditCut(1.0, 1.0, 1.0)
    a, b, c = np.cumsum(CREDIT_SHARES[:3])
    q = np.quantile(probabilities, [a, b, c])
    return CreditCut(float(q[0]), float(q[1]), float(q[2]))


def credit_class(probability: float, cut: CreditCut, *, listed_dishonest: bool = False) -> str:
    """信用风险类别：按风险概率与本领域分类界限比较得 A/B/C/D；列入严重违法失信名单的直接
    为 D 类。"""
    if listed_dishonest:
        return "D"
    if probability <= cut.ab:
        return "A"
    if probability <= cut.bc:
        return "B"
    if probability <= cut.cd:
        return "C"
    return "D"


# 预警 Early warning ------------------------------------------------------------------------

ALERT_KINDS = {
    "level_rise": "风险等级上升",
    "threshold": "指标越过阈值",
    "baseline": "偏离自身基线",
    "rectify_overdue": "整改任务超期",
}


def alert_link(kind: str, detail: dict[str, object]) -> str | None:
    """Where an alert raised by another domain points (the overdue task), built from its id
    rather than read from the row, so an alert can only ever link inside the app."""
    task_id = detail.get("task_id")
    if kind == "rectify_overdue" and isinstance(task_id, int):
        return f"/lists/rectifications/{task_id}"
    return None


BASELINE_RECENT_DAYS = 30
BASELINE_HISTORY_DAYS = 365  # the 12 months before the recent 30 days
BASELINE_MIN_RECENT = 3


def departs_from_baseline(recent: np.ndarray, history: np.ndarray) -> np.ndarray:
    """偏离自身基线（如投诉激增）：最近30天的件数不少于3件，且超过该主体此前12个月的月均
    件数加3倍标准差（按泊松分布，标准差取月均的平方根）。"""
    monthly = history * BASELINE_RECENT_DAYS / BASELINE_HISTORY_DAYS
    limit = monthly + 3 * np.sqrt(monthly)
    result: np.ndarray = (recent >= BASELINE_MIN_RECENT) & (recent > limit)
    return result


def newly_crossed(
    now: np.ndarray, before: np.ndarray, threshold: float, higher: bool
) -> np.ndarray:
    """越过阈值：本次评估达到阈值，而上次评估时尚未达到。"""
    if higher:
        result: np.ndarray = (now >= threshold) & (before < threshold)
    else:
        result = (now <= threshold) & (before > threshold)
    return result


# The inbox's state machine: (from, action) → to. Anything else is refused (409).
ALERT_STATES = {
    "open": "待处理",
    "acknowledged": "已签收",
    "assigned": "已指派",
    "closed": "已办结",
}
ALERT_ACTIONS = {"acknowledge": "签收", "assign": "指派", "close": "办结"}
ALERT_TRANSITIONS: dict[tuple[str, str], str] = {
    ("open", "acknowledge"): "acknowledged",
    ("open", "assign"): "assigned",
    ("acknowledged", "assign"): "assigned",
    ("assigned", "assign"): "assigned",  # hand it on to someone else
    ("acknowledged", "close"): "closed",
    ("assigned", "close"): "closed",
}


def next_state(state: str, action: str) -> str | None:
    """预警处置流程：待处理 → 签收 → 指派 → 办结（可直接指派；办结前须已签收或已指派；
    已办结的预警不能再操作）。不允许的操作返回 None。"""
    return ALERT_TRANSITIONS.get((state, action))
