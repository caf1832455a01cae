"""Resolving what a record row refers to — its business, its subject, its region — and
checking it lies in the importer's jurisdiction.

This runs on the reading side of an import (its own database connection, in the reader process)
so that the writing side only inserts: at 50k rows/s the two sides each need a core. Rows that
refer to nothing known, or to somewhere outside the jurisdiction, get their problems here and
go to the quarantine like any other bad row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from lookthrough.ingest.shapes import Candidate, Problem
from lookthrough.ingest.sql import Context, Timestamps, in_scope, remembered
from lookthrough.registry.models import Entity, Subject


def entity_ref(values: dict[str, Any]) -> str | None:
    uscc = values["uscc"]
    return f"uscc:{uscc}" if uscc else values["entity_key"]


def resolve(session: Session, candidates: list[Candidate], ctx: Context) -> None:
    """Give each problem-free record candidate its insert row, or the problems it has."""
    todo = [c for c in candidates if not c.problems and "row" not in c.values]
    if not todo:
        return
    entities = remembered(
        session,
        ctx,
        "entity",
        Entity.key,
        (entity_ref(c.values) for c in todo),
        Entity.id,
        Entity.region_code,
    )
    subjects = remembered(
        session,
        ctx,
        "subject",
        Subject.key,
        (c.values["subject"] for c in todo),
        Subject.id,
        Subject.entity_id,
        Subject.region_code,
    )
    stamp = Timestamps(session.get_bind().dialect.name)
    for cand in todo:
        v = cand.values
        ref = entity_ref(v)
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
            cand.problems.extend(problems)
            continue
        entity_id = entity.id if entity else subject.entity_id if subject else None
        # RECORD_COLUMNS order; parent, first/last seen and supersedes are filled when written.
        row = [
            v["id"],
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
            None,
            None,
            None,
        ]
        # Only what the writer still needs crosses to it (pickling is half a reader's cost).
        cand.values = {
            "row": row,
            "subject_id": subject.id if subject else None,
            "parent_key": v["parent_key"],
        }
        cand.raw = None


def stamp_now(rows: list[list[Any]], now: Any) -> None:
    for row in rows:
        row[12] = row[13] = now
