"""Writing candidates in chunks: resolve references, refuse what is out of scope, insert.

One writer per target. Each takes the chunk's candidates that passed the row rules and returns
which were accepted, which were duplicates of facts already stored, and which must be quarantined
after all (a business that does not exist, a region outside the importer's jurisdiction).
Inserts use ``ON CONFLICT DO NOTHING … RETURNING`` so that a chunk replayed after a crash, or a
file imported twice, adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lookthrough.ingest.mapping import Mapping
from lookthrough.ingest.rows import Candidate, Problem
from lookthrough.records.models import Record
from lookthrough.registry.models import Entity, Person, Relation, Subject


@dataclass(slots=True)
class ChunkResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[tuple[Candidate, list[Problem]]] = field(default_factory=list)


MEMO_LIMIT = 200_000  # remembered look-ups per batch (a business has many records)


@dataclass(frozen=True, slots=True)
class Context:
    mapping: Mapping
    source: str
    batch_id: str
    scope: str  # region prefix the importer may write into
    now: datetime
    columns: dict[str, str]  # target field → header, for problems found here
    memo: dict[str, dict[Any, Any]] = field(default_factory=dict)  # shared across a batch

    def problem(self, name: str, rule: str, value: str | None, reason: str) -> Problem:
        return Problem(self.columns.get(name, name), rule, value, reason)


def _insert(session: Session, table: Any, rows: list[dict[str, Any]], key: str) -> set[Any]:
    """Insert rows, skipping conflicts; returns the keys actually inserted."""
    if not rows:
        return set()
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(table).on_conflict_do_nothing().returning(table.c[key])
    return set(session.scalars(stmt, rows).all())


def _chunks(items: Sequence[Any], size: int = 900) -> Iterable[Sequence[Any]]:
    # SQLite allows 32,766 bound parameters; IN lists stay well under that.
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _lookup(session: Session, column: Any, keys: Iterable[Any], *columns: Any) -> dict[Any, Any]:
    wanted = sorted({k for k in keys if k is not None})
    found: dict[Any, Any] = {}
    for part in _chunks(wanted):
        for row in session.execute(select(column, *columns).where(column.in_(part))):
            found[row[0]] = row
    return found


def _remembered(
    session: Session, ctx: Context, name: str, column: Any, keys: Iterable[Any], *columns: Any
) -> dict[Any, Any]:
    """``_lookup`` through the batch's memory of keys already resolved."""
    memo = ctx.memo.setdefault(name, {})
    wanted = {k for k in keys if k is not None}
    missing = [k for k in wanted if k not in memo]
    if missing:
        if len(memo) > MEMO_LIMIT:
            memo.clear()
        found = _lookup(session, column, missing, *columns)
        for key in missing:
            memo[key] = found.get(key)
    return {k: memo[k] for k in wanted if memo.get(k) is not None}


def _touch(
    session: Session,
    column: Any,
    last_seen: Any,
    keys: set[Any],
    now: datetime,
    *,
    only_before: datetime | None = None,
) -> None:
    """Move ``last_seen`` of rows seen again (those first seen earlier than ``only_before``)."""
    table = column.table
    for part in _chunks(sorted(keys)):
        stmt = update(table).where(column.in_(part))
        if only_before is not None:
            stmt = stmt.where(table.c.first_seen < only_before)
        session.execute(stmt.values({last_seen: now}))


def in_scope(code: str | None, scope: str) -> bool:
    return code is not None and code.startswith(scope)


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


class _Timestamps:
    """Timestamps as the driver wants them: SQLite text in SQLAlchemy's layout, PG as is."""

    def __init__(self, dialect: str) -> None:
        self.text = dialect == "sqlite"
        self.seen: dict[datetime, Any] = {}

    def __call__(self, value: datetime | None) -> Any:
        if value is None or not self.text:
            return value
        found = self.seen.get(value)
        if found is None:
            found = self.seen[value] = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return found


def _bulk_insert(
    session: Session, table: str, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]
) -> int:
    """executemany straight to the driver: the hot path of imports (no per-value processing).

    Returns how many rows were inserted; rows whose key is already stored are skipped.
    """
    if not rows:
        return 0
    connection = session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608 - names are ours
        f"({', '.join([marker] * len(columns))}) ON CONFLICT DO NOTHING"
    )
    cursor = connection.exec_driver_sql(sql, [tuple(row) for row in rows])
    return int(cursor.rowcount)


