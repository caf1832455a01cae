"""Guidelines and the Excel lists under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response

from lookthrough.api.deps import ActorDep, SessionDep
from lookthrough.api.errors import signed_in
from lookthrough.core import clock
from lookthrough.core.errors import Conflict, ExportUnavailable, NotFound
from lookthrough.lists import documents, exports, guidelines
from lookthrough.lists.api_chain import XLSX, attachment, xlsx
from lookthrough.lists.models import Guideline
from lookthrough.lists.schemas import GuidelineOut, GuidelinePage, NewGuideline
from lookthrough.web.templating import CHINA

router = APIRouter(tags=["lists 四个清单"])


def guideline_out(g: Guideline) -> GuidelineOut:
    out = GuidelineOut.model_validate(g)
    out.status = guidelines.status_of(g)
    return out


def document_of(db: SessionDep, g: Guideline) -> documents.Document:
    from lookthrough.regions import service as regions_service

    region = regions_service.get(db, g.region_code)
    return documents.Document(title=g.title, sections=g.sections,
                              issuer=region.name if region else g.region_code,
                              dated=g.updated_at.astimezone(CHINA).date().isoformat(),
                              version=g.version)  # fmt: skip


@router.get("/matters.xlsx", responses=XLSX, response_class=Response)
def matters_xlsx(
    actor: ActorDep, db: SessionDep, field: str | None = Query(None, max_length=30)
) -> Response:
    """事项清单 as Excel, one row per key risk point (audited)."""
    return xlsx(exports.matters_xlsx(db, actor=actor, field=field), "事项清单.xlsx")


@router.get("/problems.xlsx", responses=XLSX, response_class=Response)
def problems_xlsx(
    actor: ActorDep,
    db: SessionDep,
    matter_id: int | None = Query(None),
    status: str | None = Query(None, pattern="^(proposed|confirmed|merged|rejected)$"),
) -> Response:
    """问题清单 as Excel (audited)."""
    content = exports.problems_xlsx(db, actor=actor, matter_id=matter_id, status=status)
    return xlsx(content, "问题清单.xlsx")


@router.post("/matters/{matter_id}/guidelines", response_model=GuidelineOut, status_code=201,
             responses=signed_in(NotFound))  # fmt: skip
def generate(matter_id: int, body: NewGuideline, actor: ActorDep, db: SessionDep) -> GuidelineOut:
    """Write a draft guideline (officials' or businesses') from the matter's chain as it is now."""
    return guideline_out(
        guidelines.generate(db, actor=actor, matter_id=matter_id, audience=body.audience)
    )


@router.get("/guidelines", response_model=GuidelinePage, responses=signed_in())
def list_guidelines(
    actor: ActorDep,
    db: SessionDep,
    matter_id: int | None = Query(None),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> GuidelinePage:
    rows, total = guidelines.search(db, actor=actor, matter_id=matter_id, limit=limit,
                                    offset=offset)  # fmt: skip
    return GuidelinePage(total=total, items=[guideline_out(g) for g in rows])


@router.get("/guidelines/{guideline_id}", response_model=GuidelineOut,
            responses=signed_in(NotFound))  # fmt: skip
def get_guideline(guideline_id: int, actor: ActorDep, db: SessionDep) -> GuidelineOut:
    return guideline_out(guidelines.get(db, actor=actor, guideline_id=guideline_id))


@router.put("/guidelines/{guideline_id}", response_model=GuidelineOut,
            responses=signed_in(NotFound, Conflict))  # fmt: skip
def update_guideline(
    guideline_id: int, body: guidelines.GuidelineIn, actor: ActorDep, db: SessionDep
) -> GuidelineOut:
    """Save an edit as a new version (what is public changes only when published again)."""
    return guideline_out(guidelines.update(db, actor=actor, guideline_id=guideline_id, data=body))


@router.post("/guidelines/{guideline_id}/publish", response_model=GuidelineOut,
             responses=signed_in(NotFound, Conflict))  # fmt: skip
def publish(guideline_id: int, actor: ActorDep, db: SessionDep) -> GuidelineOut:
    """Publish the current version on /public/guidelines (refused if it holds personal data)."""
    return guideline_out(guidelines.publish(db, actor=actor, guideline_id=guideline_id))


@router.post("/guidelines/{guideline_id}/withdraw", response_model=GuidelineOut,
             responses=signed_in(NotFound, Conflict))  # fmt: skip
def withdraw(guideline_id: int, actor: ActorDep, db: SessionDep) -> GuidelineOut:
    return guideline_out(guidelines.withdraw(db, actor=actor, guideline_id=guideline_id))


@router.get("/guidelines/{guideline_id}/document.docx", response_class=Response,
            responses={**signed_in(NotFound),
                       200: {"content": {documents.DOCX_MEDIA_TYPE: {}}}})  # fmt: skip
def guideline_docx(guideline_id: int, actor: ActorDep, db: SessionDep) -> Response:
    """The current version as a Word document."""
    g = guidelines.get(db, actor=actor, guideline_id=guideline_id)
    stamp = clock.today().isoformat()
    return attachment(documents.to_docx(document_of(db, g)), documents.DOCX_MEDIA_TYPE,
                    f"{g.title}-{stamp}.docx")  # fmt: skip


@router.get("/guidelines/{guideline_id}/document.pdf", response_class=Response,
            responses={**signed_in(NotFound, ExportUnavailable),
                       200: {"content": {documents.PDF_MEDIA_TYPE: {}}}})  # fmt: skip
def guideline_pdf(guideline_id: int, actor: ActorDep, db: SessionDep) -> Response:
    """The current version as a PDF with the Noto CJK fonts embedded."""
    g = guidelines.get(db, actor=actor, guideline_id=guideline_id)
    stamp = clock.today().isoformat()
    return attachment(documents.to_pdf(document_of(db, g)), documents.PDF_MEDIA_TYPE,
                    f"{g.title}-{stamp}.pdf")  # fmt: skip
