"""Writing records: link parents and corrections, insert, attach subjects."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from lookthrough.ingest import references
from lookthrough.ingest.shapes import Candidate
from lookthrough.ingest.sql import (
    ChunkResult,
    Context,
    Timestamps,
    bulk_insert,
    select_in,
    touch,
)
from lookthrough.records.models import Record

RECORD_COLUMNS = (
    "id",
    "kind",
    "region_code",
    "entity_id",
    "occurred_at",
    "title",
    "payload",
    "parent_id",
    "source",
    "source_key",
    "batch_id",
    "source_row",
    "first_seen",
    "last_seen",
    "supersedes_id",
)


# Positions in a record row (RECORD_COLUMNS order).
ID, KIND, REGION, ENTITY, OCCURRED, PARENT, SOURCE_KEY, SOURCE_ROW, FIRST_SEEN, SUPERSEDES = (
    0,
    1,
    2,
    3,
    4,
    7,
    9,
    11,
    12,
    14,
)


def write_records(session: Session, candidates: list[Candidate], ctx: Context) -> ChunkResult:
    """Insert the chunk's records; returns what was accepted, duplicated or must be quarantined.

    Candidates arrive resolved from the reading side (``row`` ready) during imports; anything
    else (a corrected quarantine row) is resolved here first.
    """
    references.resolve(session, candidates, ctx)
    result = ChunkResult()
    stamp = Timestamps(session.get_bind().dialect.name)
    rows: list[list[Any]] = []  # in RECORD_COLUMNS order
    links: list[tuple[str, int]] = []
    chosen: list[Candidate] = []
    seen: set[str] = set()
    for cand in candidates:
        if cand.problems:
            result.rejected.append((cand, cand.problems))
            continue
        row = cand.values["row"]
        if row[0] in seen:
            result.duplicates += 1  # the same row twice in one chunk
            continue
        seen.add(row[0])
        rows.append(row)
        chosen.append(cand)
        if cand.values["subject_id"] is not None:
            links.append((row[0], cand.values["subject_id"]))
    references.stamp_now(rows, stamp(ctx.now))
    _link_parents(session, rows, chosen, ctx)
    _link_supersedes(session, rows, ctx, stamp)
    inserted = bulk_insert(session, "record", RECORD_COLUMNS, rows)
    result.accepted = inserted
    result.duplicates += len(rows) - inserted
    if inserted < len(rows):  # some were already stored: they were seen again now
        touch(session, Record.id, "last_seen", {r[0] for r in rows}, ctx.now, only_before=ctx.now)
    bulk_insert(session, "record_subject", ("record_id", "subject_id"), links)
    return result


BATCH_KEYS_LIMIT = 2_000_000  # source keys a batch remembers before asking the database


def _link_supersedes(
    session: Session, rows: list[list[Any]], ctx: Context, stamp: Timestamps
) -> None:
    """A row whose source key is already stored under other content corrects the latest one.

    "Latest" is the version first seen last, and within one import the later row of the file:
    the order ``(first_seen, source_row)``, which a resumed import reproduces exactly.

    When nothing of this source and kind was stored before the batch began (the usual first
    import), only the batch's own earlier rows can be corrected, and those are remembered here
    instead of looked up — the look-up would cost as much as the insert.
    """
    if not rows:
        return
    memo = ctx.memo.setdefault("keys", {})
    if "fresh" not in ctx.memo:
        ctx.memo["fresh"] = {"yes": not _stored(session, ctx, rows[0][KIND])}
    fresh = ctx.memo["fresh"]["yes"] and len(memo) < BATCH_KEYS_LIMIT
    latest: dict[str, tuple[Any, int, str]] = {}  # key → (first_seen, source_row, id)
    if fresh:
        latest = {r[SOURCE_KEY]: memo[r[SOURCE_KEY]] for r in rows if r[SOURCE_KEY] in memo}
    else:
        for key, rid, seen, row_no in select_in(
            session,
            "SELECT source_key, id, first_seen, source_row FROM record WHERE source = %s AND "
            "kind = %s AND source_key IN",
            (ctx.source, rows[0][KIND]),
            (r[SOURCE_KEY] for r in rows),
        ):
            version = (seen, row_no or 0, rid)
            if key not in latest or version > latest[key]:
                latest[key] = version
    for row in rows:  # in file order
        previous = latest.get(row[SOURCE_KEY])
        if previous is not None and previous[2] != row[ID]:
            row[SUPERSEDES] = previous[2]
        latest[row[SOURCE_KEY]] = (row[FIRST_SEEN], row[SOURCE_ROW], row[ID])
        if fresh:
            memo[row[SOURCE_KEY]] = latest[row[SOURCE_KEY]]


def _stored(session: Session, ctx: Context, kind: str) -> bool:
    """Whether records of this source and kind are stored already.

    Asked before the batch's first insert, so a new batch's own rows are never among them; a
    resumed batch's rows from before the crash are, and must be: the memory is empty again.
    """
    connection = session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    found = connection.exec_driver_sql(
        f"SELECT 1 FROM record WHERE source = {marker} AND kind = {marker} LIMIT 1",  # noqa: S608
        (ctx.source, kind),
    )
    return found.first() is not None


def _link_parents(
    session: Session, rows: list[list[Any]], chosen: list[Candidate], ctx: Context
) -> None:
    parent = ctx.mapping.parent
    if parent is None or not rows:
        return
    if parent.key:
        found = dict(
            select_in(
                session,
                "SELECT source_key, id FROM record WHERE source = %s AND kind = %s AND "
                "source_key IN",
                (ctx.source, parent.kind),
                (c.values["parent_key"] for c in chosen if c.values["parent_key"]),
            )
        )
        for row, cand in zip(rows, chosen, strict=True):
            row[PARENT] = found.get(cand.values["parent_key"] or "")
        return
    # match: the same business on the same day (e.g. a violation and its inspection)
    by_pair: dict[tuple[Any, Any], str] = {}
    for entity_id, when, rid in select_in(
        session,
        "SELECT entity_id, occurred_at, id FROM record WHERE kind = %s AND entity_id IN",
        (parent.kind,),
        (r[ENTITY] for r in rows if r[ENTITY] is not None),
    ):
        by_pair.setdefault((entity_id, when), rid)
    for row in rows:
        row[PARENT] = by_pair.get((row[ENTITY], row[OCCURRED]))
