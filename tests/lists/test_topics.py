"""Complaint topics: Chinese complaints grouped by what they are about (jieba, TF-IDF, k-means),
and proposed as problems of a matter."""

from __future__ import annotations

import itertools
from collections import Counter

from chain_world import official
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import make_entity, make_record
from lookthrough.lists import matters, problems, topics
from lookthrough.records.models import Record

SHOPS = ["金桥饭店", "老街小吃", "和平餐馆", "新华快餐", "东方酒楼", "滨湖面馆"]
# Each complaint joins a place, what went wrong and what followed: distinct texts that share
# their theme's words, as real complaints do.
THEMES = {
    "spoiled": (
        ("在{shop}点的外卖", "在{shop}买的盒饭", "{shop}打包的饭菜", "{shop}堂食的菜品"),
        ("变质发馊", "有馊味已经变质", "变质发臭"),
        ("吃完肚子疼", "家人腹泻", "孩子呕吐送医", "要求赔偿医药费"),
    ),
    "live": (
        ("直播间主播", "看直播时主播", "{shop}旗舰店直播"),
        ("宣称全网最低价", "说是全网最低价", "吹嘘全网最低价"),
        ("纯属虚假宣传", "收货发现虚假宣传", "虚假宣传还拒绝退货", "虚假宣传夸大功效"),
    ),
    "card": (
        ("在{shop}办的预付卡", "{shop}充值的会员预付卡", "{shop}的储值预付卡"),
        ("商家突然关门跑路", "老板跑路", "门店关门跑路"),
        ("余额无法退还", "余额退不了", "卡里余额无法使用", "充值余额要不回"),
    ),
}  # fmt: skip


def _texts() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for n, (theme, parts) in enumerate(THEMES.items()):
        for m, words in enumerate(itertools.product(*parts)):
            texts.append("，".join(words).format(shop=SHOPS[(n + m) % len(SHOPS)]))
            labels.append(theme)
    return texts, labels


def test_complaints_fall_into_their_topics() -> None:
    texts, labels = _texts()
    found = topics.topics(texts)  # how many topics is chosen too (by silhouette)
    assert len(found) == 3
    for topic in found:
        themes = Counter(labels[i] for i in topic.members)
        theme, n = themes.most_common(1)[0]
        assert n / len(topic.members) >= 0.9, (topic.terms, themes)  # one theme per topic
        assert topic.examples and all(labels[texts.index(e)] == theme for e in topic.examples)
    words = {w for t in found for w in t.terms}
    assert {"变质", "最低价", "预付卡"} <= words
    # Shop names appear in a sixth of the texts or fewer and carry no topic.
    assert not words & set(SHOPS)
    assert sorted(len(t.members) for t in found) == sorted(Counter(labels).values())


def test_too_few_texts_make_no_topics_and_runs_repeat() -> None:
    texts, _ = _texts()
    assert topics.topics(texts[:9]) == []
    first, again = topics.topics(texts, seed=3), topics.topics(texts, seed=3)
    assert [t.members for t in first] == [t.members for t in again]


def test_complaint_topics_are_proposed_as_problems(db: Session) -> None:
    actor = official()
    shops = [make_entity(db, name=name) for name in SHOPS]
    texts, labels = _texts()
    for n, (text, label) in enumerate(zip(texts, labels, strict=True)):
        make_record(db, entity=shops[n % len(shops)], kind="complaint", text=text,
                    title=f"投诉{label}{n}")  # fmt: skip
    matter = matters.create_from_template(db, actor=actor, template="catering")
    proposed = [p for p in problems.propose(db, actor=actor, matter_id=matter.id)
                if p.source == "complaint_topic"]  # fmt: skip
    assert proposed, "no complaint topic proposed"
    spoiled = next(p for p in proposed if "变质" in p.title)
    assert spoiled.title.startswith("投诉举报集中反映：")
    # The problem keeps the complaints holding at least two of its topic's words.
    assert 0.75 * Counter(labels)["spoiled"] <= spoiled.records <= Counter(labels)["spoiled"]
    assert spoiled.businesses == len(SHOPS)
    problems.confirm(db, actor=actor, problem_id=spoiled.id)
    ids = [r for found in problems.evidence(db, actor=actor, problem_id=spoiled.id).values()
           for r in found]  # fmt: skip
    titles = db.scalars(select(Record.title).where(Record.id.in_(ids))).all()
    assert len(titles) == spoiled.records and all(t.startswith("投诉spoiled") for t in titles)
    assert any("变质" in m for m in spoiled.manifestations)  # typical complaints shown
