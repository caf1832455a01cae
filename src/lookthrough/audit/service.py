"""Writing and reading the audit trail.

``record`` is called in the same transaction as the change it describes, so a change that is
not audited is not committed either (fail closed, 等保 安全审计 d).
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from lookthrough.audit.events import AuditEventType, AuditPurged, DataExported
from lookthrough.audit.models import AuditEvent
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.config import AUDIT_RETENTION_FLOOR_DAYS
from lookthrough.core.excel import workbook_bytes
from lookthrough.core.roles import Capability
from lookthrough.core.scope import region_prefix_clause, require

_COLUMNS = ("object_id", "before", "after")


def _canonical(row: dict[str, Any]) -> bytes:
    return json.dumps(row, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")


def record(
    session: Session, *, actor: Actor, event: AuditEventType, outcome: str = "success"
) -> AuditEvent:
    """Append one event to the trail (no commit: the caller's transaction carries it)."""
    data = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}
    object_id = data.pop("object_id", None)
    before = data.pop("before", None)
    after = data.pop("after", None)
    row = AuditEvent(
        at=clock.utcnow(),
        kind=event.kind,
        outcome=outcome,
        actor_user_id=actor.user_id,
        actor_username=actor.username,
        actor_role=actor.role.value,
        actor_region=actor.jurisdiction,
        ip=actor.ip,
        request_id=actor.request_id,
        object_type=event.object_type,
        object_id=None if object_id is None else str(object_id),
        before=before,
        after=after,
        detail=data or None,
    )
    row.hash = hashlib.sha256(_canonical(_content(row))).hexdigest()
    session.add(row)
    session.flush()
    return row


def _content(row: AuditEvent) -> dict[str, Any]:
    return {
        "at": row.at.isoformat(),
        "kind": row.kind,
        "outcome": row.outcome,
        "actor": [row.actor_user_id, row.actor_username, row.actor_role, row.actor_region],
        "from": [row.ip, row.request_id],
        "object": [row.object_type, row.object_id],
        "before": row.before,
        "after": row.after,
        "detail": row.detail,
    }


def verify_row(row: AuditEvent) -> bool:
    """Whether a stored row still matches the hash it was written with."""
    return hashlib.sha256(_canonical(_content(row))).hexdigest() == row.hash


@dataclass(frozen=True, slots=True)
class AuditQuery:
    kind: str | None = None
    username: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _filtered(actor: Actor, query: AuditQuery) -> Any:
    stmt = select(AuditEvent).where(
        region_prefix_clause(AuditEvent.actor_region, actor.jurisdiction)
    )
    if query.kind:
        stmt = stmt.where(AuditEvent.kind == query.kind)
    if query.username:
        stmt = stmt.where(AuditEvent.actor_username == query.username)
    if query.outcome:
        stmt = stmt.where(AuditEvent.outcome == query.outcome)
    if query.since:
        stmt = stmt.where(AuditEvent.at >= query.since)
    if query.until:
        stmt = stmt.where(AuditEvent.at < query.until)
    return stmt


def list_events(
    session: Session, *, actor: Actor, query: AuditQuery, limit: int = 50, offset: int = 0
) -> tuple[Sequence[AuditEvent], int]:
    """Events by actors in the audit administrator's jurisdiction, newest first, and the count."""
    require(actor, Capability.READ_AUDIT)
    stmt = _filtered(actor, query)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(AuditEvent.id.desc()).limit(limit).offset(offset)).all()
    return rows, total


EXPORT_HEADERS = (
    "编号",
    "时间(UTC)",
    "事件",
    "结果",
    "用户",
    "角色",
    "区划",
    "来源IP",
    "请求号",
    "对象类型",
    "对象",
    "修改前",
    "修改后",
    "详情",
    "校验值",
)


def export_events(session: Session, *, actor: Actor, query: AuditQuery) -> tuple[bytes, int]:
    """The filtered trail as an Excel workbook (the export itself is audited)."""
    require(actor, Capability.READ_AUDIT)
    rows = session.scalars(_filtered(actor, query).order_by(AuditEvent.id)).all()

    def dump(value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False, default=str)

    content, count = workbook_bytes(
        "审计日志",
        EXPORT_HEADERS,
        (
            (
                r.id,
                r.at,
                r.kind,
                r.outcome,
                r.actor_username,
                r.actor_role,
                r.actor_region,
                r.ip,
                r.request_id,
                r.object_type,
                r.object_id,
                dump(r.before),
                dump(r.after),
                dump(r.detail),
                r.hash,
            )
            for r in rows
        ),
    )
    filters = {k: str(v) for k, v in dataclasses.asdict(query).items() if v is not None}
    record(
        session,
        actor=actor,
        event=DataExported(object_id="audit_event", rows=count, filters=filters),
    )
    return content, count


def purge(
    session: Session, *, actor: Actor, retention_days: int, archive_dir: Path
) -> tuple[int, Path | None]:
    """Archive then delete events older than the retention period (never under 186 days)."""
    require(actor, Capability.READ_AUDIT)
    days = max(retention_days, AUDIT_RETENTION_FLOOR_DAYS)
    cutoff = clock.utcnow() - timedelta(days=days)
    old = session.scalars(
        select(AuditEvent).where(AuditEvent.at < cutoff).order_by(AuditEvent.id)
    ).all()
    if not old:
        return 0, None
    archive_dir.mkdir(parents=True, exist_ok=True)
    path = archive_dir / f"audit-{old[0].id}-{old[-1].id}.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for row in old:
            handle.write(
                json.dumps({"id": row.id, **_content(row), "hash": row.hash}, ensure_ascii=False)
                + "\n"
            )
    session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff, AuditEvent.id <= old[-1].id))
    record(
        session,
        actor=actor,
        event=AuditPurged(object_id=path.name, older_than=cutoff.isoformat(), rows=len(old)),
    )
    return len(old), path
