"""Imports and the quarantine (JSON and Excel)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from lookthrough.api.deps import ActorDep, SessionDep, SettingsDep
from lookthrough.api.errors import signed_in
from lookthrough.core.errors import Conflict, FileRejected, MappingInvalid, NotFound
from lookthrough.core.excel import XLSX_MEDIA_TYPE
from lookthrough.core.roles import Capability
from lookthrough.core.scope import require
from lookthrough.ingest import quarantine, service, templates, uploads
from lookthrough.ingest.schemas import (
    BatchOut,
    BatchPage,
    DismissIn,
    QuarantineOut,
    QuarantinePage,
    ResubmitIn,
    ResubmitOut,
    UploadOut,
)

router = APIRouter(prefix="/ingest", tags=["ingest 数据导入"])


def xlsx(content: bytes, name: str) -> Response:
    return Response(
        content,
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


@router.get("/batches", response_model=BatchPage, responses=signed_in())
def batches(
    actor: ActorDep,
    db: SessionDep,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> BatchPage:
    """Import batches in the user's region, newest first, with open quarantine counts."""
    rows, total = service.batches(db, actor=actor, limit=limit, offset=offset)
    waiting = quarantine.open_counts(db, [b.id for b in rows])
    return BatchPage(
        total=total,
        items=[
            BatchOut.model_validate(b).model_copy(update={"open_quarantine": waiting.get(b.id, 0)})
            for b in rows
        ],
    )


@router.get("/batches/{batch_id}", response_model=BatchOut, responses=signed_in(NotFound))
def batch(batch_id: str, actor: ActorDep, db: SessionDep) -> BatchOut:
    found = service.get_batch(db, actor=actor, batch_id=batch_id)
    waiting = quarantine.open_counts(db, [found.id])
    return BatchOut.model_validate(found).model_copy(
        update={"open_quarantine": waiting.get(found.id, 0)}
    )


@router.get(
    "/batches/{batch_id}/quarantine", response_model=QuarantinePage, responses=signed_in(NotFound)
)
def quarantined(
    batch_id: str,
    actor: ActorDep,
    db: SessionDep,
    status: str | None = Query("open", pattern="^(open|resubmitted|dismissed)$"),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> QuarantinePage:
    """Rows of a batch that were not accepted, with every reason."""
    rows, total = service.quarantine(
        db, actor=actor, batch_id=batch_id, status=status, limit=limit, offset=offset
    )
    return QuarantinePage(total=total, items=[QuarantineOut.model_validate(r) for r in rows])


@router.get(
    "/batches/{batch_id}/quarantine.xlsx",
    response_class=Response,
    responses={**signed_in(NotFound), 200: {"content": {XLSX_MEDIA_TYPE: {}}}},
)
def quarantine_excel(batch_id: str, actor: ActorDep, db: SessionDep) -> Response:
    """The batch's quarantine as Excel (formula-like cells escaped; audited)."""
    content, _ = quarantine.export(db, actor=actor, batch_id=batch_id)
    return xlsx(content, f"quarantine-{batch_id}.xlsx")


@router.post(
    "/quarantine/{row_id}/resubmit",
    response_model=ResubmitOut,
    responses=signed_in(NotFound, Conflict),
)
def resubmit(row_id: int, body: ResubmitIn, actor: ActorDep, db: SessionDep) -> ResubmitOut:
    """Submit a corrected row: accepted, or still refused with the reasons."""
    result = quarantine.resubmit(db, actor=actor, row_id=row_id, values=body.values)
    return ResubmitOut(
        accepted=result.accepted, duplicate=result.duplicate, problems=result.problems
    )


@router.post(
    "/quarantine/{row_id}/dismiss",
    response_model=QuarantineOut,
    responses=signed_in(NotFound, Conflict),
)
def dismiss(row_id: int, body: DismissIn, actor: ActorDep, db: SessionDep) -> QuarantineOut:
    """Close a row that will not be fixed, with the reason."""
    return QuarantineOut.model_validate(
        quarantine.dismiss(db, actor=actor, row_id=row_id, reason=body.reason)
    )


@router.get(
    "/templates/{target}.xlsx",
    response_class=Response,
    responses={**signed_in(MappingInvalid), 200: {"content": {XLSX_MEDIA_TYPE: {}}}},
)
def template(target: str, actor: ActorDep) -> Response:
    """The Excel template for a kind of data, with a sheet explaining every column."""
    require(actor, Capability.IMPORT_DATA)
    return xlsx(templates.workbook(target), f"template-{target}.xlsx")


@router.post(
    "/upload",
    response_model=UploadOut,
    status_code=202,
    responses=signed_in(FileRejected, MappingInvalid),
)
def upload(
    request: Request,
    actor: ActorDep,
    db: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="CSV, XLSX or JSON")],
    target: Annotated[str, Form(max_length=30)],
) -> UploadOut:
    """Upload a file; it is imported in the background (follow it at /ingest/batches/{id})."""
    require(actor, Capability.IMPORT_DATA)
    service.mapping_for(target)  # refuse an unknown kind before storing anything
    stored = uploads.store(file.file, file.filename or "upload", settings.var_dir / "uploads")
    db.commit()  # release this request's hold on the database before the import writes
    batch_id = uploads.start(
        request.app.state.sessionmaker,
        actor=actor,
        path=stored,
        target=target,
        original_name=file.filename or stored.name,
    )
    return UploadOut(batch_id=batch_id, status="running")
