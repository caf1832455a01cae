"""Table tests for comparing, weighing and deciding (no database)."""

from __future__ import annotations

import pytest

from lookthrough.resolution.names import normalise_name
from lookthrough.resolution.places import shipped
from lookthrough.resolution.rules import (
    Agreement,
    Candidate,
    Mention,
    NameLevel,
    Region,
    Thresholds,
    address_agreement,
    compare,
    name_level,
    phone_agreement,
    posterior,
    region_level,
    score_candidates,
    status_for,
)

T = Thresholds()


def cand(entity_id: int, name: str, region: str = "341821108", **kw: str) -> Candidate:
    return Candidate(entity_id=entity_id, name=normalise_name(name), region_code=region, **kw)


def mention(name: str, region: str | None = "341821", **kw: str) -> Mention:
    return Mention(name=normalise_name(name), region=region, **kw)


@pytest.mark.parametrize(
    ("written", "registered", "level"),
    [
        ("郎溪县德成粮油店", "郎溪县德成粮油店", NameLevel.FULL),
        ("德成粮油", "郎溪县德成粮油店", NameLevel.CORE),
        ("德城粮油店", "郎溪县德成粮油店", NameLevel.EDIT1),
        ("德成店", "郎溪县德成粮油店", NameLevel.TRADE),
        ("德成粮油批发", "郎溪县德成粮油店", NameLevel.CONTAINS),
        ("成德粮油", "郎溪县德成粮油店", NameLevel.FUZZY),  # two characters swapped
        ("鑫源五金", "郎溪县德成粮油店", NameLevel.NONE),
        ("鑫源饭店", "郎溪县鑫源超市店", NameLevel.NONE),  # same 字号, another trade
    ],
)
def test_name_levels(written: str, registered: str, level: NameLevel) -> None:
    assert name_level(normalise_name(written), normalise_name(registered)) is level


@pytest.mark.parametrize(
    ("written", "record_region", "entity_region", "level"),
    [
        ("德成粮油", "341821108", "341821108", Region.TOWN),
        ("德成粮油", "341821", "341821108", Region.COUNTY),
        ("德成粮油", "3418", "341821108", Region.CITY),  # a city-level record
        ("德成粮油", "341822", "341821108", Region.CITY),
        ("德成粮油", "340104", "341821108", Region.PROVINCE),
        ("泾县德成粮油", "341821", "341821108", Region.CONFLICT),  # the name says 泾县
        ("德成粮油", None, "341821108", Region.UNKNOWN),
    ],
)
def test_region_levels(
    written: str, record_region: str | None, entity_region: str, level: Region
) -> None:
    got = region_level(mention(written, record_region), cand(1, "德成粮油店", entity_region))
    assert got is level


@pytest.mark.parametrize(
    ("written", "registered", "agreement"),
    [
        ("郎溪县飞鲤镇徽州路369号附近", "安徽省宣城市郎溪县飞鲤镇徽州路369号", Agreement.SAME),
        ("徽州路12号对面", "安徽省宣城市郎溪县飞鲤镇徽州路369号", Agreement.SAME_ROAD),
        ("长江路1号", "安徽省宣城市郎溪县飞鲤镇徽州路369号", Agreement.DIFFERENT),
        (None, "安徽省宣城市郎溪县飞鲤镇徽州路369号", Agreement.MISSING),
    ],
)
def test_address(written: str | None, registered: str, agreement: Agreement) -> None:
    assert address_agreement(written, registered, shipped()) is agreement


def test_phone_landline_without_area_code_agrees() -> None:
    assert phone_agreement("6512 3456", "0551-65123456") is Agreement.SAME
    assert phone_agreement("13800000001", "13800000002") is Agreement.DIFFERENT
    assert phone_agreement(None, "13800000002") is Agreement.MISSING


def test_unique_exact_name_links_automatically_with_reasons() -> None:
    [best] = score_candidates(mention("德成粮油店"), [cand(7, "郎溪县德成粮油店")], T)
    assert best.entity_id == 7
    assert status_for(best.score, T) == "auto"
    assert best.reasons[0] == "名称一致（去掉地名、组织形式后）"
    assert "同一县区（+0）" in best.reasons


def test_two_businesses_with_the_same_name_go_to_review() -> None:
    scored = score_candidates(
        mention("德成粮油店"), [cand(1, "郎溪县德成粮油店"), cand(2, "宣城市德成粮油有限公司")], T
    )
    assert [status_for(s.score, T) for s in scored] == ["review", "review"]
    assert "辖区内有 2 户名称同样吻合" in scored[0].reasons


def test_phone_settles_a_tie() -> None:
    scored = score_candidates(
        mention("德成粮油店", phone="13800000001"),
        [cand(1, "郎溪县德成粮油店", phone="13800000001"), cand(2, "宣城市德成粮油有限公司")],
        T,
    )
    assert scored[0].entity_id == 1
    assert status_for(scored[0].score, T) == "auto"
    assert "电话一致（+10）" in scored[0].reasons


def test_exact_name_beats_its_one_character_neighbours() -> None:
    scored = score_candidates(
        mention("德成粮油店"),
        [cand(1, "郎溪县德成粮油店"), cand(2, "郎溪县德城粮油店"), cand(3, "郎溪县得成粮油店")],
        T,
    )
    assert scored[0].entity_id == 1 and status_for(scored[0].score, T) == "auto"


def test_a_lone_typo_links_but_two_neighbours_need_a_person() -> None:
    [alone] = score_candidates(mention("德城粮油店"), [cand(1, "郎溪县德成粮油店")], T)
    assert status_for(alone.score, T) == "auto"
    two = score_candidates(
        mention("德城粮油店"), [cand(1, "郎溪县德成粮油店"), cand(2, "郎溪县德诚粮油店")], T
    )
    assert status_for(two[0].score, T) == "review"


def test_named_place_that_contradicts_the_business_lowers_the_score() -> None:
    right = score_candidates(mention("郎溪县德成粮油店"), [cand(1, "郎溪县德成粮油店")], T)
    wrong = score_candidates(
        mention("泾县德成粮油店"), [cand(1, "郎溪县德成粮油店", region="341821108")], T
    )
    assert wrong[0].score < right[0].score
    assert any("名称中的地名与该主体所在地不符" in r for r in wrong[0].reasons)


def test_only_a_fuzzy_name_is_not_linked_automatically() -> None:
    [only] = score_candidates(mention("成德粮油"), [cand(1, "郎溪县德成粮油店")], T)
    assert status_for(only.score, T) != "auto"


def test_candidates_whose_name_disagrees_are_dropped() -> None:
    assert score_candidates(mention("鑫源五金"), [cand(1, "郎溪县德成粮油店")], T) == []


def test_posterior_leaves_room_for_a_business_not_among_the_candidates() -> None:
    [p] = posterior([0.5], outside_share=0.05)
    assert 0.99 < p < 1.0
    assert posterior([0.0], outside_share=0.05) == [0.0]
    assert sum(posterior([0.5, 0.5, 0.5], outside_share=0.05)) < 1.0


@pytest.mark.parametrize(
    ("score", "status"), [(0.95, "auto"), (0.9, "auto"), (0.5, "review"), (0.1, "unlinked")]
)
def test_status_bands(score: float, status: str) -> None:
    assert status_for(score, T) == status


def test_compare_reads_a_county_stem_as_a_place_when_that_fits_better() -> None:
    got = compare(mention("郎溪德成粮油店"), cand(1, "郎溪县德成粮油店"))
    assert got.name is NameLevel.CORE and got.read_as_place
