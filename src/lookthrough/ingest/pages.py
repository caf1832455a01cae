"""Pages: upload a file, follow its import, fix or dismiss quarantined rows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from lookthrough.api.deps import SessionDep, SettingsDep
from lookthrough.core.errors import FORM_ERRORS
from lookthrough.core.roles import Capability
from lookthrough.core.scope import require
from lookthrough.ingest import quarantine, service, uploads
from lookthrough.ingest.templates import TARGET_LABELS
from lookthrough.web.deps import PageActorDep
from lookthrough.web.templating import render

router = APIRouter(prefix="/ingest", include_in_schema=False)


def _index(
    request: Request,
    actor: PageActorDep,
    db: SessionDep,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    rows, total = service.batches(db, actor=actor, limit=50)
    return render(
        request,
        "ingest/index.html",
        {
            "batches": rows,
            "total": total,
            "targets": TARGET_LABELS,
            "error": error,
            "waiting": quarantine.open_counts(db, [b.id for b in rows]),
            "running": any(b.status == "running" for b in rows),
        },
        status_code=status_code,
    )


@router.get("")
def index(request: Request, actor: PageActorDep, db: SessionDep) -> Response:
    require(actor, Capability.IMPORT_DATA)
    return _index(request, actor, db)


@router.get("/batches")
def batch_rows(request: Request, actor: PageActorDep, db: SessionDep) -> Response:
    """The batch table alone, for the page to refresh while imports run."""
    rows, _ = service.batches(db, actor=actor, limit=50)
    return render(
        request,
        "ingest/_batches.html",
        {
            "batches": rows,
            "targets": TARGET_LABELS,
            "waiting": quarantine.open_counts(db, [b.id for b in rows]),
            "running": any(b.status == "running" for b in rows),
        },
    )


@router.post("/upload")
def upload(
    request: Request,
    actor: PageActorDep,
    db: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File()],
    target: Annotated[str, Form(max_length=30)],
) -> Response:
    require(actor, Capability.IMPORT_DATA)
    try:
        service.mapping_for(target)
        stored = uploads.store(file.file, file.filename or "upload", settings.var_dir / "uploads")
        db.commit()  # release this request's hold on the database before the import writes
        uploads.start(
            request.app.state.sessionmaker,
            actor=actor,
            path=stored,
            target=target,
            original_name=file.filename or stored.name,
        )
    except FORM_ERRORS as problem:
        return _index(request, actor, db, error=problem.message, status_code=type(problem).status)
    return RedirectResponse("/ingest", status_code=303)


def _batch(
    request: Request,
    actor: PageActorDep,
    db: SessionDep,
    batch_id: str,
    *,
    status: str = "open",
    message: str | None = None,
    problems: list[dict[str, str | None]] | None = None,
    fixing: int | None = None,
    status_code: int = 200,
) -> Response:
    batch = service.get_batch(db, actor=actor, batch_id=batch_id)
    rows, total = service.quarantine(
        db, actor=actor, batch_id=batch.id, status=status or None, limit=200
    )
    return render(
        request,
        "ingest/batch.html",
        {
            "batch": batch,
            "rows": rows,
            "total": total,
            "status": status,
            "message": message,
            "problems": problems or [],
            "fixing": fixing,
            "targets": TARGET_LABELS,
        },
        status_code=status_code,
    )


@router.get("/batches/{batch_id}")
def batch(
    request: Request, batch_id: str, actor: PageActorDep, db: SessionDep, status: str = "open"
) -> Response:
    return _batch(request, actor, db, batch_id, status=status)


@router.post("/quarantine/{row_id}/resubmit")
async def resubmit(
    request: Request,
    row_id: int,
    actor: PageActorDep,
    db: SessionDep,
    batch_id: Annotated[str, Form(max_length=40)],
) -> Response:
    form = await request.form()
    values = {
        str(k)[2:]: (str(v) if str(v).strip() else None)
        for k, v in form.items()
        if str(k).startswith("v:")
    }
    try:
        with db.begin_nested():
            result = quarantine.resubmit(db, actor=actor, row_id=row_id, values=values)
    except FORM_ERRORS as problem:
        return _batch(
            request,
            actor,
            db,
            batch_id,
            message=problem.message,
            fixing=row_id,
            status_code=type(problem).status,
        )
    if not result.accepted:
        return _batch(
            request,
            actor,
            db,
            batch_id,
            problems=result.problems,
            fixing=row_id,
            message="修改后仍有问题，请对照原因继续修改",
            status_code=422,
        )
    return _batch(
        request,
        actor,
        db,
        batch_id,
        message="已重新提交并接受" + ("（与已有数据相同，按重复处理）" if result.duplicate else ""),
    )


@router.post("/quarantine/{row_id}/dismiss")
def dismiss(
    request: Request,
    row_id: int,
    actor: PageActorDep,
    db: SessionDep,
    batch_id: Annotated[str, Form(max_length=40)],
    reason: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        with db.begin_nested():
            quarantine.dismiss(db, actor=actor, row_id=row_id, reason=reason)
    except FORM_ERRORS as problem:
        return _batch(
            request, actor, db, batch_id, message=problem.message, status_code=type(problem).status
        )
    return _batch(request, actor, db, batch_id, message="已标记为不予处理")
