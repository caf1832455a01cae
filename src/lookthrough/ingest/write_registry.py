"""Writing the registry: businesses, subjects, relations and the persons they name."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from lookthrough.ingest.shapes import ENTITY_FIELDS, Candidate, Problem
from lookthrough.ingest.sql import ChunkResult, Context, in_scope, insert, lookup, touch, unique
from lookthrough.registry.models import Entity, Person, Relation, Subject

# The entity fields stored as columns (the key is stored as entity.key).
ENTITY_COLUMNS = tuple(f for f in ENTITY_FIELDS if f != "entity_key")


def write_entities(session: Session, candidates: list[Candidate], ctx: Context) -> ChunkResult:
    result = ChunkResult()
    existing = lookup(
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
    inserted = insert(session, Entity.__table__, list(fresh.values()))
    result.accepted += inserted
    result.duplicates += len(fresh) - inserted
    touch(session, Entity.key, "last_seen", same, ctx.now)
    return result


def _differs(new: Any, old: Any) -> bool:
    return str(new) != str(old) if old is not None else True


def write_subjects(session: Session, candidates: list[Candidate], ctx: Context) -> ChunkResult:
    result = ChunkResult()
    owners = lookup(
        session, Entity.key, (c.values["owner"] for c in candidates), Entity.id, Entity.region_code
    )
    existing = lookup(session, Subject.key, (c.key for c in candidates), Subject.id)
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
    inserted = insert(session, Subject.__table__, list(fresh.values()))
    result.accepted += inserted
    result.duplicates += len(fresh) - inserted
    touch(session, Subject.key, "last_seen", seen & set(existing), ctx.now)
    return result


def write_relations(session: Session, candidates: list[Candidate], ctx: Context) -> ChunkResult:
    result = ChunkResult()
    ends = [c.values[side] for c in candidates for side in ("from", "to")]
    entities = lookup(
        session, Entity.key, (k for t, k in ends if t == "entity"), Entity.id, Entity.region_code
    )
    subjects = lookup(
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
    known = set(lookup(session, Relation.id, (r["id"] for r in rows)))
    fresh = [r for r in unique(rows, "id") if r["id"] not in known]
    result.accepted = insert(session, Relation.__table__, fresh)
    result.duplicates = len(rows) - result.accepted
    touch(session, Relation.id, "last_seen", known, ctx.now)
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
    insert(
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
    )
    return {row[0]: row[1] for row in lookup(session, Person.key, wanted, Person.id).values()}
