"""Relations as a graph, walked one hop at a time, within scope."""

from __future__ import annotations

import pytest
from profile_world import ProfileWorld, enterprise_of
from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.errors import NotFound, PermissionDenied
from lookthrough.profile import graph
from lookthrough.profile.graph import DERIVED_ADDRESS, DERIVED_LEGAL_REP


def edges_by_name(g: graph.Graph) -> set[tuple[str, str, str, bool]]:
    names = {n.id: n.name for n in g.nodes}
    return {(names[e.source], e.label, names[e.target], e.derived) for e in g.edges}


def test_neighbours_of_a_business(db: Session, world: ProfileWorld, hefei: Actor) -> None:
    g = graph.entity_graph(db, actor=hefei, entity_id=world.id("甲"))
    assert g.centre == f"e{world.id('甲')}"
    assert edges_by_name(g) == {
        ("蜀山区油脂供应有限公司", "供货", "蜀山区德诚粮油店", False),  # supplier
        ("蜀山区德诚粮油店", "供货", "蜀山区小吃客户店", False),  # customer
        ("合肥蜀山电梯维保有限公司", "维保", "蜀山区德诚粮油店", False),  # through its elevator
        ("蜀山区德诚粮油店", "入驻平台", "庐阳区直播平台有限公司", False),  # through its shop
        ("周**", "实际控制", "蜀山区德诚粮油店", False),  # controller, masked
        ("蜀山区德诚粮油店", DERIVED_ADDRESS, "蜀山区邻居餐饮店", True),
        ("蜀山区德诚粮油店", DERIVED_LEGAL_REP, "蜀山区壳一商贸有限公司", True),
    }
    assert g.hidden == 1  # 芜湖外地粮油店 supplies it, outside 合肥市


def test_out_of_scope_neighbours_are_counted_not_named(
    db: Session, world: ProfileWorld, shushan: Actor
) -> None:
    g = graph.entity_graph(db, actor=shushan, entity_id=world.id("甲"))
    names = {n.name for n in g.nodes}
    assert "庐阳区直播平台有限公司" not in names
    assert "芜湖外地粮油店" not in names
    assert g.hidden == 2


def test_same_legal_rep_is_derived_within_the_county_only(
    db: Session, world: ProfileWorld, hefei: Actor
) -> None:
    g = graph.entity_graph(db, actor=hefei, entity_id=world.id("甲"))
    # 庐阳区同名代表公司 has a legal representative of the same name, in another county.
    assert "庐阳区同名代表公司" not in {n.name for n in g.nodes}


def test_a_relation_row_wins_over_the_same_edge_derived(
    db: Session, world: ProfileWorld, hefei: Actor
) -> None:
    from profile_world import relate

    relate(db, "same_address", ("entity", world.id("甲")), ("entity", world.id("邻")))
    g = graph.entity_graph(db, actor=hefei, entity_id=world.id("甲"))
    to_neighbour = [e for e in g.edges if f"e{world.id('邻')}" in (e.source, e.target)]
    assert [(e.label, e.derived) for e in to_neighbour] == [("同一地址", False)]


def test_walking_on_through_the_contractor(db: Session, world: ProfileWorld, hefei: Actor) -> None:
    g = graph.entity_graph(db, actor=hefei, entity_id=world.id("维保"))
    # (The factory's businesses share a legal representative: those edges are derived.)
    assert {e for e in edges_by_name(g) if not e[3]} == {
        ("合肥蜀山电梯维保有限公司", "维保", "蜀山区德诚粮油店", False)
    }
    assert [e.weight for e in g.edges if e.kind == "maintains"] == [1]


def test_walking_on_through_the_controller(
    db: Session, world: ProfileWorld, shushan: Actor
) -> None:
    g = graph.person_graph(db, actor=shushan, person_id=world.person.id)
    assert {n.name for n in g.nodes} == {"周**", "蜀山区德诚粮油店", "蜀山区壳一商贸有限公司"}
    assert {e.label for e in g.edges} == {"实际控制"}


def test_a_person_with_nothing_in_scope_is_not_found(
    db: Session, world: ProfileWorld, shushan: Actor
) -> None:
    outsider = Actor(user_id=None, username="t_wuhu", role=shushan.role, jurisdiction="3402",
                     region="3402")  # fmt: skip
    with pytest.raises(NotFound):
        graph.person_graph(db, actor=outsider, person_id=world.person.id)
    with pytest.raises(NotFound):
        graph.person_graph(db, actor=shushan, person_id=world.person.id + 999)


def test_the_business_itself_gets_no_graph(db: Session, world: ProfileWorld) -> None:
    with pytest.raises(PermissionDenied):
        graph.entity_graph(db, actor=enterprise_of(world.id("甲")), entity_id=world.id("甲"))


def test_expansion_is_capped(db: Session, world: ProfileWorld, hefei: Actor) -> None:
    from profile_world import relate

    from factories import make_entity

    for n in range(graph.NEIGHBOURS + 5):
        shop = make_entity(db, region="340104", name=f"蜀山区客户{n}号店")
        relate(db, "supplies", ("entity", world.id("供应")), ("entity", shop.id))
    g = graph.entity_graph(db, actor=hefei, entity_id=world.id("供应"))
    assert len(g.nodes) == graph.NEIGHBOURS + 1
    assert g.truncated
