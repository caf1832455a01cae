"""Penetration of one problem: the over-represented factors, their effect, their evidence."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sqlalchemy import select
from sqlalchemy.orm import Session

from lookthrough.core.masking import mask_name
from lookthrough.core.scope import within
from lookthrough.penetration import graph, rules
from lookthrough.penetration.graph import FACTOR_TYPES, NO_VIA, Population
from lookthrough.registry.models import Entity, Person, Subject

SHOWN = 30  # factors listed beyond the significant ones
CHAINS = 25  # evidence chains kept per factor (affected units first)
RECORDS_PER_CHAIN = 3
OUTSIDE = "辖区外经营主体"
# Edge labels along a chain, from the factor outwards.
EDGES: dict[str, tuple[str, ...]] = {
    "supplier": ("供货", "供货"),
    "maintainer": ("维保", "使用单位"),
    "platform": ("入驻", "所属主体"),
    "producer": ("生产", "经营"),
    "controller": ("实际控制", "使用"),
    "address": ("登记地址", "使用"),
    "legal_rep": ("法定代表人", "使用"),
    "owner": ("使用",),
}


@dataclass(frozen=True, slots=True)
class Node:
    ref: str  # entity:12, subject:7, person:3, address:…, legal_rep:…
    label: str


@dataclass(frozen=True, slots=True)
class Chain:
    """From the factor to one unit: nodes, the relation between each pair, and the records
    that show the unit has the problem."""

    nodes: list[Node]
    edges: list[str]
    affected: bool
    records: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Factor:
    rank: int
    factor_type: str
    ref: str
    label: str
    members: int
    affected: int
    effect: rules.Effect
    p_value: float
    p_conditional: float
    q_value: float
    significant: bool
    explained_by: int | None  # rank of the selected factor that explains this one away
    chains: list[Chain]

    @property
    def type_label(self) -> str:
        return FACTOR_TYPES[self.factor_type]


@dataclass(frozen=True, slots=True)
class Analysis:
    population: Population
    universe: int
    affected: int
    affected_outside: int  # problem units outside the population (not counted)
    factors_considered: int
    tests: int  # K of Tarone's trimming: what the correction counts
    alpha: float
    factors: list[Factor]

    @property
    def significant(self) -> list[Factor]:
        return [f for f in self.factors if f.significant]


def analyse(
    session: Session,
    *,
    population: Population,
    evidence: Mapping[int, Sequence[str]],
    alpha: float = rules.ALPHA,
    shown: int = SHOWN,
) -> Analysis:
    """Run penetration over ``population`` for a problem whose units are the keys of
    ``evidence`` (unit id → the records that show it). Scope is the population's region: the
    caller has checked the actor may look at it."""
    units = graph.universe(session, population)
    links = graph.links(session, population, units)
    sick = np.isin(units, np.fromiter(evidence.keys(), dtype=np.int64, count=len(evidence)))
    counts = np.zeros(len(units), dtype=np.int64)  # the problem's records per unit
    counts[sick] = [len(evidence[int(u)]) for u in units[sick]]
    outside = len(evidence) - int(sick.sum())
    n_factors = len(links.factor_refs)
    matrix = sparse.csr_matrix(
        (np.ones(len(links.rows), dtype=np.int8), (links.rows, links.cols)),
        shape=(n_factors, len(units)),
    )
    kinds = {name: n for n, name in enumerate(FACTOR_TYPES)}
    groups = np.array([kinds[t] for t in links.factor_types], dtype=np.int64)
    selection = rules.select_factors(
        matrix, counts, groups=groups, upstream=_upstream(links), alpha=alpha
    )
    keep = list(selection.selected)
    keep += [int(i) for i in selection.order[len(keep) : len(keep) + shown]]
    rank_of = {index: n + 1 for n, index in enumerate(keep)}
    names = _Names(session, population.region)
    picked = _chains_for(links, keep, sick, units, evidence)
    names.load(links, keep, picked, population)
    total = int(sick.sum())
    factors = []
    for index in keep:
        by = int(selection.explained_by[index])
        factors.append(
            Factor(
                rank=rank_of[index],
                factor_type=links.factor_types[index],
                ref=links.factor_refs[index],
                label=names.factor(links.factor_types[index], links.factor_refs[index]),
                members=int(selection.members[index]),
                affected=int(selection.affected[index]),
                effect=rules.effect(
                    int(selection.affected[index]), int(selection.members[index]), total,
                    len(units),
                ),
                p_value=float(selection.p_value[index]),
                p_conditional=float(selection.p_conditional[index]),
                q_value=float(selection.q_value[index]),
                significant=index in selection.selected,
                explained_by=rank_of.get(by) if by >= 0 else None,
                chains=[
                    names.chain(links.factor_types[index], links.factor_refs[index], u, v, s,
                                evidence, population.unit)
                    for u, v, s in picked[index]
                ],
            )
        )  # fmt: skip
    return Analysis(
        population=population,
        universe=len(units),
        affected=total,
        affected_outside=outside,
        factors_considered=n_factors,
        tests=selection.tests,
        alpha=alpha,
        factors=factors,
    )


def _upstream(links: graph.Links) -> dict[int, list[int]]:
    """For each supplier factor, the supplier factors one step above it in the chain (a maker
    whose links to shops pass through this wholesaler)."""
    index = {
        ref: n for n, (t, ref) in enumerate(zip(links.factor_types, links.factor_refs, strict=True))
        if t == "supplier"
    }  # fmt: skip
    found: dict[int, set[int]] = {}
    through = links.via != NO_VIA
    for factor, via in set(zip(links.rows[through].tolist(), links.via[through].tolist(),
                               strict=True)):  # fmt: skip
        if links.factor_types[factor] != "supplier":
            continue
        below = index.get(f"entity:{via}")
        if below is not None and below != factor:
            found.setdefault(below, set()).add(factor)
    return {k: sorted(v) for k, v in found.items()}


def _chains_for(
    links: graph.Links,
    keep: list[int],
    sick: np.ndarray,
    units: np.ndarray,
    evidence: Mapping[int, Sequence[str]],
) -> dict[int, list[tuple[int, int, bool]]]:
    """For each kept factor, up to CHAINS links (unit id, via, affected), affected first."""
    wanted = np.isin(links.rows, np.array(keep, dtype=np.int64))
    rows, cols, via = links.rows[wanted], links.cols[wanted], links.via[wanted]
    order = np.lexsort((~sick[cols], rows))
    chosen: dict[int, list[tuple[int, int, bool]]] = {i: [] for i in keep}
    seen: set[tuple[int, int]] = set()
    for position in order:
        factor, col = int(rows[position]), int(cols[position])
        if len(chosen[factor]) >= CHAINS or (factor, col) in seen:
            continue
        seen.add((factor, col))
        chosen[factor].append((int(units[col]), int(via[position]), bool(sick[col])))
    return chosen


class _Names:
    """Labels for factors and chain nodes; businesses outside the region stay unnamed."""

    def __init__(self, session: Session, region: str) -> None:
        self.session, self.region = session, region
        self.entities: dict[int, tuple[str, str]] = {}
        self.subjects: dict[int, tuple[str, str]] = {}
        self.persons: dict[int, tuple[str, str]] = {}

    def load(
        self,
        links: graph.Links,
        keep: Iterable[int],
        picked: dict[int, list[tuple[int, int, bool]]],
        population: Population,
    ) -> None:
        entity_ids: set[int] = set()
        subject_ids: set[int] = set()
        person_ids: set[int] = set()
        for index in keep:
            kind, _, key = links.factor_refs[index].partition(":")
            if kind == "entity":
                entity_ids.add(int(key))
            elif kind == "person":
                person_ids.add(int(key))
            via_kind = _via_kind(links.factor_types[index], population.unit)
            for unit, via, _ in picked[index]:
                (entity_ids if population.unit == "entity" else subject_ids).add(unit)
                if via != NO_VIA:
                    (entity_ids if via_kind == "entity" else subject_ids).add(via)
        for chunk in _chunks(sorted(entity_ids)):
            for eid, name, code in self.session.execute(
                select(Entity.id, Entity.name, Entity.region_code).where(Entity.id.in_(chunk))
            ):
                self.entities[eid] = (name, code)
        for chunk in _chunks(sorted(subject_ids)):
            for sid, name, ident, code in self.session.execute(
                select(Subject.id, Subject.name, Subject.identifier, Subject.region_code).where(
                    Subject.id.in_(chunk)
                )
            ):
                self.subjects[sid] = (f"{name}（{ident}）", code)
        for chunk in _chunks(sorted(person_ids)):
            for pid, name, key in self.session.execute(
                select(Person.id, Person.name, Person.key).where(Person.id.in_(chunk))
            ):
                self.persons[pid] = (name, key)

    def entity(self, entity_id: int) -> str:
        name, code = self.entities.get(entity_id, ("", ""))
        if not name or not within(code, self.region):
            return f"{OUTSIDE}（编号 {entity_id}）"
        return name

    def subject(self, subject_id: int) -> str:
        name, code = self.subjects.get(subject_id, ("", ""))
        if not name or not within(code, self.region):
            return f"辖区外监管对象（编号 {subject_id}）"
        return name

    def person(self, person_id: int) -> str:
        name, key = self.persons.get(person_id, ("", ""))
        source_id = key.rpartition(":")[2]
        return f"{mask_name(name) or '未知'}（自然人编号 {source_id}）"

    def factor(self, ftype: str, ref: str) -> str:
        kind, _, key = ref.partition(":")
        if kind == "entity":
            return self.entity(int(key))
        if kind == "person":
            return self.person(int(key))
        if ftype == "legal_rep":
            county, masked, _ = key.split(":", 2)
            return f"{masked}（{county}）"
        return key

    def node(self, kind: str, ident: int) -> Node:
        if kind == "entity":
            return Node(f"entity:{ident}", self.entity(ident))
        return Node(f"subject:{ident}", self.subject(ident))

    def chain(
        self,
        ftype: str,
        ref: str,
        unit: int,
        via: int,
        affected: bool,
        evidence: Mapping[int, Sequence[str]],
        unit_kind: str,
    ) -> Chain:
        nodes = [Node(ref, self.factor(ftype, ref))]
        via_kind = _via_kind(ftype, unit_kind)
        if via != NO_VIA and via_kind is not None:
            nodes.append(self.node(via_kind, via))
        nodes.append(self.node("entity" if unit_kind == "entity" else "subject", unit))
        edges = list(EDGES[ftype][: len(nodes) - 1])
        records = list(evidence.get(unit, ()))[:RECORDS_PER_CHAIN] if affected else []
        return Chain(nodes=nodes, edges=edges, affected=affected, records=records)


def _via_kind(ftype: str, unit_kind: str) -> str | None:
    if unit_kind != "entity":
        return "entity" if ftype in graph.OWNER_FACTORS or ftype == "controller" else None
    return graph.VIA_KIND[ftype]


def _chunks(values: list[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
