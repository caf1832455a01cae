"""The four lists' decisions, pure: no database, no clock (``today`` is passed in)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from lookthrough.core.errors import InvalidTransition

CAUSE_CATEGORIES = ("管理制度", "设施设备", "能力建设", "责任落实")
PARTICIPANT_KINDS = {"regulator": "监管部门", "technical": "技术机构", "research": "科研院所"}
SEVERITIES = ("一般", "较重", "严重")
DIRECTIONS = ("上升", "下降", "持平")
SIZE_BANDS = ("小", "中", "大")
RISK_BANDS = ("高", "中", "低")

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


OVERDUE_SERIOUS_DAYS = 30  # our cut: a month past the deadline is no longer a slip


def overdue_alert_level(days: int) -> int:
    """整改超期预警等级：超期 30 天以上为 II 级（较大），否则为 III 级（一般）。"""
    return 2 if days > OVERDUE_SERIOUS_DAYS else 3


def overdue_alert_title(title: str, days: int, open_targets: int) -> str:
    """预警标题：整改任务名称、超期天数和尚未完成整改的主体数。"""
    return f"整改任务“{title}”已超期 {days} 天，{open_targets} 户尚未完成整改"


# How far along each state is, for a task's overall state and its progress bar.
STATE_ORDER = ("open", "reopened", "in_progress", "submitted", "verified", "closed")


def task_state(states: Iterable[str]) -> str:
    """整改任务的总体状态：取各整改对象中进度最慢的一户（全部销号才算销号）。"""
    found = [s for s in states if s in STATE_ORDER]
    return min(found, key=STATE_ORDER.index) if found else "open"


def progress(states: Iterable[str]) -> dict[str, int]:
    """Targets per state, in the order of the machine."""
    counts = Counter(states)
    return {s: counts.get(s, 0) for s in STATE_ORDER}


VERIFYING_KINDS = {"inspection": "检查", "sampling": "抽检"}


def verification_refused(
    *,
    kind: str,
    payload: dict[str, object],
    record_entity: int | None,
    target_entity: int,
    occurred: date,
    opened: date,
) -> str | None:
    """整改核验：须以整改任务下达后对该主体的跟踪检查（未发现问题）或抽检（合格）记录为据。

    Returns why the record cannot verify the fix, or None when it can.
    """
    if kind not in VERIFYING_KINDS:
        return "核验须依据检查或抽检记录"
    if record_entity != target_entity:
        return "该记录不是对本整改对象的检查或抽检"
    if occurred < opened:
        return "该记录早于整改任务下达，不能作为整改后的核验依据"
    result = payload.get("result")
    if kind == "inspection" and result != "未发现问题":
        return f"跟踪检查结果为“{result}”，不能核验通过" if result else "该检查记录未载明检查结果"
    if kind == "sampling" and payload.get("conclusion") != "合格":
        return "跟踪抽检结论不合格，不能核验通过"
    return None


def risk_band(violations: int) -> str:
    """风险分层（代理指标，仅用于尚未作风险评估的主体）：近一年违法违规记录（行政处罚、检查
    发现问题、列入异常名录）3 条及以上为高，1–2 条为中，没有为低。"""
    if violations >= 3:
        return "高"
    return "中" if violations >= 1 else "低"


def level_band(level: int) -> str:
    """风险分层（风险评估）：I 级（重大）、II 级（较大）为高，III 级（一般）为中，
    IV 级（低）为低。"""
    if level <= 2:
        return "高"
    return "中" if level == 3 else "低"


_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def personal_data_in(text: str, names: Iterable[str] = ()) -> list[str]:
    """公开前检查：正文不得含手机号、身份证号、电子邮箱或已知的个人姓名。"""
    found = []
    if _PHONE.search(text):
        found.append("手机号码")
    if _ID_NUMBER.search(text):
        found.append("身份证号码")
    if _EMAIL.search(text):
        found.append("电子邮箱")
    if any(len(n) >= 2 and n in text for n in names):
        found.append("个人姓名")
    return found


@dataclass(frozen=True, slots=True)
class Windows:
    """Equal before and after periods around the date a rectification took effect."""

    before_start: date
    cut: date
    after_end: date

    @property
    def days(self) -> int:
        return (self.after_end - self.cut).days


def windows(cut: date, today: date, *, longest: int = 365) -> Windows:
    """整改成效的比较期：整改实施日之后至今（最长一年），与之前等长的一段相比。"""
    days = max(0, min(longest, (today - cut).days))
    return Windows(cut - timedelta(days=days), cut, cut + timedelta(days=days))


MAX_EVIDENCE_BYTES = 10 * 1024 * 1024  # one photo or scan; larger files belong in the archive
EVIDENCE_TYPES = {  # what the file's first bytes say it is, never what its name claims
    b"\xff\xd8\xff": ("image/jpeg", "JPEG 图片"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "PNG 图片"),
    b"%PDF-": ("application/pdf", "PDF 文件"),
}


def evidence_type(head: bytes) -> str | None:
    """整改材料只接受 JPEG、PNG 图片和 PDF 文件（按文件内容判断）。"""
    for magic, (media, _label) in EVIDENCE_TYPES.items():
        if head.startswith(magic):
            return media
    return None


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


def dissection_refused(kinds: Iterable[str]) -> str | None:
    """联合解剖：须有监管部门参加，并会同技术机构或科研院所。"""
    present = set(kinds)
    if unknown := present - set(PARTICIPANT_KINDS):
        return f"参加单位类别不正确：{'、'.join(sorted(unknown))}"
    if "regulator" not in present:
        return "解剖会商须有监管部门参加"
    if not present & {"technical", "research"}:
        return "解剖会商须会同技术机构或科研院所"
    return None


@dataclass(frozen=True, slots=True)
class Candidate:
    entity_id: int
    name: str
    region_code: str
    size: str  # 小 | 中 | 大 (registered capital band)
    risk: str  # 高 | 中 | 低
    problem_records: int
    basis: str = ""  # where the risk band came from: the assessment, or the proxy's count


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
                    f"{c.region_code[:6]} 区划 · {c.size}型 · 风险{c.risk}"
                    f"{f'（{c.basis}）' if c.basis else ''}："
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
