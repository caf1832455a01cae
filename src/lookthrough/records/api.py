"""Regulatory records (JSON), within the user's scope."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from lookthrough.api.deps import ActorDep, SessionDep
from lookthrough.api.errors import signed_in
from lookthrough.core.errors import NotFound
from lookthrough.records import service

router = APIRouter(prefix="/records", tags=["records 监管信息"])


class RecordOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    kind: str
    kind_label: str
    region_code: str
    entity_id: int | None
    occurred_at: datetime
    title: str
    source: str


class RecordPage(BaseModel):
    total: int
    items: list[RecordOut]


@router.get("", response_model=RecordPage, responses=signed_in())
def search(
    actor: ActorDep,
    db: SessionDep,
    kind: str | None = Query(None, max_length=30),
    entity_id: int | None = None,
    region: str | None = Query(None, pattern=r"^\d{2,12}$"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> RecordPage:
    """Records in scope, newest first."""
    views, total = service.search(
        db, actor=actor, kind=kind, entity_id=entity_id, region=region, limit=limit, offset=offset
    )
    return RecordPage(total=total, items=[RecordOut.model_validate(v) for v in views])


@router.get("/{record_id}", response_model=RecordOut, responses=signed_in(NotFound))
def get(record_id: str, actor: ActorDep, db: SessionDep) -> RecordOut:
    return RecordOut.model_validate(service.get(db, actor=actor, record_id=record_id))
