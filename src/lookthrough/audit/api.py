"""The audit trail for the audit administrator (JSON and Excel)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from lookthrough.api.deps import ActorDep, SessionDep
from lookthrough.api.errors import signed_in
from lookthrough.audit import service
from lookthrough.audit.service import AuditQuery
from lookthrough.core.excel import XLSX_MEDIA_TYPE

router = APIRouter(prefix="/audit", tags=["audit 审计"])


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    kind: str
    outcome: str
    actor_username: str
    actor_role: str
    actor_region: str
    ip: str | None
    request_id: str | None
    object_type: str | None
    object_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    detail: dict[str, Any] | None
    hash: str


class AuditPage(BaseModel):
    total: int
    items: list[AuditEventOut]


def _query(
    kind: str | None,
    username: str | None,
    outcome: str | None,
    since: datetime | None,
    until: datetime | None,
) -> AuditQuery:
    return AuditQuery(kind=kind, username=username, outcome=outcome, since=since, until=until)


@router.get("/events", response_model=AuditPage, responses=signed_in())
def events(
    actor: ActorDep,
    db: SessionDep,
    kind: str | None = None,
    username: str | None = None,
    outcome: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> AuditPage:
    """Audit events by actors in the administrator's jurisdiction, newest first."""
    rows, total = service.list_events(
        db,
        actor=actor,
        query=_query(kind, username, outcome, since, until),
        limit=limit,
        offset=offset,
    )
    return AuditPage(
        total=total, items=[AuditEventOut.model_validate(r, from_attributes=True) for r in rows]
    )


@router.get(
    "/events.xlsx",
    responses={**signed_in(), 200: {"content": {XLSX_MEDIA_TYPE: {}}}},
    response_class=Response,
)
def export(
    actor: ActorDep,
    db: SessionDep,
    kind: str | None = None,
    username: str | None = None,
    outcome: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Response:
    """The same events as an Excel workbook (the export is itself audited)."""
    content, _ = service.export_events(
        db, actor=actor, query=_query(kind, username, outcome, since, until)
    )
    return Response(
        content,
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": "attachment; filename*=UTF-8''audit-events.xlsx"},
    )
