"""The text of the two guidelines, written from a matter's chain (pure: the chain is passed in).

A supervision work guideline (监管工作指引) tells officials where the risk is, what the common
problems look like, why they happen and how to check and verify the fixes. A compliance
guideline (合规指引) tells businesses the same chain as obligations and self-check points. Both
name no business and no person: they are written to be published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from lookthrough.lists import rules

# What each cause category asks of a business (合规指引), in the policy's four categories.
CATEGORY_DUTIES = {
    "管理制度": "建立并执行质量安全管理制度，覆盖进货查验、过程控制、出厂（销售）检验和记录留存。",
    "设施设备": "按规定配备、使用和维护设施设备，定期检定校准，发现故障及时停用维修并记录。",
    "能力建设": "配备与经营规模相适应的专业人员，定期开展法规和操作培训，培训与考核情况留档备查。",
    "责任落实": "明确主要负责人和质量安全管理人员的岗位责任，落实日管控、周排查、月调度工作机制。",
}  # fmt: skip
CATEGORY_CHECKS = {
    "管理制度": "查阅制度文本和执行记录，核对进货查验、检验和台账是否完整、真实。",
    "设施设备": "现场查看设施设备的配备、运行、维护保养和检定校准情况。",
    "能力建设": "抽查关键岗位人员持证和培训情况，现场询问操作要点。",
    "责任落实": "核对责任人设置、日管控周排查月调度记录，评估责任是否落实到岗到人。",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ProblemFacts:
    title: str
    manifestations: list[str]
    businesses: int
    records: int
    severity: str
    direction: str  # 上升 | 下降 | 持平
    causes: list[tuple[str, str]] = field(default_factory=list)  # category, description
    factor_types: list[str] = field(default_factory=list)  # labels of significant factors
    measures: list[tuple[str, str, str]] = field(default_factory=list)  # title, measures, policy


@dataclass(frozen=True, slots=True)
class ChainFacts:
    matter: str
    field_label: str
    region: str
    description: str
    unit_label: str
    risk_points: list[dict[str, object]]
    problems: list[ProblemFacts]


def _numbered(items: Sequence[str]) -> str:
    marks = "一二三四五六七八九十"
    return "\n".join(
        f"（{marks[n] if n < len(marks) else n + 1}）{text}" for n, text in enumerate(items)
    )


def _risk_points(facts: ChainFacts, *, with_indicators: bool) -> str:
    lines = []
    for rp in facts.risk_points:
        line = f"{rp.get('name', '')}：{rp.get('description', '')}".rstrip("：")
        indicators = rp.get("indicators") or []
        if with_indicators and isinstance(indicators, list) and indicators:
            line += f"。监测指标：{'、'.join(str(i) for i in indicators)}"
        lines.append(line)
    return _numbered(lines) if lines else "本事项尚未列明关键风险点。"


def _problem_lines(facts: ChainFacts, *, for_officials: bool) -> str:
    lines = []
    for p in facts.problems:
        line = p.title
        if p.manifestations:
            line += "。主要表现：" + "；".join(p.manifestations[:5])
        if for_officials:
            line += (
                f"。涉及{facts.unit_label} {p.businesses} 个、监管信息 {p.records} 条，"
                f"严重程度{p.severity}，近期呈{p.direction}趋势"
            )
        lines.append(line)
    return _numbered(lines) if lines else "尚未确认共性问题。"


def _categories(facts: ChainFacts) -> list[str]:
    seen = {c for p in facts.problems for c, _ in p.causes}
    return [c for c in rules.CAUSE_CATEGORIES if c in seen]


def official_guideline(facts: ChainFacts) -> tuple[str, list[dict[str, str]]]:
    """监管工作指引：风险点、共性问题、成因、整改与核验要求。"""
    causes = []
    for p in facts.problems:
        for category, text in p.causes:
            causes.append(f"【{category}】{p.title}：{text}")
        if p.factor_types:
            causes.append(
                f"【穿透分析】{p.title}：问题主体在{'、'.join(p.factor_types)}上明显集中，"
                "应沿该关联关系追溯源头。"
            )
    measures = []
    for p in facts.problems:
        for title, text, policy in p.measures:
            measures.append(f"{title}：{text}" + (f"（一类一策：{policy}）" if policy else ""))
    checks = [CATEGORY_CHECKS[c] for c in _categories(facts)] or list(CATEGORY_CHECKS.values())
    sections = [
        ("适用范围", f"本指引适用于{facts.region}{facts.field_label}领域“{facts.matter}”事项的"
                     f"穿透式监管工作。{facts.description}"),
        ("关键风险点及监测指标", _risk_points(facts, with_indicators=True)),
        ("共性问题及表现形式", _problem_lines(facts, for_officials=True)),
        ("问题成因", _numbered(causes) if causes else "尚未完成成因分析。"),
        ("整改措施（一类一策）", _numbered(measures) if measures else "尚未下达整改任务。"),
        ("检查要点与方法", _numbered(checks)),
        ("核验与成效评估", "整改对象提交整改材料后，以整改任务下达后的跟踪检查（未发现问题）或"
                           "监督抽检（合格）记录核验；核验通过后销号。定期比较被整改对象与同一"
                           "县区可比对象整改前后的问题发生率，评估整改成效。"),
        ("工作纪律", "严格依法依规开展检查，不得无依据检查、重复检查和过度检查，做到无事不扰；"
                     "检查结果依法公示。"),
    ]  # fmt: skip
    return f"{facts.matter}穿透式监管工作指引", [{"heading": h, "body": b} for h, b in sections]


def business_guideline(facts: ChainFacts) -> tuple[str, list[dict[str, str]]]:
    """合规指引：经营主体应当做到的和可以自查的。"""
    duties = [CATEGORY_DUTIES[c] for c in _categories(facts)] or list(CATEGORY_DUTIES.values())
    policies = [policy for p in facts.problems for _, _, policy in p.measures if policy]
    checks = [
        f"对照“{rp.get('name', '')}”开展自查：{rp.get('description', '')}"
        for rp in facts.risk_points
    ]
    sections = [
        ("适用对象", f"本指引供{facts.region}从事“{facts.matter}”相关生产经营活动的经营主体"
                     f"参照执行。{facts.description}"),
        ("主要风险点", _risk_points(facts, with_indicators=False)),
        ("常见问题", _problem_lines(facts, for_officials=False)),
        ("合规要求", _numbered(duties + policies)),
        ("自查要点", _numbered(checks) if checks else "按本指引合规要求逐项自查。"),
        ("整改与信用", "收到整改任务的经营主体，应在整改时限内完成整改，并通过本平台企业端提交"
                       "整改材料；监管部门以跟踪检查或抽检核验。按期整改到位的，可依法申请"
                       "信用修复。"),
    ]  # fmt: skip
    return f"{facts.matter}经营主体合规指引", [{"heading": h, "body": b} for h, b in sections]
