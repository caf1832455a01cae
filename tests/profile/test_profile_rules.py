"""The file's pure rules, as tables."""

from __future__ import annotations

from datetime import date

import pytest

from lookthrough.profile.rules import (
    Audience,
    list_status,
    name_similarity,
    read_query,
    row_summary,
    visible_payload,
)

COMPLAINT = {
    "text": "买到过期食品",
    "complainant_name": "王小明",
    "complainant_phone": "13912345678",
}


@pytest.mark.parametrize(
    ("typed", "code", "person", "core"),
    [
        ("德诚粮油", None, True, "德诚粮油"),
        ("郎溪县德诚粮油店", None, False, "德诚粮油"),
        ("安徽省合肥市蜀山区甲乙商贸有限公司", None, False, "甲乙商贸"),
        ("９１３４０１０４ＭＡ", "91340104MA", False, "91340104MA"),  # full-width typed
        ("91340104ma0000017x", "91340104MA0000017X", False, "91340104MA0000017X"),
        ("张三丰", None, True, "张三丰"),
        ("市场", None, True, "市场"),  # a place suffix alone is not stripped to nothing
        ("合肥高新技术产业开发区康品生鲜", None, False, "康品生鲜"),
        ("ABCD", None, False, "ABCD"),  # letters without a digit are not a code
    ],
)
def test_read_query(typed: str, code: str | None, person: bool, core: str) -> None:
    q = read_query(typed)
    assert (q.code, q.person, q.core) == (code, person, core)


@pytest.mark.parametrize(
    ("kind", "payload", "summary"),
    [
        ("inspection", {"inspection_type": "日常检查", "result": "发现问题", "score": 70},
         "日常检查 · 发现问题 · 评分 70"),
        (
            "sampling",
            {"product": "菜籽油", "conclusion": "不合格",
             "items": [{"item": "酸价", "passed": False}, {"item": "过氧化值", "passed": True}]},
            "菜籽油 · 不合格 · 不合格项目：酸价",
        ),
        ("penalty", {"case_no": "皖罚〔2025〕1号", "violation": "销售过期食品", "fine_yuan": 5000},
         "皖罚〔2025〕1号 · 销售过期食品 · 5,000 元"),
        ("abnormal_list", {"reason": "未年报", "removed_on": "2025-03-01"},
         "未年报 · 已于 2025-03-01 移出"),
        ("complaint", {"channel": "12315", "text": "买到过期食品"}, "12315 · 买到过期食品"),
        ("licence", {"licence_type": "食品经营许可证", "licence_no": "JY1",
                     "valid_from": "2023-01-01", "valid_to": "2028-01-01"},
         "食品经营许可证 · JY1 · 2023-01-01—2028-01-01"),
        ("unknown_kind", {"x": 1}, ""),
    ],
)  # fmt: skip
def test_row_summary(kind: str, payload: dict[str, object], summary: str) -> None:
    assert row_summary(kind, payload) == summary


def test_the_business_never_sees_who_complained() -> None:
    shown = visible_payload("complaint", COMPLAINT, Audience.ENTERPRISE)
    assert shown == {"text": "买到过期食品"}


def test_officials_see_complainants_masked() -> None:
    shown = visible_payload("complaint", COMPLAINT, Audience.OFFICIAL)
    assert shown["complainant_name"] == "王**"
    assert shown["complainant_phone"] == "139****5678"
    assert COMPLAINT["complainant_name"] == "王小明"  # the record itself is untouched


def test_other_kinds_pass_unchanged() -> None:
    payload = {"product": "菜籽油", "conclusion": "合格"}
    assert visible_payload("sampling", payload, Audience.ENTERPRISE) == payload


@pytest.mark.parametrize(
    ("removed_on", "listed", "label"),
    [
        (None, True, "在列"),
        (date(2026, 7, 1), True, "在列"),  # removal decided for a future date
        (date(2026, 6, 1), False, "已移出（2026-06-01）"),
        (date(2025, 1, 2), False, "已移出（2025-01-02）"),
    ],
)
def test_list_status(removed_on: date | None, listed: bool, label: str) -> None:
    status = list_status(removed_on, date(2026, 6, 1))
    assert (status.listed, status.label) == (listed, label)


@pytest.mark.parametrize(
    ("query", "name", "at_least", "below"),
    [
        ("德诚粮油", "德诚粮油", 1.0, 1.01),
        ("德城粮油", "德诚粮油", 0.3, 0.34),  # one wrong character of four: 1 pair in 3
        ("源中家政服务", "天长市源中家政服务店", 1.0, 1.01),
        ("甲乙商贸", "丙丁餐饮", 0.0, 0.01),
    ],
)
def test_name_similarity(query: str, name: str, at_least: float, below: float) -> None:
    assert at_least <= name_similarity(query, name) < below
