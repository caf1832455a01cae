"""Businesses (JSON and Excel), within the user's scope."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response

from lookthrough.api.deps import ActorDep, SessionDep
from lookthrough.api.errors import signed_in
from lookthrough.core.errors import NotFound
from lookthrough.core.excel import XLSX_MEDIA_TYPE
from lookthrough.registry import service
from lookthrough.registry.schemas import EntityOut, EntityPage

router = APIRouter(prefix="/entities", tags=["entities 经营主体"])


@router.get("", response_model=EntityPage, responses=signed_in())
def search(
    actor: ActorDep,
    db: SessionDep,
    q: str | None = Query(None, max_length=100),
    region: str | None = Query(None, pattern=r"^\d{2,12}$"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> EntityPage:
    """Businesses in scope by name, code or address fragment (personal data masked)."""
    views, total = service.search(
        db, actor=actor, query=q, region=region, limit=limit, offset=offset
    )
    return EntityPage(total=total, items=[EntityOut.model_validate(v) for v in views])


@router.get(
    ".xlsx",
    responses={**signed_in(), 200: {"content": {XLSX_MEDIA_TYPE: {}}}},
    response_class=Response,
)
def export(
    actor: ActorDep,
    db: SessionDep,
    q: str | None = Query(None, max_length=100),
    region: str | None = Query(None, pattern=r"^\d{2,12}$"),
) -> Response:
    """The same search as an Excel workbook (audited)."""
    content, _ = service.export(db, actor=actor, query=q, region=region)
    return Response(
        content,
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": "attachment; filename*=UTF-8''entities.xlsx"},
    )


@router.get("/{entity_id}", response_model=EntityOut, responses=signed_in(NotFound))
def get(entity_id: int, actor: ActorDep, db: SessionDep) -> EntityOut:
    return EntityOut.model_validate(service.get(db, actor=actor, entity_id=entity_id))


@router.post("/{entity_id}/reveal", response_model=EntityOut, responses=signed_in(NotFound))
def reveal(entity_id: int, actor: ActorDep, db: SessionDep) -> EntityOut:
    """The unmasked legal representative and phone (officials only; audited)."""
    return EntityOut.model_validate(service.reveal(db, actor=actor, entity_id=entity_id))
