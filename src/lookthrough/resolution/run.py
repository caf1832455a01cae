"""Resolving the mentions stored in the database, a city at a time (``lookthrough resolve run``).

For each city: bring the businesses' normalised names and addresses up to date
(``entity_name_key``), read the businesses and the complaint and public-opinion records that name
a business only in words, run the engine, store each mention's candidates and rebuild its link.
A city is one transaction, so an interrupted run keeps the cities it finished; run it again to go on
(``only_new``) or to score everything afresh.

Records whose region is the province itself are searched in the city or county their mention
names (安徽省郎溪县…); those that name none are searched against the whole province last.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl
from sqlalchemy import and_, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import MentionsResolved
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.db import transaction
from lookthrough.core.scope import region_prefix_clause
from lookthrough.records.models import Record
from lookthrough.registry.models import Entity
from lookthrough.resolution import service
from lookthrough.resolution.blocking import (
    ADDRESS_COLUMNS,
    NAME_COLUMNS,
    address_columns,
    name_columns,
)
from lookthrough.resolution.engine import Engine, with_entity_names, with_mention_names
from lookthrough.resolution.models import EntityNameKey, MentionScored
from lookthrough.resolution.rules import Scored, Thresholds

Tick = Callable[[int], None]
KEY_CHUNK = 20_000


@dataclass
class RunSummary:
    engine: str
    mentions: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    names_refreshed: int = 0
    seconds: float = 0.0

    def add(self, other: RunSummary) -> None:
        self.mentions += other.mentions
        self.names_refreshed += other.names_refreshed
        for status, n in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + n


def refresh_name_keys(session: Session, *, region: str) -> int:
    """Normalise the names and addresses of businesses in ``region`` that are new, renamed or
    moved."""
    stale = session.execute(
        select(Entity.id, Entity.name, Entity.address)
        .outerjoin(EntityNameKey, EntityNameKey.entity_id == Entity.id)
        .where(
            region_prefix_clause(Entity.region_code, region),
            or_(
                EntityNameKey.entity_id.is_(None),
                EntityNameKey.name != Entity.name,
                EntityNameKey.address.is_distinct_from(Entity.address),
            ),
        )
    ).all()
    for start in range(0, len(stale), KEY_CHUNK):
        part = stale[start : start + KEY_CHUNK]
        ids = [int(i) for i, _, _ in part]
        for slice_start in range(0, len(ids), 500):
            session.execute(
                delete(EntityNameKey).where(
                    EntityNameKey.entity_id.in_(ids[slice_start : slice_start + 500])
                )
            )
        columns = name_columns([n for _, n, _ in part])
        columns |= address_columns([a for _, _, a in part])
        rows = [
            {"entity_id": i, "name": n, "address": a,
             **{c: columns[c][k] for c in (*NAME_COLUMNS, *ADDRESS_COLUMNS)}}
            for k, (i, n, a) in enumerate(part)
        ]  # fmt: skip
        session.execute(insert(EntityNameKey), rows)
    return len(stale)


def load_entities(session: Session, *, region: str) -> pl.DataFrame:
    rows = session.execute(
        select(
            Entity.id, Entity.region_code, Entity.name, Entity.address, Entity.phone,
            Entity.legal_rep, Entity.industry_code,
            *(getattr(EntityNameKey, c) for c in (*NAME_COLUMNS, *ADDRESS_COLUMNS)),
        )
        .join(EntityNameKey, EntityNameKey.entity_id == Entity.id)
        .where(region_prefix_clause(Entity.region_code, region))
    ).all()  # fmt: skip
    texts = ("region_code", "name", "address", "phone", "legal_rep", "industry_code",
             *NAME_COLUMNS, *ADDRESS_COLUMNS)  # fmt: skip
    schema = {"entity_id": pl.Int64, **dict.fromkeys(texts, pl.String)}
    return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")


def load_mentions(
    session: Session, *, region: str, only_new: bool, exact_region: bool = False
) -> pl.DataFrame:
    """Complaints and public-opinion items in ``region`` naming a business in words only."""
    mention = Record.payload["mention"].as_string()
    where = [
        Record.kind.in_(service.MENTION_KINDS),
        Record.entity_id.is_(None),
        mention.is_not(None),
        Record.region_code == region
        if exact_region
        else region_prefix_clause(Record.region_code, region),
    ]
    stmt = select(
        Record.id,
        mention,
        Record.region_code,
        Record.payload["mention_address"].as_string(),
        Record.payload["text"].as_string(),  # an address written in the text stands in
    ).where(and_(*where))
    if only_new:
        stmt = stmt.where(~select(MentionScored.record_id).where(
            MentionScored.record_id == Record.id).exists())  # fmt: skip
    rows = [tuple(r) for r in session.execute(stmt.order_by(Record.id)).all()]
    frame = pl.DataFrame(
        rows,
        schema=dict.fromkeys(("key", "name", "region", "address", "text"), pl.String),
        orient="row",
    )
    return frame.with_columns(phone=pl.lit(None, pl.String), legal_rep=pl.lit(None, pl.String))


def store(
    session: Session,
    *,
    mentions: pl.DataFrame,
    results: Mapping[int, Sequence[Scored]],
    method: str,
    thresholds: Thresholds,
) -> dict[str, int]:
    """Keep each mention's candidates and rebuild its link; returns counts by status."""
    now = clock.utcnow()
    record_ids = mentions["key"].to_list()
    rows: list[dict[str, object]] = []
    scored: list[dict[str, object]] = []
    for m, record_id in enumerate(record_ids):
        found = results.get(m, [])
        scored.append({"record_id": record_id, "method": method, "candidates": len(found),
                       "scored_at": now})  # fmt: skip
        for rank, s in enumerate(found, start=1):
            rows.append({
                "record_id": record_id, "entity_id": s.entity_id,
                "rank": rank, "score": s.score, "reasons": s.reasons,
                "method": method, "scored_at": now,
            })  # fmt: skip
    service.replace_candidates(session, record_ids=record_ids, rows=rows, scored=scored)
    service.rebuild_links(session, thresholds=thresholds, record_ids=record_ids)
    return service.status_counts(session, record_ids=record_ids)


