"""The built division table (run `make assets` first) and the rules that classify its rows."""

from __future__ import annotations

from collections import Counter

import pytest

from lookthrough.regions.divisions import (
    LEVEL_BY_LENGTH,
    Division,
    county_kind,
    is_dev_zone,
    level_of,
    load_divisions,
    parent_of,
    town_kind,
)


@pytest.fixture(scope="module")
def divisions() -> list[Division]:
    return load_divisions()


@pytest.fixture(scope="module")
def by_code(divisions: list[Division]) -> dict[str, Division]:
    return {d.code: d for d in divisions}


def test_one_province_and_sixteen_cities(divisions: list[Division]) -> None:
    levels = Counter(d.level for d in divisions)
    assert levels["province"] == 1
    assert levels["city"] == 16
    assert [d.name for d in divisions if d.level == "province"] == ["安徽省"]


def test_codes_are_unique(divisions: list[Division]) -> None:
    assert len({d.code for d in divisions}) == len(divisions)


def test_level_follows_code_length(divisions: list[Division]) -> None:
    assert all(d.level == LEVEL_BY_LENGTH[len(d.code)] for d in divisions)


def test_names_are_not_empty(divisions: list[Division]) -> None:
    assert all(d.name.strip() for d in divisions)


def test_every_parent_is_one_level_up_and_a_prefix(
    divisions: list[Division], by_code: dict[str, Division]
) -> None:
    parent_level = {"city": "province", "county": "city", "town": "county"}
    for d in divisions:
        if d.level == "province":
            assert d.parent_code is None
            continue
        assert d.parent_code is not None
        assert by_code[d.parent_code].level == parent_level[d.level], d
        assert d.code.startswith(d.parent_code)
        assert parent_of(d.code) == d.parent_code


def test_table_is_in_code_order(divisions: list[Division]) -> None:
    codes = [d.code for d in divisions]
    assert codes == sorted(codes)


def test_kinds_per_level(divisions: list[Division]) -> None:
    allowed = {
        "province": {"province"},
        "city": {"city"},
        "county": {"district", "county", "county_city", "dev_zone"},
        "town": {"subdistrict", "town", "township", "other"},
    }
    assert all(d.kind in allowed[d.level] for d in divisions)


def test_county_kinds_follow_names_and_codes(divisions: list[Division]) -> None:
    for d in (d for d in divisions if d.level == "county"):
        if 71 <= int(d.code[4:6]) <= 79:
            assert d.kind == "dev_zone"
        else:
            suffix = {"区": "district", "县": "county", "市": "county_city"}[d.name[-1]]
            assert d.kind == suffix, d


def test_only_state_codes_are_marked_gbt2260(divisions: list[Division]) -> None:
    for d in divisions:
        expected = d.level in ("province", "city") or (d.level == "county" and d.kind != "dev_zone")
        assert d.gbt2260 is expected, d
    assert sum(d.gbt2260 for d in divisions if d.level == "county") == 104


def test_known_rows(by_code: dict[str, Division]) -> None:
    assert by_code["3401"] == Division("3401", "合肥市", "city", "34", "city", True)
    assert by_code["340176"].kind == "dev_zone"
    assert by_code["340181"] == Division("340181", "巢湖市", "county", "3401", "county_city", True)
    assert by_code["340102001"] == Division(
        "340102001", "明光路街道", "town", "340102", "subdistrict", False
    )


@pytest.mark.parametrize(
    ("code", "name", "kind"),
    [
        ("340102", "瑶海区", "district"),
        ("340121", "长丰县", "county"),
        ("340181", "巢湖市", "county_city"),  # 81: a 县级市, not a dev zone
        ("340176", "合肥高新技术产业开发区", "dev_zone"),
        ("341871", "宣城市经济开发区", "dev_zone"),  # ends in 区 but the code decides
    ],
)
def test_county_kind(code: str, name: str, kind: str) -> None:
    assert county_kind(code, name) == kind
    assert is_dev_zone(code) is (kind == "dev_zone")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("明光路街道", "subdistrict"),
        ("柘皋镇", "town"),
        ("坝镇镇", "town"),
        ("大墩乡", "township"),
        ("庐阳工业区（林店街道）", "other"),
        ("安徽省水家湖农场", "other"),
    ],
)
def test_town_kind(name: str, kind: str) -> None:
    assert town_kind(name) == kind


def test_level_and_parent_of_codes() -> None:
    assert level_of("340102001001") == "grid"
    assert parent_of("340102001001") == "340102001"
    assert parent_of("34") is None
    with pytest.raises(ValueError, match="区划代码长度不正确"):
        level_of("3401020")
