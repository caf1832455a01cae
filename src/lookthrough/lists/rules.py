"""The four lists' decisions, pure: no database, no clock (``today`` is passed in)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from lookthrough.core.errors import InvalidTransition

CAUSE_CATEGORIES = ("管理制度", "设施设备", "能力建设", "责任落实")
PARTICIPANT_KINDS = {"regulator": "监管部门", "technical": "技术机构", "research": "科研院所"}
SEVERITIES = ("一般", "较重", "严重")

# 整改任务状态机. (state, action) → next state; anything else is refused.
STATE_LABELS = {
    "open": "待整改",
    "in_progress": "整改中",
    "submitted": "已提交",
    "verified": "已核验",
    "reopened": "退回重改",
    "closed": "已销号",
}
ACTION_LABELS = {
    "start": "开始整改",
    "submit": "提交整改材料",
    "verify": "核验通过",
    "reopen": "退回重改",
    "resume": "重新整改",
    "close": "销号",
}
TRANSITIONS: dict[tuple[str, str], str] = {
    ("open", "start"): "in_progress",
    ("in_progress", "submit"): "submitted",
    ("submitted", "verify"): "verified",
    ("submitted", "reopen"): "reopened",
    ("reopened", "resume"): "in_progress",
    ("reopened", "submit"): "submitted",
    ("verified", "close"): "closed",
}
# Who may make each move: the business rectifies and submits; the regulator verifies.
ENTERPRISE_ACTIONS = frozenset({"start", "submit", "resume"})
OFFICIAL_ACTIONS = frozenset(ACTION_LABELS)
DONE_STATES = frozenset({"verified", "closed"})


def next_state(state: str, action: str) -> str:
    """整改任务只能按“待整改→整改中→已提交→已核验或退回重改→销号”流转，其他操作一律拒绝。"""
    target = TRANSITIONS.get((state, action))
    if target is None:
        now, verb = STATE_LABELS.get(state, state), ACTION_LABELS.get(action, action)
        raise InvalidTransition(
            f"任务当前为“{now}”，不能“{verb}”",
            state=state,
            action=action,
        )
    return target


def allowed_actions(state: str, *, enterprise: bool) -> list[str]:
    """The moves the viewer may make from ``state``."""
    mine = ENTERPRISE_ACTIONS if enterprise else OFFICIAL_ACTIONS
    return [a for (s, a) in TRANSITIONS if s == state and a in mine]


def is_overdue(deadline: date, state: str, today: date) -> bool:
    """超期：过了整改期限仍未核验通过或销号。"""
    return state not in DONE_STATES and deadline < today


def days_overdue(deadline: date, today: date) -> int:
    return max(0, (today - deadline).days)


def changed_fields(before: dict[str, object], after: dict[str, object]) -> list[str]:
    """Which fields of a matter a new version changes (动态管理留痕)."""
    return sorted(k for k in after if before.get(k) != after.get(k))


def trend(dates: Iterable[datetime]) -> dict[str, int]:
    """Records per year, oldest first."""
    counts = Counter(str(d.year) for d in dates)
    return dict(sorted(counts.items()))


def direction(by_year: dict[str, int]) -> str:
    """上升 / 下降 / 持平: the last full year against the one before."""
    years = list(by_year.values())
    if len(years) < 2:
        return "持平"
    last, before = years[-1], years[-2]
    if last > before * 1.1:
        return "上升"
    if last < before * 0.9:
        return "下降"
    return "持平"


def severity(labels: Sequence[str], *, incidents: int = 0, injuries: int = 0) -> str:
    """问题严重程度：出现伤亡或多起事故为“严重”；较重及以上的发现占三成以上为“较重”。"""
    if injuries > 0 or incidents >= 3:
        return "严重"
    heavy = sum(1 for s in labels if s in {"较重", "严重"})
    if labels and heavy / len(labels) >= 0.3:
        return "较重"
    return "一般"


@dataclass(frozen=True, slots=True)
class Candidate:
    entity_id: int
    name: str
    region_code: str
    size: str  # 小 | 中 | 大 (registered capital band)
    risk: str  # 高 | 中 | 低
    problem_records: int


def size_band(capital_wan: float | None) -> str:
    """规模：注册资本 100 万元以下为小型，100–1000 万元为中型，以上为大型。"""
    if capital_wan is None or capital_wan < 100:
        return "小"
    return "中" if capital_wan < 1000 else "大"


def representatives(candidates: Sequence[Candidate], k: int = 6) -> list[tuple[Candidate, str]]:
    """选取解剖对象：按区划、规模、风险分层，每层取问题记录最多的一户，并说明理由。

    Strata are (county, size, risk); strata are visited from the highest risk and the most
    problem records down, one business each, so the choice spreads across places and kinds of
    business before it takes a second from any stratum.
    """
    strata: dict[tuple[str, str, str], list[Candidate]] = {}
    for c in candidates:
        strata.setdefault((c.region_code[:6], c.size, c.risk), []).append(c)
    order = {"高": 0, "中": 1, "低": 2}
    for members in strata.values():
        members.sort(key=lambda c: (-c.problem_records, c.entity_id))
    keys = sorted(strata, key=lambda s: (order.get(s[2], 3), -strata[s][0].problem_records, s))
    chosen: list[tuple[Candidate, str]] = []
    depth = 0
    while len(chosen) < k and any(len(strata[s]) > depth for s in keys):
        for stratum in keys:
            if len(chosen) >= k:
                break
            if len(strata[stratum]) > depth:
                c = strata[stratum][depth]
                reason = (
                    f"{c.region_code[:6]} 区划 · {c.size}型 · 风险{c.risk}："
                    f"该层问题记录最多（{c.problem_records} 条），代表同类主体"
                )
                chosen.append((c, reason))
        depth += 1
    return chosen


@dataclass(frozen=True, slots=True)
class Effect:
    """整改成效（双重差分）：被整改主体的问题率变化减去可比未整改主体的变化。"""

    treated_before: float
    treated_after: float
    control_before: float
    control_after: float
    estimate: float
    low: float
    high: float
    treated: int
    controls: int
    method: str = "bootstrap"


def did(
    treated: Sequence[tuple[bool, bool]],
    control: Sequence[tuple[bool, bool]],
    *,
    seed: int = 0,
    draws: int = 2000,
) -> Effect:
    """双重差分估计与 95% 置信区间（按主体重抽样的 bootstrap，2000 次，百分位法）。

    Each pair says whether a business showed the problem before and after the rectification.
    The estimate is (treated after − before) − (control after − before); a negative value means
    the problem fell more among the rectified businesses than among comparable ones.
    """
    t = np.array(treated, dtype=float).reshape(-1, 2)
    c = np.array(control, dtype=float).reshape(-1, 2)
    if not len(t) or not len(c):
        nan = float("nan")
        return Effect(nan, nan, nan, nan, nan, nan, nan, len(t), len(c))

    def estimate(tt: np.ndarray, cc: np.ndarray) -> float:
        return float((tt[:, 1].mean() - tt[:, 0].mean()) - (cc[:, 1].mean() - cc[:, 0].mean()))

    rng = np.random.default_rng(seed)
    samples = np.empty(draws)
    for n in range(draws):
        samples[n] = estimate(
            t[rng.integers(0, len(t), len(t))], c[rng.integers(0, len(c), len(c))]
        )
    low, high = np.percentile(samples, [2.5, 97.5])
    return Effect(
        treated_before=float(t[:, 0].mean()),
        treated_after=float(t[:, 1].mean()),
        control_before=float(c[:, 0].mean()),
        control_after=float(c[:, 1].mean()),
        estimate=estimate(t, c),
        low=float(low),
        high=float(high),
        treated=len(t),
        controls=len(c),
    )