def resolve_region(
    session: Session,
    *,
    region: str,
    engine: Engine,
    thresholds: Thresholds,
    only_new: bool = False,
    exact_region: bool = False,
    entities_region: str | None = None,
    tick: Tick | None = None,
) -> RunSummary:
    """Resolve the mention records of one region (a city, or the province's own records)."""
    started = time.perf_counter()
    summary = RunSummary(engine=engine.name)
    mentions = load_mentions(session, region=region, only_new=only_new, exact_region=exact_region)
    if not mentions.height:
        return summary
    scope = entities_region or region
    summary.names_refreshed = refresh_name_keys(session, region=scope)
    entities = with_entity_names(load_entities(session, region=scope))
    mentions = with_mention_names(mentions)
    results = engine.match(entities, mentions, thresholds, progress=tick) if entities.height else {}
    summary.statuses = store(
        session, mentions=mentions, results=results, method=engine.name, thresholds=thresholds
    )
    summary.mentions = mentions.height
    summary.seconds = round(time.perf_counter() - started, 2)
    return summary


def regions_to_run(session: Session, *, within: str = "34") -> list[tuple[str, bool]]:
    """(region, exact) passes: each city with mention records, then the province's own."""
    key = func.substr(Record.region_code, 1, 4)
    cities = session.scalars(
        select(key)
        .where(
            Record.kind.in_(service.MENTION_KINDS),
            Record.entity_id.is_(None),
            region_prefix_clause(Record.region_code, within),
            func.length(Record.region_code) >= 4,
        )
        .distinct()
        .order_by(key)
    ).all()
    passes = [(str(c), False) for c in cities]
    if len(within) <= 2:
        passes.append((within, True))
    return passes


def count_mentions(session: Session, *, within: str = "34", only_new: bool = False) -> int:
    stmt = (
        select(func.count())
        .select_from(Record)
        .where(
            Record.kind.in_(service.MENTION_KINDS),
            Record.entity_id.is_(None),
            Record.payload["mention"].as_string().is_not(None),
            region_prefix_clause(Record.region_code, within),
        )
    )
    if only_new:
        stmt = stmt.where(~select(MentionScored.record_id).where(
            MentionScored.record_id == Record.id).exists())  # fmt: skip
    return int(session.scalar(stmt) or 0)


def resolve_all(
    factory: Callable[[], Session],
    *,
    actor: Actor,
    thresholds: Thresholds,
    engine: Engine,
    region: str = "34",
    only_new: bool = False,
    total: Tick | None = None,
    tick: Tick | None = None,
) -> RunSummary:
    """Every pass of a run, one transaction per city (an interrupted run keeps what it did)."""
    started = time.perf_counter()
    summary = RunSummary(engine=engine.name)
    with transaction(factory) as session:
        passes = regions_to_run(session, within=region)
        if total:
            total(count_mentions(session, within=region, only_new=only_new))
    for code, exact in passes:
        with transaction(factory) as session:
            summary.add(
                resolve_region(
                    session, region=code, engine=engine, thresholds=thresholds,
                    only_new=only_new, exact_region=exact,
                    entities_region="34" if exact else None, tick=tick,
                )
            )  # fmt: skip
    summary.seconds = round(time.perf_counter() - started, 2)
    with transaction(factory) as session:
        audit.record(
            session,
            actor=actor,
            event=MentionsResolved(
                object_id=engine.name,
                mentions=summary.mentions,
                auto=summary.statuses.get("auto", 0),
                review=summary.statuses.get("review", 0),
                unlinked=summary.statuses.get("unlinked", 0),
            ),
        )
    return summary
