"""The file (一户一档) as JSON, Excel and PDF, within the user's scope."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from lookthrough.api.deps import ActorDep, SessionDep
from lookthrough.api.errors import signed_in
from lookthrough.core.errors import NotFound, ValidationFailed
from lookthrough.core.excel import XLSX_MEDIA_TYPE
from lookthrough.profile import export, graph, search, service, timeline
from lookthrough.profile.schemas import (
    GraphOut,
    HitOut,
    ProfileOut,
    SearchPage,
    TimelinePage,
    TimelineRowOut,
)
from lookthrough.records.kinds import KINDS

router = APIRouter(prefix="/profiles", tags=["profiles 一户一档"])


def parse_filters(
    kind: str | None, date_from: date | None, date_to: date | None, text: str | None
) -> timeline.Filters:
    """The timeline's filters from query parameters; refuses unknown kinds and reversed dates."""
    kinds = tuple(k for k in (kind or "").split(",") if k)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValidationFailed(f"未知的监管信息类别：{'、'.join(unknown)}", field="kind")
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed("开始日期不能晚于结束日期", field="date_from")
    return timeline.Filters(kinds, date_from, date_to, (text or "").strip() or None)


def attachment(content: bytes, media_type: str, name: str, suffix: str) -> Response:
    filename = quote(f"一户一档-{name}.{suffix}")
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
    )


@router.get("", response_model=SearchPage, responses=signed_in())
def find(
    actor: ActorDep,
    db: SessionDep,
    q: str | None = Query(None, max_length=100),
    region: str | None = Query(None, pattern=r"^\d{2,12}$"),
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0, le=search.CAP),
) -> SearchPage:
    """Businesses in scope by name (short names too), credit code, address or the full name of
    the legal representative (audited); similar names are offered apart."""
    result = search.search(db, actor=actor, query=q, region=region, limit=limit, offset=offset)
    return SearchPage(
        total=result.total,
        capped=result.capped,
        hint=result.hint,
        items=[HitOut.model_validate(h) for h in result.items],
        similar=[HitOut.model_validate(h) for h in result.similar],
    )


@router.get("/{entity_id}", response_model=ProfileOut, responses=signed_in(NotFound))
def get(entity_id: int, actor: ActorDep, db: SessionDep) -> ProfileOut:
    """Registration, licences, subjects, record counts and the sections of other domains."""
    return ProfileOut.of(service.open_file(db, actor=actor, entity_id=entity_id))


@router.get("/{entity_id}/timeline", response_model=TimelinePage, responses=signed_in(NotFound))
def get_timeline(
    entity_id: int,
    actor: ActorDep,
    db: SessionDep,
    kind: str | None = Query(None, max_length=400, description="类别，逗号分隔"),
    date_from: date | None = None,
    date_to: date | None = None,
    text: str | None = Query(None, max_length=100),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> TimelinePage:
    """The business's records, newest first, its own and those linked to it by name."""
    rows, total = service.timeline_page(
        db,
        actor=actor,
        entity_id=entity_id,
        filters=parse_filters(kind, date_from, date_to, text),
        limit=limit,
        offset=offset,
    )
    return TimelinePage(total=total, items=[TimelineRowOut.model_validate(r) for r in rows])


@router.get("/{entity_id}/graph", response_model=GraphOut, responses=signed_in(NotFound))
def entity_graph(entity_id: int, actor: ActorDep, db: SessionDep) -> GraphOut:
    """The business and its neighbours one hop away (officials only)."""
    return GraphOut.model_validate(graph.entity_graph(db, actor=actor, entity_id=entity_id))


@router.get("/persons/{person_id}/graph", response_model=GraphOut, responses=signed_in(NotFound))
def person_graph(person_id: int, actor: ActorDep, db: SessionDep) -> GraphOut:
    """A person and the businesses in scope they control or represent (officials only)."""
    return GraphOut.model_validate(graph.person_graph(db, actor=actor, person_id=person_id))


@router.get(
    "/{entity_id}/file.xlsx",
    responses={**signed_in(NotFound), 200: {"content": {XLSX_MEDIA_TYPE: {}}}},
    response_class=Response,
)
def export_excel(entity_id: int, actor: ActorDep, db: SessionDep) -> Response:
    """The file as an Excel workbook, one sheet per part (audited)."""
    content, name = export.excel(db, actor=actor, entity_id=entity_id)
    return attachment(content, XLSX_MEDIA_TYPE, name, "xlsx")


@router.get(
    "/{entity_id}/file.pdf",
    responses={**signed_in(NotFound), 200: {"content": {export.PDF_MEDIA_TYPE: {}}}},
    response_class=Response,
)
def export_pdf(entity_id: int, actor: ActorDep, db: SessionDep) -> Response:
    """The file as a PDF with embedded Chinese fonts (audited)."""
    content, name = export.pdf(db, actor=actor, entity_id=entity_id)
    return attachment(content, export.PDF_MEDIA_TYPE, name, "pdf")
