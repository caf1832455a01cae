"""Which related factors each unit of a population is linked to, and through what.

A unit is a business (``entity``) or a regulated object of one kind (``elevator`` …). A factor
is something several units share: an upstream supplier (one or two steps up the supply chain), a
maintenance contractor, an actual controller, a platform, the producer of a lot, an address, a
legal representative, or — for objects — the business that uses them. Each link keeps the node it
passes through (the wholesaler between an oil maker and a shop, the elevator between a contractor
and the property company), so the chain of evidence can be shown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import ColumnElement, Select, and_, exists, literal, or_, select
from sqlalchemy.orm import Session, aliased

from lookthrough.core.ids import make_id
from lookthrough.core.masking import mask_name
from lookthrough.core.scope import region_prefix_clause
from lookthrough.records.models import Record, RecordSubject
from lookthrough.registry.models import Entity, Relation, Subject

FACTOR_TYPES: dict[str, str] = {
    "supplier": "上游供货商（两级以内）",
    "maintainer": "维保单位",
    "controller": "实际控制人",
    "platform": "入驻平台",
    "producer": "产品生产企业",
    "address": "同一经营地址",
    "legal_rep": "同一法定代表人",
    "owner": "使用单位",
}
# What a link passes through, per factor type (None: the factor is linked directly).
VIA_KIND: dict[str, str | None] = {
    "supplier": "entity",
    "maintainer": "subject",
    "controller": None,
    "platform": "subject",
    "producer": "subject",
    "address": None,
    "legal_rep": None,
    "owner": None,
}
# Factor types an object inherits from the business that uses it, through that business.
OWNER_FACTORS = ("controller", "address", "legal_rep")
NO_VIA = -1


@dataclass(frozen=True, slots=True)
class Population:
    """The units a problem is counted among (a matter's businesses or objects in a region).

    ``industry_prefixes`` keep businesses whose GB/T 4754 code starts with one of them;
    ``subject_kinds`` add the businesses owning such objects; ``exposure_kinds`` keep only units
    with at least one record of those kinds (only sampled businesses can fail a sampling test).
    """

    unit: str = "entity"
    region: str = "34"
    industry_prefixes: tuple[str, ...] = ()
    subject_kinds: tuple[str, ...] = ()
    exposure_kinds: tuple[str, ...] = ()


@dataclass(slots=True)
class Links:
    """Units × factors, as parallel arrays of links (one per path from a factor to a unit)."""

    units: np.ndarray  # unit ids, sorted
    factor_types: list[str] = field(default_factory=list)
    factor_refs: list[str] = field(default_factory=list)  # entity:12, person:3, address:…
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    cols: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    via: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def normalise_address(value: str | None) -> str:
    """同一地址的判定口径：全角转半角，去空白和“安徽省”前缀，统一“号”的写法。"""
    if not value:
        return ""
    text = unicodedata.normalize("NFKC", value)
    text = re.sub(r"\s+", "", text)
    text = text.removeprefix("安徽省")
    return text.replace("號", "号")


def _region(column: object, region: str) -> ColumnElement[bool]:
    return region_prefix_clause(column, region)


def universe(session: Session, population: Population) -> np.ndarray:
    """The sorted ids of the population's units."""
    if population.unit == "entity":
        stmt: Select[*tuple[Any, ...]] = select(Entity.id).where(
            _region(Entity.region_code, population.region)
        )
        wanted: list[ColumnElement[bool]] = [
            Entity.industry_code.startswith(prefix) for prefix in population.industry_prefixes
        ]
        if population.subject_kinds:
            wanted.append(
                exists().where(
                    Subject.entity_id == Entity.id, Subject.kind.in_(population.subject_kinds)
                )
            )
        if wanted:
            stmt = stmt.where(or_(*wanted))
        if population.exposure_kinds:
            stmt = stmt.where(
                exists().where(
                    Record.entity_id == Entity.id, Record.kind.in_(population.exposure_kinds)
                )
            )
    else:
        stmt = select(Subject.id).where(
            Subject.kind == population.unit, _region(Subject.region_code, population.region)
        )
        if population.exposure_kinds:
            stmt = stmt.where(
                exists().where(
                    RecordSubject.subject_id == Subject.id,
                    RecordSubject.record_id == Record.id,
                    Record.kind.in_(population.exposure_kinds),
                )
            )
    ids = np.fromiter(session.scalars(stmt), dtype=np.int64)
    ids.sort()
    return ids


class _Builder:
    def __init__(self, units: np.ndarray) -> None:
        self.links = Links(units=units)
        self.index: dict[tuple[str, str], int] = {}
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, ftype: str, refs: list[str], unit_ids: np.ndarray, via: np.ndarray) -> None:
        """Links from factors (``refs``) to units, dropping units outside the population."""
        if not len(refs):
            return
        units = self.links.units
        pos = np.searchsorted(units, unit_ids)
        ok = (pos < len(units)) & (units[np.clip(pos, 0, max(len(units) - 1, 0))] == unit_ids)
        if not ok.any():
            return
        rows = np.empty(int(ok.sum()), dtype=np.int64)
        for n, ref in enumerate(r for r, keep in zip(refs, ok, strict=True) if keep):
            key = (ftype, ref)
            index = self.index.get(key)
            if index is None:
                index = self.index[key] = len(self.links.factor_refs)
                self.links.factor_types.append(ftype)
                self.links.factor_refs.append(ref)
            rows[n] = index
        self.parts.append((rows, pos[ok], via[ok]))

    def done(self) -> Links:
        if self.parts:
            self.links.rows = np.concatenate([p[0] for p in self.parts])
            self.links.cols = np.concatenate([p[1] for p in self.parts])
            self.links.via = np.concatenate([p[2] for p in self.parts])
        return self.links


