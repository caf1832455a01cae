"""Indicator definitions are checked against the record kinds: every mistake is named in Chinese."""

from __future__ import annotations

from typing import Any

import pytest

from lookthrough.core.errors import ValidationFailed
from lookthrough.engine.definitions import parse, payload_fields
from lookthrough.risk.fields import FIELDS
from lookthrough.risk.indicators import default_library

BASE: dict[str, Any] = {
    "code": "complaints_test",
    "name": "测试投诉量",
    "kinds": ["complaint"],
    "window_days": 365,
    "threshold": 3,
    "matter": "测试事项",
    "risk_point": "投诉集中",
    "explanation": "测试用的投诉计数指标。",
}


def problems_of(**changes: Any) -> str:
    data = {**BASE, **changes}
    with pytest.raises(ValidationFailed) as caught:
        parse(data, known_fields=set(FIELDS))
    return caught.value.message


def test_a_good_definition_parses() -> None:
    spec = parse(BASE)
    assert spec.aggregation == "count" and spec.fields == ["all"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"kinds": ["complain"]}, "未知的类别：complain"),
        ({"where": [{"field": "colour", "op": "=", "value": "红"}]}, "“投诉举报”没有字段“colour”"),
        (
            {"where": [{"field": "text", "op": ">", "value": 3}]},
            "字段“text”是文字，不能用“大于”比较",
        ),
        ({"where": [{"field": "category", "op": "in", "value": "投诉"}]}, "比较值必须是一个列表"),
        ({"where": [{"field": "category", "op": "="}]}, "需要填写比较值"),
        ({"aggregation": "sum"}, "“求和”需要指定数值字段"),
        ({"aggregation": "sum", "value_field": "text"}, "“投诉举报”的“text”不是数值字段"),
        ({"aggregation": "rate"}, "比率的分子须有筛选条件"),
        ({"transform": "cap"}, "“封顶”变换需要填写封顶值"),
        ({"fields": ["dragons"]}, "未知的领域：dragons"),
        ({"code": "Bad Code"}, "指标代码：只能用小写英文字母"),
        ({"window_days": 0}, "统计窗口：太小"),
        ({"aggregation": "median"}, "聚合方式：不是可选的取值之一"),
        ({"colour": "red"}, "colour：不是可识别的项目"),
        ({"prior_rate": 0.2}, "先验比率和先验权重须同时填写"),
    ],
)
def test_mistakes_are_named(changes: dict[str, Any], expected: str) -> None:
    assert expected in problems_of(**changes)


def test_every_problem_is_listed_at_once() -> None:
    message = problems_of(kinds=["complaint", "nonsense"], transform="cap", fields=["dragons"])
    assert "nonsense" in message and "封顶值" in message and "dragons" in message


def test_payload_fields_know_types() -> None:
    assert payload_fields("penalty")["fine_yuan"] == "number"
    assert payload_fields("iot_alarm")["cleared"] == "bool"
    assert payload_fields("licence")["valid_to"] == "date"
    assert "items" not in payload_fields("sampling")  # lists cannot be compared


def test_default_library_is_valid_and_covers_the_policy_fields() -> None:
    specs = [parse(d, known_fields=set(FIELDS)) for d in default_library()]
    assert len({s.code for s in specs}) == len(specs)
    covered = {f for s in specs for f in s.fields}
    for field in (
        "food_production",
        "catering",
        "infant_formula",
        "edible_oil",
        "elevator_user",
        "gas_cylinder",
        "cable",
        "gas_appliance",
        "ebike",
        "live_commerce",
        "all",
    ):
        assert field in covered, field
    assert all(len(s.explanation) >= 10 for s in specs)
