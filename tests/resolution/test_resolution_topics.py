"""What a complaint is about against a business's line of trade (``topics.py``, pure)."""

from __future__ import annotations

import pytest

from lookthrough.resolution.names import normalise_name
from lookthrough.resolution.rules import (
    Agreement,
    Candidate,
    Mention,
    Thresholds,
    score_candidates,
    topic_agreement,
)
from lookthrough.resolution.topics import business_field, topic_fields

FOOD = "|dairy|edible_oil|food_production|food_retail|food_wholesale|infant_formula|meat|"


@pytest.mark.parametrize(
    ("text", "name", "fields"),
    [
        ("我在德成店消费，吃完后腹泻呕吐，希望调查处理。", "德成店", "|catering|"),
        ("投诉鑫源：卖过期食品。要求退一赔三。", "鑫源", FOOD),
        ("小区电梯经常困人，物业不管", None, "|elevator_maintenance|elevator_user|"),
        ("直播间宣称“全网最低”，收到货后质量很差", None, "|live_commerce|platform|"),
        ("饭菜里有头发，冷柜里的肉也有异味", None, "|catering|" + FOOD.removeprefix("|")),
        ("德成店不明码标价", "德成店", ""),  # nothing about the trade
        ("鑫源肉食店服务差", "鑫源肉食店", ""),  # the name's own words say nothing by themselves
        ("", None, ""),
        (None, None, ""),
    ],
)
def test_topics_of_a_text(text: str | None, name: str | None, fields: str) -> None:
    assert topic_fields(text, name) == fields


@pytest.mark.parametrize(
    ("code", "field"),
    [("H6210", "catering"), ("F5274", "general"), ("K7020", "elevator_user"), (None, ""),
     ("  ", "")],
)  # fmt: skip
def test_a_business_field_comes_from_its_industry_code(code: str | None, field: str) -> None:
    assert business_field(code) == field


def test_agreement_between_topic_and_field() -> None:
    assert topic_agreement("|catering|", "catering") is Agreement.SAME
    assert topic_agreement("|catering|", "general") is Agreement.DIFFERENT
    assert topic_agreement("", "catering") is Agreement.MISSING
    assert topic_agreement("|catering|", "") is Agreement.MISSING  # industry not known


def test_the_topic_picks_the_one_of_its_trade_among_namesakes() -> None:
    """Only 德成店 written: without a topic the three are alike; a meal complaint picks the
    restaurant, with the reason, and the two others fall away."""
    candidates = [
        Candidate(1, normalise_name("郎溪县德成饭店"), "341821108", field="catering"),
        Candidate(2, normalise_name("郎溪县德成五金店"), "341821108", field="general"),
        Candidate(3, normalise_name("郎溪县德成粮油店"), "341821108", field="food_retail"),
    ]
    name = normalise_name("德成店")
    plain = score_candidates(Mention(name=name, region="341821"), candidates, Thresholds())
    assert {s.score for s in plain} == {plain[0].score} and plain[0].score < 0.4
    meal = Mention(name=name, region="341821", topics=topic_fields("德成店吃完后腹泻", "德成店"))
    scored = score_candidates(meal, candidates, Thresholds())
    assert scored[0].entity_id == 1 and scored[0].score >= Thresholds().auto_link
    assert "诉求内容与该主体的行业相符（+2）" in scored[0].reasons
    assert "诉求内容与该主体的行业不符（-4）" in scored[1].reasons