def _frame(session: Session, stmt: Select[*tuple[Any, ...]]) -> pl.DataFrame:
    rows = session.execute(stmt).all()
    return pl.DataFrame(
        rows, schema={"factor": pl.Int64, "unit": pl.Int64, "via": pl.Int64}, orient="row"
    )


def _refs(prefix: str, values: pl.Series) -> list[str]:
    return [f"{prefix}:{v}" for v in values.to_list()]


def links(session: Session, population: Population, units: np.ndarray) -> Links:
    """Every factor link of the population's units."""
    builder = _Builder(units)
    if population.unit == "entity":
        _entity_links(session, builder, population.region)
    else:
        _subject_links(session, builder, population)
    return builder.done()


def _entity_scope(region: str) -> ColumnElement[bool]:
    return _region(Entity.region_code, region)


def _suppliers_into(region: str) -> Select[*tuple[Any, ...]]:
    """Supply edges whose customer lies in the region (supplier, customer, -1)."""
    return (
        select(Relation.from_id, Relation.to_id, literal(NO_VIA))
        .join(Entity, Entity.id == Relation.to_id)
        .where(
            Relation.kind == "supplies",
            Relation.from_type == "entity",
            Relation.to_type == "entity",
            _entity_scope(region),
        )
    )


def _entity_links(session: Session, builder: _Builder, region: str) -> None:
    first = _frame(session, _suppliers_into(region))
    builder.add("supplier", _refs("entity", first["factor"]), first["unit"].to_numpy(),
                np.full(len(first), NO_VIA))  # fmt: skip
    upstream = aliased(Relation)
    inner = _suppliers_into(region).with_only_columns(Relation.from_id).scalar_subquery()
    second_edges = _frame(
        session,
        select(upstream.from_id, upstream.to_id, literal(NO_VIA)).where(
            upstream.kind == "supplies",
            upstream.from_type == "entity",
            upstream.to_type == "entity",
            upstream.to_id.in_(inner),
        ),
    )
    # maker → wholesaler (second_edges) joined to wholesaler → shop (first): maker → shop.
    second = first.join(
        second_edges.select(pl.col("factor").alias("top"), pl.col("unit").alias("factor")),
        on="factor",
    ).filter(pl.col("top") != pl.col("unit"))
    builder.add("supplier", _refs("entity", second["top"]), second["unit"].to_numpy(),
                second["factor"].to_numpy())  # fmt: skip
    controls = _frame(
        session,
        select(Relation.from_id, Relation.to_id, literal(NO_VIA))
        .join(Entity, Entity.id == Relation.to_id)
        .where(
            Relation.kind == "controls",
            Relation.from_type == "person",
            Relation.to_type == "entity",
            _entity_scope(region),
        ),
    )
    builder.add("controller", _refs("person", controls["factor"]), controls["unit"].to_numpy(),
                np.full(len(controls), NO_VIA))  # fmt: skip
    _through_objects(session, builder, region)
    _attribute_links(session, builder, region)


def _through_objects(session: Session, builder: _Builder, region: str) -> None:
    """Platforms (via shops), maintenance contractors (via elevators), producers (via lots)."""
    owner_scope = _region(Subject.region_code, region)
    platforms = _frame(
        session,
        select(Relation.to_id, Subject.entity_id, Subject.id)
        .join(Subject, Subject.id == Relation.from_id)
        .where(
            Relation.kind == "sells_on",
            Relation.from_type == "subject",
            Relation.to_type == "entity",
            Subject.entity_id.is_not(None),
            owner_scope,
        ),
    )
    builder.add("platform", _refs("entity", platforms["factor"]), platforms["unit"].to_numpy(),
                platforms["via"].to_numpy())  # fmt: skip
    maintainers = _frame(
        session,
        select(Relation.from_id, Subject.entity_id, Subject.id)
        .join(Subject, Subject.id == Relation.to_id)
        .where(
            Relation.kind == "maintains",
            Relation.from_type == "entity",
            Relation.to_type == "subject",
            Subject.entity_id.is_not(None),
            owner_scope,
        ),
    )
    builder.add("maintainer", _refs("entity", maintainers["factor"]),
                maintainers["unit"].to_numpy(), maintainers["via"].to_numpy())  # fmt: skip
    # The lots a business's records concern (a sampled lot on its shelf), and who made them.
    producers = _frame(
        session,
        select(Relation.from_id, Record.entity_id, Subject.id)
        .distinct()
        .join(Subject, Subject.id == Relation.to_id)
        .join(RecordSubject, RecordSubject.subject_id == Subject.id)
        .join(Record, Record.id == RecordSubject.record_id)
        .join(Entity, Entity.id == Record.entity_id)
        .where(
            Relation.kind == "produced_by",
            Relation.from_type == "entity",
            Relation.to_type == "subject",
            Subject.kind == "product_lot",
            Relation.from_id != Record.entity_id,
            _entity_scope(region),
        ),
    )
    builder.add("producer", _refs("entity", producers["factor"]), producers["unit"].to_numpy(),
                producers["via"].to_numpy())  # fmt: skip


