"""Relations as a graph that can be walked one hop at a time.

The neighbours of a business are its suppliers and customers, the contractors that maintain its
elevators (through the elevators), the platforms its shops sell on, the people who control it,
and the businesses that share its address or its legal representative. Shared addresses and legal
representatives come from relation rows when a source supplied them, and are otherwise derived
from the registration on the fly: the same address string, or the same legal representative's
name in the same county (a name alone, across a province, is not evidence).

Only neighbours inside the viewer's scope are shown; the others are counted, never named. Each
kind of edge reads at most ``SCAN`` rows, so a platform with a hundred thousand shops costs no
more to expand than a corner shop.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Integer,
    Select,
    String,
    bindparam,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.errors import NotFound
from lookthrough.core.masking import mask_name
from lookthrough.core.roles import Capability
from lookthrough.core.scope import (
    Reach,
    business_param_clause,
    prefix_upper_bound,
    require,
    scope_params,
)
from lookthrough.ingest.shapes import RELATION_KINDS
from lookthrough.profile.service import entity_in_scope
from lookthrough.registry.models import Entity, Person, Relation, Subject

SCAN = 5_000  # relation rows read per kind of edge
NEIGHBOURS = 60  # nodes shown per expansion
DERIVED_LIMIT = 200
DERIVED_ADDRESS = "同一地址（据登记住所）"
DERIVED_LEGAL_REP = "同一法定代表人（同县区同名，据登记信息）"
VIA_SUBJECT = {"maintains": "维保", "sells_on": "入驻平台"}
# The graph's two statements are built once per shape and run with these bound (building and
# cache-keying a union of ten parts cost more CPU than PostgreSQL took to run it).
_CENTRE = bindparam("g_entity", type_=Integer())
_ADDRESS = bindparam("g_address", type_=String())
_LEGAL_REP = bindparam("g_legal_rep", type_=String())
_COUNTY_FROM = bindparam("g_county_from", type_=String())
_COUNTY_TO = bindparam("g_county_to", type_=String())


@dataclass(frozen=True, slots=True)
class Node:
    id: str  # e<entity id> | p<person id>
    kind: str  # entity | person
    name: str
    region_code: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    kind: str
    label: str
    weight: int = 1  # elevators maintained, shops on a platform …
    derived: bool = False  # inferred from the registration, not from a relation row


@dataclass
class Graph:
    centre: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    hidden: int = 0  # neighbours outside the viewer's scope, counted but not shown
    truncated: bool = False  # more neighbours than NEIGHBOURS


def _entity_node(entity_id: int, name: str, region: str) -> Node:
    return Node(f"e{entity_id}", "entity", name, region, f"/entities/{entity_id}")


def _person_node(person_id: int, name: str) -> Node:
    return Node(f"p{person_id}", "person", mask_name(name) or "")


# (other end, kind, direction, weight): direction "out" when the centre is the relation's start.
Found = list[tuple[int, str, str, int]]
Part = Select[int | None, str, str, str]


def _part(other: Any, kind: Any, direction: str, part: str) -> Part:
    return select(
        other.label("other"),
        kind.label("kind"),
        literal(direction, String()).label("direction"),
        literal(part, String()).label("part"),
    )


def _direct(entity_id: Any, other_type: str) -> list[Part]:
    """Relation rows between the business and another business (or a person)."""
    return [
        _part(Relation.to_id, Relation.kind, "out", other_type)
        .where(Relation.from_type == "entity", Relation.from_id == entity_id,
               Relation.to_type == other_type)
        .limit(SCAN),
        _part(Relation.from_id, Relation.kind, "in", other_type)
        .where(Relation.to_type == "entity", Relation.to_id == entity_id,
               Relation.from_type == other_type)
        .limit(SCAN),
    ]  # fmt: skip


def _through_subjects(entity_id: Any) -> list[Part]:
    """Contractors maintaining the business's subjects, platforms its shops sell on — and, the
    other way round, the businesses whose subjects it maintains or whose shops sell on it."""
    mine = select(Subject.id).where(Subject.entity_id == entity_id).limit(SCAN).subquery()
    return [
        # Its subjects' counterparts.
        _part(Relation.from_id, Relation.kind, "in", "subject")
        .join(mine, mine.c.id == Relation.to_id)
        .where(Relation.to_type == "subject", Relation.from_type == "entity")
        .limit(SCAN),
        _part(Relation.to_id, Relation.kind, "out", "subject")
        .join(mine, mine.c.id == Relation.from_id)
        .where(Relation.from_type == "subject", Relation.to_type == "entity")
        .limit(SCAN),
        # The businesses it serves through their subjects.
        _part(Subject.entity_id, Relation.kind, "out", "subject")
        .join(Subject, Subject.id == Relation.to_id)
        .where(Relation.from_type == "entity", Relation.from_id == entity_id,
               Relation.to_type == "subject", Subject.entity_id.is_not(None))
        .limit(SCAN),
        _part(Subject.entity_id, Relation.kind, "in", "subject")
        .join(Subject, Subject.id == Relation.from_id)
        .where(Relation.to_type == "entity", Relation.to_id == entity_id,
               Relation.from_type == "subject", Subject.entity_id.is_not(None))
        .limit(SCAN),
    ]  # fmt: skip


def _derived(by_address: bool, by_legal_rep: bool) -> list[Part]:
    """Businesses at the same registered address, or with the same legal representative's name
    in the same county (the county a range over ``ix_entity_legal_rep_region``)."""
    parts: list[Part] = []
    if by_address:
        parts.append(
            _part(Entity.id, literal("derived_same_address", String()), "out", "derived")
            .where(Entity.address == _ADDRESS, Entity.id != _CENTRE)
            .limit(DERIVED_LIMIT)
        )
    if by_legal_rep:
        parts.append(
            _part(Entity.id, literal("derived_same_legal_rep", String()), "out", "derived")
            .where(
                Entity.legal_rep == _LEGAL_REP,
                Entity.region_code >= _COUNTY_FROM,
                Entity.region_code < _COUNTY_TO,
                Entity.id != _CENTRE,
            )
            .limit(DERIVED_LIMIT)
        )
    return parts


@lru_cache(maxsize=4)
def _neighbours_statement(by_address: bool, by_legal_rep: bool) -> CompoundSelect[Any]:
    parts = [*_direct(_CENTRE, "entity"), *_through_subjects(_CENTRE),
             *_derived(by_address, by_legal_rep), *_direct(_CENTRE, "person")]  # fmt: skip
    return union_all(*(select(*p.subquery().c) for p in parts))


def _neighbours(session: Session, entity: Entity) -> tuple[Found, Found]:
    """Every edge of the business, read in one statement (each part keeps its own limit):
    (businesses, people)."""
    by_address = bool(entity.address and entity.address.strip())
    by_legal_rep = bool(entity.legal_rep and len(entity.legal_rep) >= 2)
    county = entity.region_code[:6]
    params = {
        "g_entity": entity.id,
        "g_address": entity.address,
        "g_legal_rep": entity.legal_rep,
        "g_county_from": county,
        "g_county_to": prefix_upper_bound(county),
    }
    found: Found = []
    people: Found = []
    weights: dict[tuple[int, str, str], int] = defaultdict(int)
    for other, kind, direction, part in session.execute(
        _neighbours_statement(by_address, by_legal_rep), params
    ):
        if other is None:
            continue
        if part == "subject":
            if int(other) != entity.id and kind in VIA_SUBJECT:
                weights[(int(other), str(kind), direction)] += 1
        elif part == "person":
            people.append((int(other), str(kind), direction, 1))
        else:
            found.append((int(other), str(kind), direction, 1))
    found += [(o, k, d, w) for (o, k, d), w in weights.items()]
    return found, people


def _label(kind: str) -> str:
    if kind == "derived_same_address":
        return DERIVED_ADDRESS
    if kind == "derived_same_legal_rep":
        return DERIVED_LEGAL_REP
    return RELATION_KINDS.get(kind, kind)


@lru_cache(maxsize=16)
def _names_statement(
    reach: Reach, entities: bool, people: bool
) -> Select[int, str, str | None, str] | CompoundSelect[Any]:
    parts: list[Select[int, str, str | None, str]] = []
    if entities:
        scope = business_param_clause(
            reach, region_column=Entity.region_code, entity_column=Entity.id
        )
        parts.append(
            select(Entity.id, Entity.name, Entity.region_code, literal("e", String())).where(
                Entity.id.in_(bindparam("g_entities", expanding=True)), scope
            )
        )
    if people:
        parts.append(
            select(Person.id, Person.name, null(), literal("p", String())).where(
                Person.id.in_(bindparam("g_people", expanding=True))
            )
        )
    return union_all(*parts) if len(parts) > 1 else parts[0]


def _named(
    session: Session, actor: Actor, entities: set[int], people: set[int]
) -> tuple[dict[int, tuple[str, str]], dict[int, str]]:
    """The names of the businesses in scope among ``entities`` (with their regions) and of
    ``people``, in one statement."""
    visible: dict[int, tuple[str, str]] = {}
    names: dict[int, str] = {}
    if not entities and not people:
        return visible, names
    params = {"g_entities": sorted(entities), "g_people": sorted(people), **scope_params(actor)}
    stmt = _names_statement(Reach.of(actor), bool(entities), bool(people))
    for i, name, region, kind in session.execute(stmt, params):
        if kind == "e":
            visible[int(i)] = (str(name), str(region))
        else:
            names[int(i)] = str(name)
    return visible, names


def _visible_entities(session: Session, actor: Actor, ids: set[int]) -> dict[int, tuple[str, str]]:
    return _named(session, actor, ids, set())[0]


def _assemble(graph: Graph, centre: str, found: Found, visible: dict[int, tuple[str, str]]) -> None:
    """Add the visible neighbours, heaviest first, up to NEIGHBOURS; count the hidden ones."""
    hidden = {other for other, *_ in found if other not in visible}
    graph.hidden = len(hidden)
    seen_pairs: set[tuple[int, str]] = set()
    ranked = sorted(found, key=lambda f: (-f[3], f[1].startswith("derived_"), f[0]))
    shown: set[int] = set()
    for other, kind, direction, weight in ranked:
        if other not in visible:
            continue
        bare = kind.removeprefix("derived_")
        if (other, bare) in seen_pairs:  # a relation row beats the same edge derived
            continue
        seen_pairs.add((other, bare))
        if other not in shown:
            if len(shown) >= NEIGHBOURS:
                graph.truncated = True
                continue
            shown.add(other)
            graph.nodes.append(_entity_node(other, *visible[other]))
        node = f"e{other}"
        source, target = (centre, node) if direction == "out" else (node, centre)
        graph.edges.append(
            Edge(source, target, bare, _label(kind), weight, kind.startswith("derived_"))
        )


def entity_graph(session: Session, *, actor: Actor, entity_id: int) -> Graph:
    """The business and its neighbours one hop away (officials only)."""
    require(actor, Capability.READ_BUSINESS)
    entity = entity_in_scope(session, actor=actor, entity_id=entity_id)
    centre = f"e{entity.id}"
    graph = Graph(centre, [_entity_node(entity.id, entity.name, entity.region_code)])
    found, people = _neighbours(session, entity)
    found = [f for f in found if f[0] != entity.id]
    visible, names = _named(session, actor, {f[0] for f in found}, {p for p, *_ in people})
    _assemble(graph, centre, found, visible)
    for person_id, kind, direction, _ in people:
        if person_id not in names:
            continue
        node = f"p{person_id}"
        if all(n.id != node for n in graph.nodes):
            graph.nodes.append(_person_node(person_id, names[person_id]))
        source, target = (centre, node) if direction == "out" else (node, centre)
        graph.edges.append(Edge(source, target, kind, _label(kind)))
    return graph


def person_graph(session: Session, *, actor: Actor, person_id: int) -> Graph:
    """A person (actual controller, legal representative) and the businesses in scope they
    are linked to. A person with no business in scope is "not found"."""
    require(actor, Capability.READ_BUSINESS)
    person = session.get(Person, person_id)
    links = session.execute(
        select(Relation.to_id, Relation.kind)
        .where(
            Relation.from_type == "person",
            Relation.from_id == person_id,
            Relation.to_type == "entity",
        )
        .limit(SCAN)
    ).all()
    found: Found = [(int(o), str(k), "out", 1) for o, k in links]
    visible = _visible_entities(session, actor, {f[0] for f in found})
    if person is None or not visible:
        raise NotFound("该人员不存在或其关联主体均不在您的管辖范围内")
    centre = f"p{person.id}"
    graph = Graph(centre, [_person_node(person.id, person.name)])
    _assemble(graph, centre, found, visible)
    return graph
