"""The bulk scorer (``bulk.py``) against the reference rules (``rules.compare`` one pair at a time):
the same candidates, scores, comparisons and reasons for every mention × business pair."""

from __future__ import annotations

import polars as pl

from lookthrough.resolution.blocking import ADDRESS_COLUMNS, parts_from
from lookthrough.resolution.bulk import score_pairs
from lookthrough.resolution.engine import KEEP, with_entity_names, with_mention_names
from lookthrough.resolution.places import shipped
from lookthrough.resolution.rules import (
    Agreement,
    Candidate,
    Mention,
    Scored,
    Thresholds,
    score_candidates,
)

T = Thresholds()
BUSINESSES = [
    # name, region, address, phone, legal representative, industry code
    ("郎溪县德成粮油店", "341821108", "郎溪县建平镇团结路683号", "0563-7012345", "王德成", "F5221"),
    ("郎溪县德城粮油店", "341821108", "郎溪县建平镇团结路12号", None, "李四", "F5221"),
    ("郎溪县德成五金店", "341821100", "郎溪县飞鲤镇人民路5号", "13905631234", None, "F5274"),
    ("宣城市鑫源超市有限公司", "341802001", "宣州区鳌峰街道芜湖路484号", None, "张伟", "F5221"),
    ("宣城市鑫源超市有限公司长江路店", "341802002", "宣州区长江路20号", None, "张伟", "F5221"),
    ("广德县鑫源超市", "341822100", None, "0563-6012345", None, "F5221"),
    ("宁国市明光食品店", "341881100", "宁国市河沥溪街道宁阳路8号", None, "赵六", "F5221"),
    ("明光食品有限责任公司", "341182100", "明光市明光街道体育路1号", None, None, "C1491"),
    ("郎溪县张三（个体工商户）", "341821108", "郎溪县建平镇团结路9号", None, "张三", "H6210"),
    ("泾县味悦超市", "341823100", "泾县泾川镇幕山路3号附近", "05635012345", "陈七", "F5221"),
    ("旌德县富祥粮油店", "341825100", "", None, "", None),
]
MENTIONS = [
    # name, record region, address, phone, legal representative, text
    ("郎溪县德成粮油店", "341821", None, None, None, "卖过期食品"),
    ("德城粮油", "341821108", "团结路683号对面", None, None, None),
    ("德成", "341821", None, "7012345", None, "我在德成吃完后腹泻"),
    ("安徽省郎溪县德成粮油批发", "34", None, None, None, None),
    ("鑫源超市", "3418", "芜湖路484号", None, None, "投诉鑫源超市：冷柜里的肉有异味"),
    ("鑫源超市长江路店", "341802", None, None, "张 伟", None),
    ("宣城鑫源超市有限责任公司", "341802", None, None, None, None),
    ("明光食品", "341881", "宁阳路8号", None, None, None),
    ("郎溪德成粮油店", "341822", None, None, None, None),
    ("张三", "341821", None, None, "张三", "张三店里饭菜有虫子"),
    ("味悦店", "341823", "泾川镇幕山路3号", "0563-5012345", None, "直播间宣称第一品牌"),
    ("富祥粮油有限责任公司", "", None, None, None, None),
    ("成德粮油", None, None, None, None, "成德粮油卖过期食品"),
    ("341821的德成粮油店", "341821", None, None, None, None),
    # a place that contradicts, another person
    ("广德县德成粮油店", "341821", None, None, "李四", None),
    ("宣城市鑫源超市有限公司黄山路店", "341802", None, "0563-1234567", None, None),
    ("宁国明光食品店", "341881", "宁国市河沥溪街道宁阳大道8号", None, None, None),
    ("鑫源超市", "341802", "宣州区长江中路20号", None, None, None),  # a similar address
    # one character off, not a homophone
    ("德乐粮油", "341821", None, None, None, "德乐粮油不明码标价"),
    ("郎溪县恒齐五金店", "341821", None, None, None, None),  # no homophone of it registered
]
EVERY = len(BUSINESSES)  # keep every candidate, so that each pair is compared, not only the best


def frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    columns = ("name", "region_code", "address", "phone", "legal_rep", "industry_code")
    entities = pl.DataFrame(BUSINESSES, schema=dict.fromkeys(columns, pl.String), orient="row")
    entities = (
        with_entity_names(entities)
        .with_row_index("e")
        .with_columns(entity_id=pl.col("e").cast(pl.Int64) + 100)
    )
    columns = ("name", "region", "address", "phone", "legal_rep", "text")
    mentions = pl.DataFrame(MENTIONS, schema=dict.fromkeys(columns, pl.String), orient="row")
    mentions = with_mention_names(mentions.with_columns(key=pl.col("name")))
    return entities, mentions.with_row_index("m")


def reference(entities: pl.DataFrame, mentions: pl.DataFrame) -> dict[int, list[Scored]]:
    candidates = [
        Candidate(entity_id=r["entity_id"], name=parts_from(r, raw=r["name"]),
                  region_code=r["region_code"], address=r["address"], phone=r["phone"],
                  legal_rep=r["legal_rep"], field=r["field"])
        for r in entities.iter_rows(named=True)
    ]  # fmt: skip
    found: dict[int, list[Scored]] = {}
    for r in mentions.iter_rows(named=True):
        name = parts_from(r, raw=r["name"], alt=True)
        mention = Mention(name=name, region=r["region"], address=r["address"], phone=r["phone"],
                          legal_rep=r["legal_rep"], topics=r["topics"])  # fmt: skip
        scored = score_candidates(mention, candidates, T, shipped())
        if scored:
            found[int(r["m"])] = scored[:EVERY]
    return found


def test_bulk_scores_every_pair_as_the_reference_rules_do() -> None:
    entities, mentions = frames()
    pairs = mentions.select("m").join(entities.select("e"), how="cross")
    bulk = score_pairs(pairs, entities, mentions, outside_share=T.outside_share, keep=EVERY,
                       places=shipped())  # fmt: skip
    expected = reference(entities, mentions)
    assert len(expected) >= 14  # the table exercises most mentions, not a few
    topics = {s.comparison.topic for found in expected.values() for s in found}
    assert topics == {Agreement.SAME, Agreement.DIFFERENT, Agreement.MISSING}
    assert bulk == expected


def test_bulk_takes_the_addresses_apart_itself_when_they_are_not_stored() -> None:
    """A table of businesses read without ``entity_name_key``'s address parts (a spreadsheet's
    run) scores the same as one with them."""
    entities, mentions = frames()
    pairs = mentions.select("m").join(entities.select("e"), how="cross")
    bare = entities.drop(*ADDRESS_COLUMNS)
    bulk = score_pairs(pairs, bare, mentions, outside_share=T.outside_share, keep=EVERY,
                       places=shipped())  # fmt: skip
    assert bulk == reference(entities, mentions)


def test_bulk_keeps_the_best_few_in_the_reference_order() -> None:
    entities, mentions = frames()
    pairs = mentions.select("m").join(entities.select("e"), how="cross")
    bulk = score_pairs(pairs, entities, mentions, outside_share=T.outside_share, keep=2,
                       places=shipped())  # fmt: skip
    assert bulk == {m: found[:2] for m, found in reference(entities, mentions).items()}


def test_bulk_with_no_pairs_scores_nothing() -> None:
    entities, mentions = frames()
    none = pl.DataFrame(schema={"m": pl.UInt32, "e": pl.UInt32})
    assert score_pairs(none, entities, mentions, outside_share=0.05, keep=KEEP,
                       places=shipped()) == {}  # fmt: skip