def write_records(session: Session, candidates: list[Candidate], ctx: Context) -> ChunkResult:
    result = ChunkResult()
    entities = _remembered(
        session,
        ctx,
        "entity",
        Entity.key,
        (
            f"uscc:{c.values['uscc']}" if c.values["uscc"] else c.values["entity_key"]
            for c in candidates
        ),
        Entity.id,
        Entity.region_code,
    )
    subjects = _remembered(
        session,
        ctx,
        "subject",
        Subject.key,
        (c.values["subject"] for c in candidates),
        Subject.id,
        Subject.entity_id,
        Subject.region_code,
    )
    stamp = _Timestamps(session.get_bind().dialect.name)
    now = stamp(ctx.now)
    rows: list[list[Any]] = []  # in RECORD_COLUMNS order
    links: list[tuple[str, int]] = []
    chosen: list[Candidate] = []
    seen: set[str] = set()
    for cand in candidates:
        v = cand.values
        ref = f"uscc:{v['uscc']}" if v["uscc"] else v["entity_key"]
        entity = entities.get(ref) if ref else None
        problems: list[Problem] = []
        if ref and entity is None:
            problems.append(
                ctx.problem(
                    "uscc" if v["uscc"] else "entity_key",
                    "entity_missing",
                    ref.split(":", 1)[1],
                    "经营主体不存在，请先导入主体登记信息",
                )
            )
        subject = subjects.get(v["subject"]) if v["subject"] else None
        if v["subject"] and subject is None:
            problems.append(
                ctx.problem(
                    "subject_identifier",
                    "subject_missing",
                    v["subject"].split(":", 1)[1],
                    "监管对象不存在，请先导入监管对象",
                )
            )
        entity_id = entity.id if entity else subject.entity_id if subject else None
        region = (
            v["region_code"]
            or (entity.region_code if entity else None)
            or (subject.region_code if subject else None)
        )
        if not problems and not in_scope(region, ctx.scope):
            problems.append(
                ctx.problem(
                    "region_code", "out_of_scope", region, f"区划“{region}”不在导入人的管辖范围内"
                )
            )
        if problems:
            result.rejected.append((cand, problems))
            continue
        record_id = v["id"]
        if record_id in seen:
            result.duplicates += 1  # the same row twice in one chunk
            continue
        seen.add(record_id)
        rows.append(
            [
                record_id,
                v["kind"],
                region,
                entity_id,
                stamp(v["occurred_at"]),
                v["title"],
                v["payload_json"],
                None,
                ctx.source,
                cand.key,
                ctx.batch_id,
                cand.row_no,
                now,
                now,
                None,
            ]
        )
        chosen.append(cand)
        if subject is not None:
            links.append((record_id, subject.id))
    _link_parents(session, rows, chosen, ctx)
    _link_supersedes(session, rows, ctx, stamp)
    inserted = _bulk_insert(session, "record", RECORD_COLUMNS, rows)
    result.accepted = inserted
    result.duplicates += len(rows) - inserted
    if inserted < len(rows):  # some were already stored: they were seen again now
        _touch(session, Record.id, "last_seen", {r[0] for r in rows}, ctx.now, only_before=ctx.now)
    _bulk_insert(session, "record_subject", ("record_id", "subject_id"), links)
    return result


