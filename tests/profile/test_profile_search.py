"""Finding a business by short name, code, address or legal representative, within scope."""

from __future__ import annotations

import pytest
from profile_world import ProfileWorld, enterprise_of
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from factories import make_entity
from lookthrough.audit.models import AuditEvent
from lookthrough.core.actor import Actor
from lookthrough.profile import search


def names(result: search.Result) -> list[str]:
    return [h.name for h in result.items]


@pytest.mark.parametrize(
    ("query", "found", "matched"),
    [
        ("德诚粮油", ["蜀山区德诚粮油店"], ("name",)),  # a short name
        ("蜀山区德诚粮油有限公司", ["蜀山区德诚粮油店"], ("name",)),  # another legal form
        ("德诚粮油店", ["蜀山区德诚粮油店"], ("name",)),
        ("测试路88号", ["蜀山区德诚粮油店", "蜀山区邻居餐饮店"], ("address",)),
    ],
)
def test_found_by_name_or_address(
    db: Session, world: ProfileWorld, shushan: Actor, query: str, found: list[str],
    matched: tuple[str, ...],
) -> None:  # fmt: skip
    result = search.search(db, actor=shushan, query=query)
    assert names(result) == found
    assert result.total == len(found)
    assert result.items[0].matched == matched


def test_found_by_code_and_code_prefix(db: Session, world: ProfileWorld, shushan: Actor) -> None:
    code = world.entities["甲"].uscc
    assert code
    assert names(search.search(db, actor=shushan, query=code.lower())) == ["蜀山区德诚粮油店"]
    by_prefix = search.search(db, actor=shushan, query=code[:12])
    assert "蜀山区德诚粮油店" in names(by_prefix)
    assert all("uscc" in h.matched for h in by_prefix.items)


def test_legal_rep_by_full_name_masked_and_audited(
    db: Session, world: ProfileWorld, shushan: Actor
) -> None:
    result = search.search(db, actor=shushan, query="孙甲方")
    assert set(names(result)) == {"蜀山区德诚粮油店", "蜀山区壳一商贸有限公司"}
    assert {h.legal_rep for h in result.items} == {"孙**"}
    assert all(h.matched == ("legal_rep",) for h in result.items)
    event = db.scalars(select(AuditEvent).where(AuditEvent.kind == "data.personal_searched")).one()
    assert event.actor_username == "t_shushan"
    assert event.detail is not None
    assert event.detail["term"] == "孙**"  # the trail keeps no copy of the name
    assert sorted(event.detail["entity_ids"]) == sorted([world.id("甲"), world.id("壳")])
    # A surname alone finds nobody.
    assert search.search(db, actor=shushan, query="孙甲").total == 0


def test_results_respect_jurisdiction(db: Session, world: ProfileWorld, shushan: Actor) -> None:
    assert search.search(db, actor=shushan, query="粮油店").total == 1  # not 芜湖外地粮油店
    assert search.search(db, actor=shushan, query="孙甲方").total == 2  # not 庐阳区同名代表公司
    own = enterprise_of(world.id("甲"))
    assert names(search.search(db, actor=own, query="蜀山")) == ["蜀山区德诚粮油店"]
    assert search.search(db, actor=own).total == 1


def test_similar_names_are_offered_apart(db: Session, world: ProfileWorld, shushan: Actor) -> None:
    result = search.search(db, actor=shushan, query="蜀山区德诚粮油商行")
    assert result.total == 1  # 德诚粮油 is in its name
    typo = search.search(db, actor=shushan, query="蜀山区得诚粮油店")
    assert typo.total == 0
    assert [h.name for h in typo.similar][:1] == ["蜀山区德诚粮油店"]
    assert typo.similar[0].similarity and typo.similar[0].similarity >= 0.3


def test_best_matches_first(db: Session, world: ProfileWorld, shushan: Actor) -> None:
    make_entity(db, region="340104", name="蜀山区德诚粮油店第二分店")
    result = search.search(db, actor=shushan, query="蜀山区德诚粮油店")
    assert names(result) == ["蜀山区德诚粮油店", "蜀山区德诚粮油店第二分店"]


def test_many_matches_are_capped(
    db: Session, world: ProfileWorld, shushan: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "CAP", 3)
    result = search.search(db, actor=shushan, query="蜀山区", limit=2)
    assert (result.total, result.capped, len(result.items)) == (3, True, 2)
    everything = search.search(db, actor=shushan, limit=50)
    assert everything.capped and everything.total == 3


def test_two_characters_search_names_inside_a_county_only(
    db: Session, world: ProfileWorld, shushan: Actor, hefei: Actor
) -> None:
    """Two characters have no trigram: across a city they would read every name."""
    assert names(search.search(db, actor=shushan, query="德诚")) == ["蜀山区德诚粮油店"]
    wide = search.search(db, actor=hefei, query="德诚")
    assert (wide.total, wide.hint) == (0, search.SHORT_HINT)
    assert names(search.search(db, actor=hefei, query="德诚", region="340104")) == [
        "蜀山区德诚粮油店"
    ]
    assert names(search.search(db, actor=hefei, query="德诚粮")) == ["蜀山区德诚粮油店"]
    assert search.search(db, actor=hefei, query="孙甲方").total == 3  # names stay exact


def test_searches_are_planned_with_their_words(
    db: Session, world: ProfileWorld, shushan: Actor
) -> None:
    """psycopg prepares a statement on its fifth run; PostgreSQL's generic plan for
    ``name LIKE $1`` cannot use the trigram index and reads every name. A search asks for plans
    made with its values (for its own transaction only)."""
    for query in ("德诚粮油", "测试路88号", "孙甲方", "德诚", "邻居餐饮", "壳一商贸", "德诚粮油"):
        assert search.search(db, actor=shushan, query=query).total >= 0
    if db.get_bind().dialect.name != "postgresql":
        return
    assert db.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
    db.rollback()  # the transaction ends: other statements keep PostgreSQL's choice
    assert db.scalar(text("SHOW plan_cache_mode")) == "auto"
