"""Templates for the matters the policy names (指导意见 二(1)): food, special equipment, product
quality and live-stream e-commerce, each with key risk points and the indicators that measure
them.

Indicator codes are data here, but the risk domain owns the indicator catalogue: every code a
template names is one of its shipped indicators (``risk/data/indicators.yaml``, a test checks
it), and ``unknown_indicators`` checks the codes of any matter against the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from lookthrough.risk import service as risk_service


@dataclass(frozen=True, slots=True)
class RiskPoint:
    code: str
    name: str
    description: str
    indicators: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "indicators": list(self.indicators),
        }


@dataclass(frozen=True, slots=True)
class Template:
    code: str
    field: str  # food | special_equipment | product_quality | live_commerce | credit
    name: str
    description: str
    unit: str = "entity"
    industry_prefixes: tuple[str, ...] = ()
    subject_kinds: tuple[str, ...] = ()
    risk_points: tuple[RiskPoint, ...] = ()

    def population(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "industry_prefixes": list(self.industry_prefixes),
            "subject_kinds": list(self.subject_kinds),
        }


FIELD_LABELS = {
    "food": "食品安全",
    "special_equipment": "特种设备安全",
    "product_quality": "重点工业产品质量安全",
    "live_commerce": "直播电商等消费投诉热点",
    "credit": "经营主体信用",
}

TEMPLATES: dict[str, Template] = {
    t.code: t
    for t in (
        Template(
            "elevator_safety", "special_equipment", "电梯安全",
            "在用电梯的使用管理、维护保养和定期检验，防范困人、剪切、坠落事故。",
            unit="elevator", subject_kinds=("elevator",),
            risk_points=(
                RiskPoint("EL-1", "维保不到位", "维保单位未按规定周期维保或维保记录弄虚作假",
                          ("elevator_entrapment_alarms_12m", "uncleared_alarms_12m")),
                RiskPoint("EL-2", "定期检验超期", "电梯未按期定期检验仍在使用",
                          ("days_since_inspection",)),
                RiskPoint("EL-3", "困人故障频发", "物联网监测到的困人、停梯报警多",
                          ("elevator_alarm_trend_6m", "elevator_incidents_24m")),
            ),
        ),
        Template(
            "gas_cylinder", "special_equipment", "气瓶充装安全",
            "液化石油气钢瓶充装、检验与流向追溯。",
            unit="gas_cylinder", subject_kinds=("gas_cylinder",),
            risk_points=(
                RiskPoint("GC-1", "超期未检气瓶充装", "超过检验周期的气瓶仍被充装",
                          ("licence_age_days", "days_since_inspection")),
                RiskPoint("GC-2", "充装前检查缺失", "充装前后未按规定检查",
                          ("findings_24m", "gas_cylinder_incidents_36m")),
            ),
        ),
        Template(
            "edible_oil", "food", "食用植物油",
            "食用植物油生产、批发和使用全链条质量安全，重点是酸价、过氧化值和苯并[a]芘。",
            industry_prefixes=("C1331", "F5121", "F5124", "F5211", "F5212", "F5221", "F5223",
                               "H62"),
            risk_points=(
                RiskPoint("OIL-1", "原料及出厂检验不严", "原料验收和出厂检验项目缺项",
                          ("oil_sampling_failures_24m", "findings_24m")),
                RiskPoint("OIL-2", "进货查验不落实", "批发、零售和餐饮单位未查验供货者",
                          ("oil_sampling_failures_24m", "inspection_violations_12m")),
            ),
        ),
        Template(
            "infant_formula", "food", "婴幼儿配方乳粉",
            "婴幼儿配方乳粉生产质量管理体系和原辅料控制。",
            industry_prefixes=("C1442",),
            risk_points=(
                RiskPoint("IF-1", "质量管理体系自查不到位", "未按规定开展体系自查",
                          ("food_production_serious_findings_36m", "findings_24m")),
                RiskPoint("IF-2", "批次检验不全", "批次检验记录不全",
                          ("formula_sampling_failures_36m",)),
            ),
        ),
        Template(
            "meat_dairy", "food", "肉类与乳制品",
            "肉品品质检验、冷链储存与乳制品出厂检验。",
            industry_prefixes=("C135", "C1441"),
            risk_points=(
                RiskPoint("MD-1", "冷链温控缺失", "冷库温度记录缺失",
                          ("findings_24m", "food_production_serious_findings_36m")),
                RiskPoint("MD-2", "检验不合格", "抽检不合格",
                          ("sampling_failures_24m", "sampling_failure_rate_36m")),
            ),
        ),
        Template(
            "catering", "food", "餐饮服务食品安全",
            "餐饮服务单位后厨卫生、原料索证索票与餐具消毒。",
            industry_prefixes=("H62",),
            risk_points=(
                RiskPoint("CT-1", "后厨卫生差", "后厨卫生和餐具消毒不达标",
                          ("catering_hygiene_complaints_12m", "findings_24m")),
                RiskPoint("CT-2", "原料来源不明", "未按规定索证索票",
                          ("inspection_violations_12m", "catering_complaints_12m")),
            ),
        ),
        Template(
            "industrial_products", "product_quality", "电线电缆、燃气器具、电动自行车",
            "直接关系人身财产安全的重点工业产品生产、销售全过程质量安全。",
            industry_prefixes=("C3831", "C3861", "C3762"),
            risk_points=(
                RiskPoint("IP-1", "产品质量不合格", "导体电阻、熄火保护、车速等项目不合格",
                          ("product_sampling_failures_36m",)),
                RiskPoint("IP-2", "生产许可与认证缺失", "许可证过期或未取得CCC认证",
                          ("licence_age_days",)),
            ),
        ),
        Template(
            "live_commerce", "live_commerce", "直播电商",
            "直播带货虚假宣传、绝对化用语和售后服务等消费投诉热点。",
            industry_prefixes=("F5292",), subject_kinds=("shop",),
            risk_points=(
                RiskPoint("LC-1", "绝对化用语与虚假宣传", "直播中使用“最”“第一”等用语",
                          ("live_banned_claims_12m", "live_commerce_opinion_12m")),
                RiskPoint("LC-2", "平台主体责任不落实", "平台对入驻商家审核和管理不到位",
                          ("complaints_12m", "negative_opinion_12m")),
            ),
        ),
        Template(
            "shell_companies", "credit", "空壳企业与失联主体",
            "通过登记住所无法联系、长期未公示年报的主体及其实际控制人。",
            risk_points=(
                RiskPoint("SC-1", "失联与经营异常", "列入经营异常名录",
                          ("abnormal_listed_36m",)),
                RiskPoint("SC-2", "同一控制人名下异常集中", "实际控制人名下多户异常",
                          ("dishonesty_listed_60m", "abnormal_listed_36m")),
            ),
        ),
    )
}  # fmt: skip


def unknown_indicators(session: Session, codes: list[str]) -> list[str]:
    """The codes among ``codes`` that the risk domain's indicator catalogue does not define, in
    the order given, each once."""
    known = risk_service.indicator_codes(session)
    return [c for c in dict.fromkeys(codes) if c not in known]


def template_codes() -> set[str]:
    """Every indicator code the shipped templates name."""
    return {c for t in TEMPLATES.values() for rp in t.risk_points for c in rp.indicators}