def _unique(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    seen: set[Any] = set()
    unique = []
    for row in rows:
        if row[key] not in seen:
            seen.add(row[key])
            unique.append(row)
    return unique


def _select_in(
    session: Session, sql: str, fixed: tuple[Any, ...], values: Iterable[Any]
) -> list[tuple[Any, ...]]:
    """Run ``sql`` (ending in ``IN``) over ``values`` in slices, straight to the driver."""
    connection = session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    found: list[tuple[Any, ...]] = []
    for part in _chunks(sorted(set(values)), 500):
        statement = sql.replace("%s", marker) + f" ({', '.join([marker] * len(part))})"
        found.extend(tuple(r) for r in connection.exec_driver_sql(statement, (*fixed, *part)))
    return found


ID, KIND, REGION, ENTITY, OCCURRED, PARENT, SOURCE_KEY, FIRST_SEEN, SUPERSEDES = (
    0,
    1,
    2,
    3,
    4,
    7,
    9,
    12,
    14,
)


BATCH_KEYS_LIMIT = 2_000_000  # source keys a batch remembers before asking the database


def _link_supersedes(
    session: Session, rows: list[list[Any]], ctx: Context, stamp: _Timestamps
) -> None:
    """A row whose source key is already stored under other content corrects the latest one.

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
    latest: dict[str, tuple[Any, str]] = {}
    if fresh:
        latest = {r[SOURCE_KEY]: memo[r[SOURCE_KEY]] for r in rows if r[SOURCE_KEY] in memo}
    else:
        for key, rid, seen in _select_in(
            session,
            "SELECT source_key, id, first_seen FROM record WHERE source = %s AND "
            "kind = %s AND source_key IN",
            (ctx.source, rows[0][KIND]),
            (r[SOURCE_KEY] for r in rows),
        ):
            if key not in latest or (seen, rid) > latest[key]:
                latest[key] = (seen, rid)
    for row in rows:
        previous = latest.get(row[SOURCE_KEY])
        if previous is not None and previous[1] != row[ID]:
            row[SUPERSEDES] = previous[1]
        latest[row[SOURCE_KEY]] = (row[FIRST_SEEN], row[ID])
        if fresh:
            memo[row[SOURCE_KEY]] = (row[FIRST_SEEN], row[ID])


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
            _select_in(
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
    for entity_id, when, rid in _select_in(
        session,
        "SELECT entity_id, occurred_at, id FROM record WHERE kind = %s AND entity_id IN",
        (parent.kind,),
        (r[ENTITY] for r in rows if r[ENTITY] is not None),
    ):
        by_pair.setdefault((entity_id, when), rid)
    for row in rows:
        row[PARENT] = by_pair.get((row[ENTITY], row[OCCURRED]))


ENTITY_COLUMNS = (
    "uscc",
    "name",
    "entity_type",
    "region_code",
    "address",
    "legal_rep",
    "phone",
    "industry_code",
    "registered_on",
    "capital_wan",
    "status",
)


def write_entities(session: Session, candidates: list[Candidate], ctx: Context) -> ChunkResult:
    result = ChunkResult()
    existing = _lookup(
        session,
        Entity.key,
        (c.key for c in candidates),
        Entity.id,
        *(getattr(Entity, name) for name in ENTITY_COLUMNS),
    )
    fresh: dict[str, dict[str, Any]] = {}
    same: set[str] = set()
    for cand in candidates:
        v = cand.values
        if not in_scope(v["region_code"], ctx.scope):
            result.rejected.append(
                (
                    cand,
                    [
                        ctx.problem(
                            "region_code",
                            "out_of_scope",
                            v["region_code"],
                            f"区划“{v['region_code']}”不在导入人的管辖范围内",
                        )
                    ],
                )
            )
            continue
        current = existing.get(cand.key)
        if current is None:
            if cand.key in fresh:
                result.duplicates += 1  # the same business twice in one chunk
                continue
            fresh[cand.key] = {
                "key": cand.key,
                **{name: v[name] for name in ENTITY_COLUMNS},
                "uscc_status": "valid",
                "source": ctx.source,
                "batch_id": ctx.batch_id,
                "source_row": cand.row_no,
                "first_seen": ctx.now,
                "last_seen": ctx.now,
                "created_at": ctx.now,
            }
            continue
        changes = {
            name: v[name]
            for i, name in enumerate(ENTITY_COLUMNS, start=2)
            if v[name] is not None and _differs(v[name], current[i])
        }
        if changes:
            session.execute(
                update(Entity)
                .where(Entity.key == cand.key)
                .values(**changes, last_seen=ctx.now, batch_id=ctx.batch_id, source_row=cand.row_no)
            )
            result.accepted += 1
        else:
            same.add(cand.key)
            result.duplicates += 1
    inserted = _insert(session, Entity.__table__, list(fresh.values()), "key")
    result.accepted += len(inserted)
    result.duplicates += len(fresh) - len(inserted)
    _touch(session, Entity.key, "last_seen", same, ctx.now)
    return result


def _differs(new: Any, old: Any) -> bool:
    return str(new) != str(old) if old is not None else True


def write_subjects(session: Session, candidates: list[Candidate], ctx: Context) -> ChunkResult:
    result = ChunkResult()
    owners = _lookup(
        session, Entity.key, (c.values["owner"] for c in candidates), Entity.id, Entity.region_code
    )
    existing = _lookup(session, Subject.key, (c.key for c in candidates), Subject.id)
    fresh: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()
    for cand in candidates:
        v = cand.values
        owner = owners.get(v["owner"]) if v["owner"] else None
        if v["owner"] and owner is None:
            result.rejected.append(
                (
                    cand,
                    [
                        ctx.problem(
                            "uscc",
                            "entity_missing",
                            v["owner"].split(":", 1)[1],
                            "所属经营主体不存在，请先导入主体登记信息",
                        )
                    ],
                )
            )
            continue
        region = v["region_code"] or (owner.region_code if owner else None)
        if not in_scope(region, ctx.scope):
            result.rejected.append(
                (
                    cand,
                    [
                        ctx.problem(
                            "region_code",
                            "out_of_scope",
                            region,
                            f"区划“{region}”不在导入人的管辖范围内",
                        )
                    ],
                )
            )
            continue
        if cand.key in existing or cand.key in fresh:
            seen.add(cand.key)
            result.duplicates += 1
            continue
        fresh[cand.key] = {
            "key": cand.key,
            "kind": v["kind"],
            "identifier": v["identifier"],
            "name": v["name"],
            "entity_id": owner.id if owner else None,
            "region_code": region,
            "attributes": v["attributes"],
            "source": ctx.source,
            "batch_id": ctx.batch_id,
            "source_row": cand.row_no,
            "first_seen": ctx.now,
            "last_seen": ctx.now,
        }
    inserted = _insert(session, Subject.__table__, list(fresh.values()), "key")
    result.accepted += len(inserted)
    result.duplicates += len(fresh) - len(inserted)
    _touch(session, Subject.key, "last_seen", seen & set(existing), ctx.now)
    return result


def write_relations(session: Session, candidates: list[Candidate], ctx: Context) -> ChunkResult:
    result = ChunkResult()
    ends = [c.values[side] for c in candidates for side in ("from", "to")]
    entities = _lookup(
        session, Entity.key, (k for t, k in ends if t == "entity"), Entity.id, Entity.region_code
    )
    subjects = _lookup(
        session,
        Subject.key,
        (k for t, k in ends if t == "subject"),
        Subject.id,
        Subject.region_code,
    )
    persons = _persons(session, candidates, ctx)
    rows: list[dict[str, Any]] = []
    for cand in candidates:
        v = cand.values
        resolved: list[tuple[str, int, str | None]] = []
        problems: list[Problem] = []
        for side in ("from", "to"):
            kind, key = v[side]
            table = {"entity": entities, "subject": subjects}.get(kind)
            if kind == "person":
                resolved.append(("person", persons[key], None))
                continue
            found = table.get(key) if table is not None else None
            if found is None:
                problems.append(
                    ctx.problem(
                        f"{side}_uscc",
                        "entity_missing",
                        key.split(":", 1)[1],
                        "关系一端的经营主体或监管对象不存在",
                    )
                )
            else:
                resolved.append((kind, found.id, found.region_code))
        regions = [r for _, _, r in resolved if r]
        if not problems and regions and not any(in_scope(r, ctx.scope) for r in regions):
            problems.append(
                ctx.problem("from_uscc", "out_of_scope", None, "关系两端均不在导入人的管辖范围内")
            )
        if problems:
            result.rejected.append((cand, problems))
            continue
        (ft, fid, _), (tt, tid, _) = resolved
        rows.append(
            {
                "id": cand.key,
                "kind": v["kind"],
                "from_type": ft,
                "from_id": fid,
                "to_type": tt,
                "to_id": tid,
                "attributes": v["attributes"],
                "source": ctx.source,
                "batch_id": ctx.batch_id,
                "source_row": cand.row_no,
                "first_seen": ctx.now,
                "last_seen": ctx.now,
            }
        )
    unique = _unique(rows, "id")
    inserted = _insert(session, Relation.__table__, unique, "id")
    result.accepted = len(inserted)
    result.duplicates = len(rows) - len(inserted)
    _touch(session, Relation.id, "last_seen", {r["id"] for r in rows} - inserted, ctx.now)
    return result


def _persons(session: Session, candidates: list[Candidate], ctx: Context) -> dict[str, int]:
    wanted: dict[str, str] = {}
    for cand in candidates:
        for side in ("from", "to"):
            kind, key = cand.values[side]
            if kind == "person":
                wanted.setdefault(key, cand.values.get(f"{side}_person_name") or key.split(":")[-1])
    if not wanted:
        return {}
    _insert(
        session,
        Person.__table__,
        [
            {
                "key": k,
                "name": n,
                "id_number_masked": None,
                "source": ctx.source,
                "batch_id": ctx.batch_id,
                "source_row": None,
                "first_seen": ctx.now,
                "last_seen": ctx.now,
            }
            for k, n in wanted.items()
        ],
        "key",
    )
    return {row[0]: row[1] for row in _lookup(session, Person.key, wanted, Person.id).values()}


WRITERS = {"entity": write_entities, "subject": write_subjects, "relation": write_relations}


def writer_for(mapping: Mapping) -> Any:
    return write_records if mapping.is_record else WRITERS[mapping.target]
