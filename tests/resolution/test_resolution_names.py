"""Table tests for the business-name normaliser (no database)."""

from __future__ import annotations

import pytest

from lookthrough.resolution.names import (
    address_in_text,
    fold,
    normalise_address,
    normalise_name,
    normalise_person,
    normalise_phone,
    split_industry,
)

# raw name → (core, trade, industry, forms, branch, region codes named)
CASES = [
    ("安徽省郎溪县德成粮油店", "德成粮油", "德成", "粮油", ("店",), "", ("34", "341821")),
    ("德城粮油店", "德城粮油", "德城", "粮油", ("店",), "", ()),
    ("宣城市经济开发区味悦超市店", "味悦超市", "味悦", "超市", ("店",), "", ("341871",)),
    ("味悦店", "味悦", "味悦", "", ("店",), "", ()),
    ("341524的达光食品店", "达光食品", "达光", "食品", ("店",), "", ("341524",)),
    ("郎溪县的德成粮油店", "德成粮油", "德成", "粮油", ("店",), "", ("341821",)),
    (
        "合肥市合肥经济技术开发区康丰快餐有限公司",
        "康丰快餐",
        "康丰",
        "快餐",
        ("有限公司",),
        "",
        ("3401", "340177"),
    ),
    ("康丰快餐有限责任公司", "康丰快餐", "康丰", "快餐", ("有限责任公司",), "", ()),
    ("合肥康丰快餐股份有限公司", "康丰快餐", "康丰", "快餐", ("股份有限公司",), "", ("3401",)),
    ("康丰（合肥）快餐有限公司", "康丰快餐", "康丰", "快餐", ("有限公司",), "", ("3401",)),
    ("康丰(合肥)快餐有限公司", "康丰快餐", "康丰", "快餐", ("有限公司",), "", ("3401",)),
    ("【康丰】快餐　有限公司", "康丰快餐", "康丰", "快餐", ("有限公司",), "", ()),
    ("鑫源商贸有限公司店", "鑫源商贸", "鑫源", "商贸", ("店", "有限公司"), "", ()),
    ("鑫源超市有限公司长江路店", "鑫源超市", "鑫源", "超市", ("有限公司",), "长江路", ()),
    ("鑫源超市（步行街店）", "鑫源超市", "鑫源", "超市", (), "步行街", ()),
    ("鑫源超市长江路店", "鑫源超市", "鑫源", "超市", (), "长江路", ()),
    ("鑫源超市蜀山店", "鑫源超市", "鑫源", "超市", (), "蜀山", ()),
    (
        "安徽鑫源商贸股份有限公司合肥分公司",
        "鑫源商贸",
        "鑫源",
        "商贸",
        ("股份有限公司",),
        "合肥",
        ("34",),
    ),
    ("张三（个体工商户）", "张三", "张三", "", ("个体工商户",), "", ()),
    ("个体工商户李四", "李四", "李四", "", ("个体工商户",), "", ()),
    ("ＡＢＣ科技有限公司", "ABC科技", "ABC", "科技", ("有限公司",), "", ()),
    ("皖鑫源粮油批发部", "鑫源粮油批发部", "鑫源", "粮油批发部", (), "", ("34",)),
    ("和县和益商贸店", "和益商贸", "和益", "商贸", ("店",), "", ("340523",)),
    ("某某农民专业合作社", "某某", "某某", "", ("农民专业合作社",), "", ()),
    ("宏达咨询中心（有限合伙）", "宏达咨询中心", "宏达", "", ("有限合伙",), "", ()),
]


@pytest.mark.parametrize(("raw", "core", "trade", "industry", "forms", "branch", "regions"), CASES)
def test_name_parts(
    raw: str,
    core: str,
    trade: str,
    industry: str,
    forms: tuple[str, ...],
    branch: str,
    regions: tuple[str, ...],
) -> None:
    parts = normalise_name(raw)
    assert (parts.core, parts.trade, parts.industry) == (core, trade, industry)
    assert set(forms) <= set(parts.forms)
    assert (parts.branch, parts.regions) == (branch, regions)


