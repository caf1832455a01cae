"""Homophone slips (同音字): how most misspelt names are typed, found and weighed as such."""

from __future__ import annotations

import polars as pl
import pytest

from lookthrough.resolution.blocking import DEFAULT_CAP, candidate_pairs
from lookthrough.resolution.names import normalise_name
from lookthrough.resolution.rules import (
    HOMOPHONE_REASON,
    Candidate,
    Mention,
    Thresholds,
    score_candidates,
    status_for,
)
from lookthrough.resolution.sounds import sound_of, sounds, sounds_alike
from lookthrough.synth.vocab import TRADE

T = Thresholds()


@pytest.mark.parametrize(
    ("a", "b", "alike"),
    [
        ("鑫源五金", "新源五金", True),  # xin
        ("德城粮油", "德成粮油", True),  # cheng
        ("恒齐五金", "衡旗五金", False),  # two characters differ
        ("鑫源五金", "金源五金", False),  # xin / jin
        ("长和物业", "常和物业", True),  # 长 reads chang as well as zhang
        ("盛明粮油", "晟明粮油", True),  # 晟: cheng or sheng; 盛: sheng or cheng
        ("奇德面馆", "吉德面馆", False),  # 奇 can be read ji, but is qi: typing ji offers no 奇
        ("晶光传媒", "庆光传媒", False),  # 精 can be read qing; 晶 cannot
        ("鑫源", "鑫源", False),  # the same name is not a slip
        ("鑫源", "鑫源店", False),
    ],
)
def test_sounds_alike(a: str, b: str, alike: bool) -> None:
    assert sounds_alike(a, b) is alike


def test_sound_keys() -> None:
    assert sound_of("衡齐五金") == sound_of("恒旗五金") == "heng qi wu jin"
    assert sounds(pl.Series(["衡齐五金", "", "A1"])).to_list() == ["heng qi wu jin", "", "A 1"]


def cand(entity_id: int, name: str) -> Candidate:
    return Candidate(entity_id=entity_id, name=normalise_name(name), region_code="341821108")


def mention(name: str) -> Mention:
    return Mention(name=normalise_name(name), region="341821")


OTHERS = [c for c in TRADE if c not in "恒衡亨"][:40]


def test_a_homophone_slip_outweighs_dozens_of_other_one_character_neighbours() -> None:
    # A dense county: 40 businesses one (differently sounding) character away from the slip.
    candidates = [cand(1, "郎溪县衡齐五金店")] + [
        cand(i + 2, f"郎溪县{c}齐五金店") for i, c in enumerate(OTHERS)
    ]
    scored = score_candidates(mention("恒齐五金店"), candidates, T)
    assert scored[0].entity_id == 1 and status_for(scored[0].score, T) == "auto"
    assert scored[0].reasons[0] == HOMOPHONE_REASON
    assert scored[1].reasons[0] == "名称仅差一字，读音不同"


def test_a_lone_slip_that_sounds_different_is_not_linked_automatically() -> None:
    # 德乐 is no way to mistype 德成 by pinyin: as likely another, unregistered business.
    [only] = score_candidates(mention("德乐粮油店"), [cand(1, "郎溪县德成粮油店")], T)
    assert status_for(only.score, T) != "auto"
    [homophone] = score_candidates(mention("德城粮油店"), [cand(1, "郎溪县德成粮油店")], T)
    assert status_for(homophone.score, T) == "auto"


def test_the_exact_name_still_beats_its_homophones() -> None:
    candidates = [
        cand(1, "郎溪县德成粮油店"), cand(2, "郎溪县德城粮油店"), cand(3, "郎溪县得成粮油店")
    ]  # fmt: skip
    scored = score_candidates(mention("德成粮油店"), candidates, T)
    assert scored[0].entity_id == 1 and status_for(scored[0].score, T) == "auto"


def test_blocking_finds_a_homophone_when_the_shared_deletion_is_too_common() -> None:
    # More than `cap` businesses end in 齐五金: that deletion key is dropped, and the only
    # other way to the business meant is its sound.
    names = ["衡齐五金"] + [f"{c}齐五金" for c in [c for c in TRADE if c not in "恒衡亨"]]
    assert len(names) > DEFAULT_CAP + 1
    entities = pl.DataFrame(
        {
            "e": list(range(1, len(names) + 1)),
            "region_code": ["341821108"] * len(names),
            "core": names,
            "trade": [n[:2] for n in names],
            "address": [None] * len(names),
        },
        schema_overrides={"address": pl.String},
    )
    mentions = pl.DataFrame(
        {"m": [0], "search_region": ["341821"], "core": ["恒齐五金"], "industry": ["五金"],
         "alt_core": [""], "alt_industry": [""], "address": [None]},
        schema_overrides={"address": pl.String},
    )  # fmt: skip
    found = candidate_pairs(entities, mentions).pairs
    assert found["e"].to_list() == [1]
