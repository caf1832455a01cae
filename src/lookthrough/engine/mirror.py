"""An analytics copy of the records as Parquet files, kept up to date from the ``first_seen``
watermark, so that a full re-score reads columns at DuckDB's speed instead of asking the
operational database for tens of millions of rows again.

What the copy holds: every current record of the kinds the indicators read (its id, business,
kind, China day and the payload fields they read). A *generation* is one file with everything
up to a watermark, then one file per refresh with the records that arrived after the previous
part, and beside it the ids of the records those new ones supersede (corrections). Records are
append-only, so that is all that can change about them. Mention links (a complaint that names a
business only in words) are *not* copied: they are rebuilt in place by resolution, so each run
reads them from the database (one small table) and joins them in.

Which files make the copy is kept in ``engine_mirror_part``, in the caller's transaction: a run
that rolls back leaves files that no committed row names, and they are never read.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Select, delete, func, select, text
from sqlalchemy.orm import Session

from lookthrough.core import clock
from lookthrough.engine import extract
from lookthrough.engine.compile import column_for
from lookthrough.engine.models import MirrorPart
from lookthrough.engine.seam import AnalyticsEngine
from lookthrough.records.models import Record
from lookthrough.resolution.models import LINKED_STATUSES, MentionLink

MAX_PARTS = 40  # more refreshes than this and the next one writes a new generation
ORPHAN_AGE = dt.timedelta(days=1)  # files no row names, older than this, are swept
LOCK_KEY = 0x4C546D6972  # "LTmir": one refresh at a time on PostgreSQL
Payload = dict[str, set[str]]


@dataclass(frozen=True, slots=True)
class MirrorAt:
    """Where the copy lives and the watermark a run brings it up to."""

    folder: Path
    watermark: dt.datetime


def signature(kinds: set[str], payload: Payload) -> dict[str, Any]:
    return {"kinds": sorted(kinds), "payload": {k: sorted(v) for k, v in sorted(payload.items())}}


def covers(held: dict[str, Any], kinds: set[str], payload: Payload) -> bool:
    """The files hold every kind and payload field (for every kind) that a run needs."""
    if not kinds <= set(held["kinds"]):
        return False
    have = held["payload"]
    return all(name in have and wanted <= set(have[name]) for name, wanted in payload.items())


def current_parts(session: Session) -> list[MirrorPart]:
    newest = session.scalar(select(func.max(MirrorPart.generation)))
    if newest is None:
        return []
    return list(
        session.scalars(
            select(MirrorPart).where(MirrorPart.generation == newest).order_by(MirrorPart.id)
        )
    )


def _schema(payload: Payload) -> pa.Schema:
    fields = [pa.field("record_id", pa.string()), pa.field("entity_id", pa.int64())]
    fields += [pa.field("kind", pa.string()), pa.field("day", pa.date32())]
    fields += [pa.field(column_for(name), pa.string()) for name in sorted(payload)]
    return pa.schema(fields)


def _records_select(
    session: Session,
    kinds: set[str],
    payload: Payload,
    after: dt.datetime | None,
    upto: dt.datetime,
    *,
    named_only: bool,
) -> Select[Any]:
    window = [Record.first_seen <= upto]
    if after is not None:
        window.append(Record.first_seen > after)
    window.append(Record.entity_id.is_(None) if named_only else Record.entity_id.is_not(None))
    return select(
        Record.id.label("record_id"),
        Record.entity_id.label("entity_id"),
        *extract.event_columns(session, payload),
    ).where(Record.kind.in_(sorted(kinds)), *window, extract.not_superseded())


def _write(session: Session, stmt: Any, schema: pa.Schema, path: Path) -> int:
    """Stream a select into one Parquet file; returns the rows written."""
    rows = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for batch in extract.to_batches(session, stmt, schema):
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows


def _superseded(session: Session, after: dt.datetime, upto: dt.datetime) -> list[str]:
    """Ids of the records that records arrived in (after, upto] correct."""
    return list(
        session.scalars(
            select(Record.supersedes_id).where(
                Record.first_seen > after,
                Record.first_seen <= upto,
                Record.supersedes_id.is_not(None),
            )
        )
    )


def _forget_older(session: Session, generation: int) -> None:
    """Delete the files and rows of generations before ``generation`` (committed, since a
    newer one is visible before this run wrote anything)."""
    old = list(session.scalars(select(MirrorPart).where(MirrorPart.generation < generation)))
    for part in old:
        for name in (part.events_path, part.mentions_path, part.removed_path):
            if name:
                Path(name).unlink(missing_ok=True)
    if old:
        session.execute(delete(MirrorPart).where(MirrorPart.generation < generation))


def _sweep(session: Session, folder: Path, now: dt.datetime) -> None:
    """Delete files no row names that are older than ``ORPHAN_AGE``: left by runs that rolled
    back. A younger one may belong to a run still going on elsewhere."""
    named = set()
    for part in session.scalars(select(MirrorPart)):
        named |= {part.events_path, part.mentions_path, part.removed_path}
    cutoff = (now - ORPHAN_AGE).timestamp()
    for path in folder.glob("records-*.parquet"):
        if str(path.resolve()) not in named and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _lock(session: Session) -> None:
    # Two runs extending the copy at once would both add the same new records.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def refresh(
    session: Session, *, folder: Path, kinds: set[str], payload: Payload, upto: dt.datetime
) -> list[MirrorPart]:
    """Bring the copy up to ``upto`` (the run's watermark): a new generation when there is none,
    when it lacks a kind or field the run reads, or when it has grown too many parts; otherwise
    one more part with what arrived since. Returns the parts to read."""
    _lock(session)
    parts = current_parts(session)
    if parts:
        _forget_older(session, parts[0].generation)
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(session, folder, clock.utcnow())
    if not parts or not covers(parts[0].signature, kinds, payload) or len(parts) >= MAX_PARTS:
        held_kinds, held_payload = set(kinds), {k: set(v) for k, v in payload.items()}
        if parts and covers(parts[0].signature, kinds, payload):
            sig = parts[0].signature  # only grown too long: keep what it held
            held_kinds = set(sig["kinds"])
            held_payload = {k: set(v) for k, v in sig["payload"].items()}
        generation = (parts[-1].generation + 1) if parts else 1
        return [_part(session, folder, generation, held_kinds, held_payload, None, upto)]
    last = parts[-1].watermark
    if upto <= last:
        return parts
    sig = parts[0].signature
    held_payload = {k: set(v) for k, v in sig["payload"].items()}
    part = _part(session, folder, parts[0].generation, set(sig["kinds"]), held_payload, last, upto)
    return [*parts, part]


def _part(
    session: Session,
    folder: Path,
    generation: int,
    kinds: set[str],
    payload: Payload,
    after: dt.datetime | None,
    upto: dt.datetime,
) -> MirrorPart:
    stem = folder.resolve() / f"records-{generation}-{uuid.uuid4().hex[:12]}"
    # Records of a business, and records that name one only in words (joined to their links by
    # record id): a run reads a record's id only for the second, small kind, or for corrections.
    events_path = stem.with_suffix(".parquet")
    mentions_path = stem.with_name(stem.name + "-mentions.parquet")
    rows = sum(
        _write(session, _records_select(session, kinds, payload, after, upto, named_only=named),
               _schema(payload), path)
        for named, path in ((False, events_path), (True, mentions_path))
    )  # fmt: skip
    removed_ids = [] if after is None else _superseded(session, after, upto)
    removed_path = None
    if removed_ids:
        removed_path = stem.with_name(stem.name + "-superseded.parquet")
        pq.write_table(pa.table({"record_id": pa.array(removed_ids, pa.string())}), removed_path)
    part = MirrorPart(
        generation=generation,
        signature=signature(kinds, payload),
        events_path=str(events_path),
        mentions_path=str(mentions_path),
        removed_path=str(removed_path) if removed_path else None,
        watermark=upto,
        rows=rows,
        removed=len(removed_ids),
        created_at=clock.utcnow(),
    )
    session.add(part)
    session.flush()
    return part


LINK_SCHEMA = pa.schema([pa.field("record_id", pa.string()), pa.field("entity_id", pa.int64())])


def _load_links(
    session: Session, engine: AnalyticsEngine, entity_ids: Sequence[int] | None
) -> None:
    stmt = select(MentionLink.record_id, MentionLink.entity_id).where(
        MentionLink.status.in_(LINKED_STATUSES), MentionLink.entity_id.is_not(None)
    )
    parts = [
        extract.to_arrow(
            session,
            stmt if chunk is None else stmt.where(
                extract.one_of(session, MentionLink.entity_id, chunk)
            ),
            LINK_SCHEMA,
        )
        for chunk in extract.chunks(entity_ids, session)
    ]  # fmt: skip
    engine.load("mirror_links", pa.concat_tables(parts) if parts else LINK_SCHEMA.empty_table())


def load_events(
    session: Session,
    engine: AnalyticsEngine,
    parts: Sequence[MirrorPart],
    *,
    kinds: set[str],
    payload: Payload,
    since: dt.date,
    until: dt.date,
    entity_ids: Sequence[int] | None = None,
) -> int:
    """Load ``events`` from the copy, exactly as ``extract.events_select`` would read them from
    the database: records of ``kinds`` in [since, until), not superseded, with their business or
    the business their mention is linked to. Returns the number of rows."""
    _load_links(session, engine, entity_ids)
    params: dict[str, Any] = {
        "files": [p.events_path for p in parts],
        "named": [p.mentions_path for p in parts],
        "kinds": sorted(kinds),
        "since": since,
        "until": until,
    }
    removed = [p.removed_path for p in parts if p.removed_path]
    where = "list_contains($kinds, kind) AND day >= $since AND day < $until"
    if removed:
        params["removed"] = removed
        where += " AND record_id NOT IN (SELECT record_id FROM read_parquet($removed))"
    own, linked = where, where
    if entity_ids is not None:
        engine.load("mirror_ids", pa.table({"entity_id": pa.array(entity_ids, pa.int64())}))
        own += " AND entity_id IN (SELECT entity_id FROM mirror_ids)"
        params["mention_kinds"] = list(extract.MENTION_KINDS)
        linked += " AND list_contains($mention_kinds, kind)"
    columns = ["m.kind", "m.day"]
    for i, name in enumerate(sorted(payload)):
        params[f"p{i}"] = sorted(payload[name])
        column = column_for(name)
        columns.append(
            f'CASE WHEN list_contains($p{i}, m.kind) THEN m."{column}" END AS "{column}"'
        )
    picked = ", ".join(columns)
    # Only column names from the definitions and fixed text are formatted in; values are
    # parameters (S608 is safe here).
    sql = (
        f"SELECT m.entity_id, {picked} FROM read_parquet($files) m WHERE {own} "  # noqa: S608
        f"UNION ALL SELECT l.entity_id, {picked} FROM "
        f"(SELECT * FROM read_parquet($named) WHERE {linked}) m "
        "JOIN mirror_links l ON l.record_id = m.record_id"
    )
    engine.load_query("events", sql, params)
    return int(engine.query("SELECT count(*) AS n FROM events").column("n")[0].as_py())
