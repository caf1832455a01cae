"""The quarantine: rows that were not accepted, kept with every reason until fixed or dismissed.

A person fixes a row by editing its values; the row is then read again with the very mapping
its batch used, and written like any other row — or kept, with the new reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import DataExported, QuarantineResolved
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.errors import Conflict, NotFound, ValidationFailed
from lookthrough.core.excel import workbook_bytes
from lookthrough.core.roles import Capability
from lookthrough.core.scope import require
from lookthrough.ingest import mapping as mappings
from lookthrough.ingest.models import IngestBatch, QuarantineRow
from lookthrough.ingest.rows import row_reader
from lookthrough.ingest.shapes import Problem, prepare
from lookthrough.ingest.writers import Context, writer_for


def _row_in_scope(session: Session, actor: Actor, row_id: int) -> tuple[QuarantineRow, IngestBatch]:
    require(actor, Capability.IMPORT_DATA)
    row = session.get(QuarantineRow, row_id)
    batch = session.get(IngestBatch, row.batch_id) if row is not None else None
    if row is None or batch is None or not row.region_code.startswith(actor.region):
        raise NotFound("隔离数据不存在或不在您的管辖范围内")
    return row, batch


def open_counts(session: Session, batch_ids: list[str]) -> dict[str, int]:
    """Quarantined rows still waiting, per batch."""
    if not batch_ids:
        return {}
    rows = session.execute(
        select(QuarantineRow.batch_id, func.count())
        .where(QuarantineRow.batch_id.in_(batch_ids), QuarantineRow.status == "open")
        .group_by(QuarantineRow.batch_id)
    ).all()
    return {str(b): int(n) for b, n in rows}


@dataclass(frozen=True, slots=True)
class Resubmitted:
    accepted: bool
    duplicate: bool
    problems: list[dict[str, str | None]]


def resubmit(
    session: Session, *, actor: Actor, row_id: int, values: dict[str, str | None]
) -> Resubmitted:
    """Read a corrected row again with its batch's mapping; accept it or report what is wrong."""
    row, batch = _row_in_scope(session, actor, row_id)
    if row.status != "open":
        raise Conflict("该行已处理，不能重复提交")
    unknown = set(values) - set(row.raw)
    if unknown:
        raise ValidationFailed("提交了文件中不存在的列：" + "、".join(sorted(unknown)))
    header = list(row.raw)
    cells = [values.get(name, row.raw.get(name)) for name in header]
    mapping = mappings.parse(yaml.safe_load(batch.mapping_yaml), origin="批次映射")
    from lookthrough.ingest.service import region_codes

    reader = row_reader(
        prepare(mapping, header), regions=region_codes(session), source=batch.source
    )
    candidate = reader.read(row.row_no, cells)
    problems: list[Problem] = list(candidate.problems)
    result = None
    if not problems:
        scope = batch.region_code if batch.region_code.startswith(actor.region) else actor.region
        ctx = Context(
            mapping=mapping,
            source=batch.source,
            batch_id=batch.id,
            scope=scope,
            now=clock.utcnow(),
            columns=reader.prepared.columns,
        )
        result = writer_for(mapping)(session, [candidate], ctx)
        problems = [p for _, found in result.rejected for p in found]
    if problems:
        return Resubmitted(False, False, [p.as_dict() for p in problems])
    before = {"status": row.status, "raw": row.raw}
    row.raw = {name: values.get(name, row.raw.get(name)) for name in header}
    row.status, row.resolved_at, row.resolved_by = "resubmitted", clock.utcnow(), actor.username
    audit.record(
        session,
        actor=actor,
        event=QuarantineResolved(
            object_id=str(row.id), before=before, after={"status": row.status, "raw": row.raw}
        ),
    )
    assert result is not None
    return Resubmitted(True, result.duplicates > 0, [])


def dismiss(session: Session, *, actor: Actor, row_id: int, reason: str) -> QuarantineRow:
    """Close a row that will not be fixed (e.g. a test line), saying why."""
    row, _ = _row_in_scope(session, actor, row_id)
    if row.status != "open":
        raise Conflict("该行已处理")
    if not reason.strip():
        raise ValidationFailed("请说明不予处理的原因")
    before = {"status": row.status}
    row.status, row.resolved_at, row.resolved_by = "dismissed", clock.utcnow(), actor.username
    audit.record(
        session,
        actor=actor,
        event=QuarantineResolved(
            object_id=str(row.id),
            before=before,
            after={"status": "dismissed", "reason": reason.strip()[:200]},
        ),
    )
    return row


EXPORT_HEADERS = ("行号", "列", "规则", "值", "原因", "状态")


def export(session: Session, *, actor: Actor, batch_id: str) -> tuple[bytes, int]:
    """The batch's quarantine as Excel: one line per problem, then the row's own values."""
    from lookthrough.ingest.service import get_batch

    batch = get_batch(session, actor=actor, batch_id=batch_id)
    rows = session.scalars(
        select(QuarantineRow)
        .where(QuarantineRow.batch_id == batch.id)
        .order_by(QuarantineRow.row_no)
    ).all()
    columns: list[str] = []
    for row in rows:
        columns.extend(name for name in row.raw if name not in columns)
    lines: list[list[Any]] = []
    for row in rows:
        for problem in row.problems:
            lines.append(
                [
                    row.row_no,
                    problem.get("column"),
                    problem.get("rule"),
                    problem.get("value"),
                    problem.get("reason"),
                    row.status,
                    *(row.raw.get(name) for name in columns),
                ]
            )
    content, count = workbook_bytes("隔离数据", [*EXPORT_HEADERS, *columns], lines)
    audit.record(
        session,
        actor=actor,
        event=DataExported(object_id="quarantine_row", rows=count, filters={"batch": batch.id}),
    )
    return content, count