def _attribute_links(
    session: Session, builder: _Builder, region: str, *, unit_of: dict[int, list[int]] | None = None
) -> None:
    """Same address and same legal representative, from the businesses' own registration.

    Without identity numbers a legal representative is known by name within a county (the way
    investigators search the registration system); the same name elsewhere is another person.
    With ``unit_of`` (business → objects it uses) the objects are linked through the business.
    """
    rows = session.execute(
        select(Entity.id, Entity.region_code, Entity.address, Entity.legal_rep).where(
            _entity_scope(region)
        )
    ).all()
    for ftype in ("address", "legal_rep"):
        refs: list[str] = []
        targets: list[int] = []
        vias: list[int] = []
        for row in rows:
            key = _attribute_key(ftype, row[1], row[2], row[3])
            if not key:
                continue
            if unit_of is None:
                refs.append(f"{ftype}:{key}")
                targets.append(row[0])
                vias.append(NO_VIA)
                continue
            for unit in unit_of.get(row[0], ()):
                refs.append(f"{ftype}:{key}")
                targets.append(unit)
                vias.append(row[0])
        builder.add(ftype, refs, np.array(targets, dtype=np.int64), np.array(vias, dtype=np.int64))


def _attribute_key(ftype: str, region: str, address: str | None, legal_rep: str | None) -> str:
    if ftype == "address":
        return normalise_address(address)
    name = (legal_rep or "").strip()
    # The key never holds the name itself (personal data): the masked name to show, and a
    # digest that keeps 张三 and 张四 apart.
    return f"{region[:6]}:{mask_name(name)}:{make_id(region[:6], name)[:12]}" if name else ""


def _subject_links(session: Session, builder: _Builder, population: Population) -> None:
    scope = and_(Subject.kind == population.unit, _region(Subject.region_code, population.region))
    for ftype, kind, factor_end in (
        ("maintainer", "maintains", "from"),
        ("producer", "produced_by", "from"),
        ("platform", "sells_on", "to"),
    ):
        if factor_end == "from":
            stmt = (
                select(Relation.from_id, Relation.to_id, literal(NO_VIA))
                .join(Subject, Subject.id == Relation.to_id)
                .where(Relation.kind == kind, Relation.from_type == "entity",
                       Relation.to_type == "subject", scope)
            )  # fmt: skip
        else:
            stmt = (
                select(Relation.to_id, Relation.from_id, literal(NO_VIA))
                .join(Subject, Subject.id == Relation.from_id)
                .where(Relation.kind == kind, Relation.from_type == "subject",
                       Relation.to_type == "entity", scope)
            )  # fmt: skip
        frame = _frame(session, stmt)
        builder.add(ftype, _refs("entity", frame["factor"]), frame["unit"].to_numpy(),
                    np.full(len(frame), NO_VIA))  # fmt: skip
    owners = session.execute(
        select(Subject.id, Subject.entity_id).where(scope, Subject.entity_id.is_not(None))
    ).all()
    unit_of: dict[int, list[int]] = {}
    for subject_id, entity_id in owners:
        if entity_id is not None:
            unit_of.setdefault(entity_id, []).append(subject_id)
    builder.add("owner", [f"entity:{o}" for _, o in owners],
                np.array([s for s, _ in owners], dtype=np.int64),
                np.full(len(owners), NO_VIA))  # fmt: skip
    controls = session.execute(
        select(Relation.from_id, Relation.to_id).where(
            Relation.kind == "controls", Relation.from_type == "person",
            Relation.to_type == "entity",
            Relation.to_id.in_(select(Subject.entity_id).where(scope)),
        )
    ).all()  # fmt: skip
    refs, targets, vias = [], [], []
    for person, entity_id in controls:
        for unit in unit_of.get(entity_id, ()):
            refs.append(f"person:{person}")
            targets.append(unit)
            vias.append(entity_id)
    builder.add("controller", refs, np.array(targets, dtype=np.int64),
                np.array(vias, dtype=np.int64))  # fmt: skip
    _attribute_links(session, builder, population.region, unit_of=unit_of)