def test_individual_named_after_operator_keeps_the_person() -> None:
    assert normalise_name("张三（个体工商户）").person == "张三"
    assert normalise_name("张三粮油店").person == ""


def test_county_stem_is_read_both_ways() -> None:
    """郎溪 may be the county 郎溪县 or part of a 字号: both readings are kept."""
    parts = normalise_name("郎溪德成粮油店")
    assert parts.core == "郎溪德成粮油"
    assert parts.alternative is not None
    assert (parts.alternative.core, parts.alternative.regions) == ("德成粮油", ("341821",))


def test_a_name_that_is_only_a_place_is_not_emptied() -> None:
    assert normalise_name("蜀山区").core == "蜀山区"
    assert normalise_name("").core == ""


def test_fold_width_case_and_punctuation() -> None:
    assert fold("ＡＢＣ·鑫源 （合肥） 有限公司。") == "ABC鑫源(合肥)有限公司"


def test_same_business_written_differently_has_one_core() -> None:
    spellings = [
        "合肥市蜀山区鑫源粮油有限公司",
        "鑫源粮油有限公司",
        "鑫源粮油店",
        "（合肥）鑫源粮油有限责任公司",
        "安徽省合肥市蜀山区的鑫源粮油",
        " 鑫源 粮油 ",
    ]
    assert {normalise_name(s).core for s in spellings} == {"鑫源粮油"}


@pytest.mark.parametrize(
    ("core", "split"),
    [("鑫源粮油批发", ("鑫源", "粮油批发")), ("康丰快餐", ("康丰", "快餐")),
     ("味悦", ("味悦", "")), ("宏达中天", ("宏达", ""))],
)  # fmt: skip
def test_split_industry(core: str, split: tuple[str, str]) -> None:
    assert split_industry(core) == split


def test_address_without_places_and_fillers() -> None:
    parts = normalise_address("安徽省宣城市郎溪县飞鲤镇徽州路369号附近")
    assert (parts.clean, parts.road, parts.number) == ("徽州路369号", "徽州路", "369")
    assert parts.regions[-1] == "341821108"


@pytest.mark.parametrize(
    ("raw", "digits"),
    [("+86 138-1234-8000", "13812348000"), ("0086 13812348000", "13812348000"),
     ("0551-6512 3456", "055165123456"), (None, "")],
)  # fmt: skip
def test_phone(raw: str | None, digits: str) -> None:
    assert normalise_phone(raw) == digits


def test_person() -> None:
    assert normalise_person("欧阳 明·日") == "欧阳明日"


def test_the_road_is_the_one_before_the_house_number() -> None:
    """甲路镇 is a town whose name ends in 路: the road is 芜湖路, however much of the place the
    writer left out."""
    short = normalise_address("宣城市宁国市甲路镇芜湖路484号")
    full = normalise_address("安徽省宣城市宁国市甲路镇芜湖路484号")
    assert (short.road, short.number) == (full.road, full.number) == ("芜湖路", "484")


@pytest.mark.parametrize(
    ("text", "address", "road"),
    [
        ("德成粮油（泾县文化街351号）卖过期食品，拒不退款。", "泾县文化街351号", "文化街"),
        ("长江路８８号附近的德成粮油卖过期食品。", "长江路88号", "长江路"),  # 全角
        ("我在德成粮油消费，卖过期食品，希望市场监管部门调查处理。", None, None),
        ("德成粮油在文化街，卖过期食品。", None, None),  # a road without a number says too little
        (None, None, None),
    ],
)  # fmt: skip
def test_address_in_text(text: str | None, address: str | None, road: str | None) -> None:
    """A complaint that leaves the address field empty often writes it in its text."""
    assert address_in_text(text) == address
    if address:
        assert normalise_address(address).road == road
