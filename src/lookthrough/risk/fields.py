"""Supervised fields (监管领域): which businesses belong to each, how severe harm there is, and
which "N" credit class of the "1+N" classification each field's businesses also get.

A business's field comes from its industry code (GB/T 4754-2017); the most specific prefix wins.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SupervisedField:
    code: str
    label: str
    industry_prefixes: tuple[str, ...]
    # Consequence weight 1–4: how much harm a failure here does (life and health first:
    # infant formula, elevators, gas cylinders are 4; general trade is 1).
    severity: int
    credit_domain: str  # the "N" class this field's businesses are graded in ("" = none)


CREDIT_DOMAINS: dict[str, str] = {
    "food": "食品安全",
    "special_equipment": "特种设备",
    "industrial_products": "重点工业产品",
    "online_trade": "网络交易（直播电商）",
}

FIELDS: dict[str, SupervisedField] = {
    f.code: f
    for f in (
        SupervisedField("infant_formula", "婴幼儿配方乳粉", ("C1442",), 4, "food"),
        SupervisedField("dairy", "乳制品", ("C144",), 3, "food"),
        SupervisedField("edible_oil", "食用油生产", ("C1331",), 3, "food"),
        SupervisedField("meat", "肉及肉制品", ("C135",), 3, "food"),
        SupervisedField("food_production", "食品生产", ("C13", "C14", "C15"), 3, "food"),
        SupervisedField("catering", "餐饮服务", ("H62",), 2, "food"),
        SupervisedField("food_retail", "食品销售", ("F5221", "F5222", "F5223", "F5212"), 2, "food"),
        SupervisedField("food_wholesale", "食品批发", ("F512",), 2, "food"),
        SupervisedField("elevator_user", "电梯使用（物业）", ("K7020",), 4, "special_equipment"),
        SupervisedField("elevator_maintenance", "电梯维保", ("C3435",), 4, "special_equipment"),
        SupervisedField("gas_cylinder", "气瓶充装", ("D4512",), 4, "special_equipment"),
        SupervisedField("cable", "电线电缆", ("C3831",), 3, "industrial_products"),
        SupervisedField("gas_appliance", "燃气器具", ("C3861",), 3, "industrial_products"),
        SupervisedField("ebike", "电动自行车", ("C3762",), 3, "industrial_products"),
        SupervisedField("live_commerce", "直播电商", ("F5292",), 2, "online_trade"),
        SupervisedField("platform", "网络交易平台", ("I6432",), 2, "online_trade"),
        SupervisedField("general", "其他行业", (), 1, ""),
    )
}
FIELD_LABELS = {code: f.label for code, f in FIELDS.items()}
# Longest prefix first, so C1442 (infant formula) wins over C144 (dairy) over C14 (food).
_BY_PREFIX = sorted(
    ((prefix, f.code) for f in FIELDS.values() for prefix in f.industry_prefixes),
    key=lambda pair: -len(pair[0]),
)


def field_of(industry_code: str | None) -> str:
    """The supervised field of a business with this industry code (``general`` when none)."""
    code = (industry_code or "").strip().upper()
    for prefix, field in _BY_PREFIX:
        if code.startswith(prefix):
            return field
    return "general"


def prefix_table() -> list[tuple[str, str]]:
    """(industry prefix, field) pairs, longest prefix first (for SQL CASE expressions)."""
    return list(_BY_PREFIX)
