"""Pages of the guidelines: write from the chain, edit, publish — and the public pages under
/public that anyone may read without logging in (published copies only, no personal data)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from lookthrough.api.deps import SessionDep
from lookthrough.core.actor import Actor
from lookthrough.lists import documents, guidelines, matters
from lookthrough.lists.api_chain import attachment
from lookthrough.lists.guidelines import GuidelineIn
from lookthrough.lists.pages import attempt, see_other, status_of
from lookthrough.web.deps import PageActorDep
from lookthrough.web.templating import CHINA, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 30


@router.get("/lists/guidelines")
def guideline_list(request: Request, actor: PageActorDep, db: SessionDep) -> Response:
    rows, total = guidelines.search(db, actor=actor, limit=200)
    names = {m.id: m.name for m in matters.search(db, actor=actor, limit=500)[0]}
    return render(request, "lists/guidelines.html", {
        "rows": rows, "total": total, "names": names, "audiences": guidelines.AUDIENCES,
        "status_of": guidelines.status_of, "statuses": guidelines.STATUS_LABELS,
    })  # fmt: skip


@router.post("/lists/matters/{matter_id}/guidelines")
def guideline_generate(
    request: Request,
    matter_id: int,
    actor: PageActorDep,
    db: SessionDep,
    audience: Annotated[str, Form(pattern="^(official|business)$")],
) -> Response:
    kind: Literal["official", "business"] = "official" if audience == "official" else "business"
    made = guidelines.generate(db, actor=actor, matter_id=matter_id, audience=kind)
    return see_other(f"/lists/guidelines/{made.id}")


def _editor(
    request: Request, actor: Actor, db: SessionDep, guideline_id: int, *,
    error: str | None = None, message: str | None = None,
) -> Response:  # fmt: skip
    g = guidelines.get(db, actor=actor, guideline_id=guideline_id)
    return render(request, "lists/guideline.html", {
        "g": g, "status": guidelines.status_of(g), "statuses": guidelines.STATUS_LABELS,
        "audiences": guidelines.AUDIENCES, "error": error, "message": message,
        "matter": matters.get(db, actor=actor, matter_id=g.matter_id),
    }, status_code=status_of(error))  # fmt: skip


@router.get("/lists/guidelines/{guideline_id}")
def guideline_page(
    request: Request, guideline_id: int, actor: PageActorDep, db: SessionDep
) -> Response:
    return _editor(request, actor, db, guideline_id)


@router.post("/lists/guidelines/{guideline_id}")
async def guideline_save(
    request: Request, guideline_id: int, actor: PageActorDep, db: SessionDep
) -> Response:
    form = await request.form()
    headings = [str(h).strip() for h in form.getlist("heading")]
    bodies = [str(b).strip() for b in form.getlist("body")]

    def save() -> object:
        sections = [{"heading": h, "body": b} for h, b in zip(headings, bodies, strict=False)
                    if h or b]  # fmt: skip
        data = GuidelineIn.model_validate({"title": form.get("title") or "", "sections": sections})
        return guidelines.update(db, actor=actor, guideline_id=guideline_id, data=data)

    return _changed(request, actor, db, guideline_id, save, "已保存为新版本")


def _changed(
    request: Request, actor: Actor, db: SessionDep, guideline_id: int,
    work: Callable[[], object], done: str,
) -> Response:  # fmt: skip
    """A change from the editor, shown on the editor with its outcome."""
    guidelines.get(db, actor=actor, guideline_id=guideline_id)  # out of scope: 404, not a form
    _, error = attempt(db, work)
    return _editor(request, actor, db, guideline_id, error=error,
                   message=None if error else done)  # fmt: skip


@router.post("/lists/guidelines/{guideline_id}/publish")
def guideline_publish(
    request: Request, guideline_id: int, actor: PageActorDep, db: SessionDep
) -> Response:
    return _changed(request, actor, db, guideline_id,
                    lambda: guidelines.publish(db, actor=actor, guideline_id=guideline_id),
                    "已在公开页面发布")  # fmt: skip


@router.post("/lists/guidelines/{guideline_id}/withdraw")
def guideline_withdraw(
    request: Request, guideline_id: int, actor: PageActorDep, db: SessionDep
) -> Response:
    return _changed(request, actor, db, guideline_id,
                    lambda: guidelines.withdraw(db, actor=actor, guideline_id=guideline_id),
                    "已从公开页面撤下")  # fmt: skip


# --- 公开页面（无需登录） ---


@router.get("/public/guidelines")
def public_list(request: Request, db: SessionDep, region: str = "", page: int = 1) -> Response:
    page = max(page, 1)
    code = region if region.isdigit() and 2 <= len(region) <= 12 else None
    rows, total = guidelines.public_list(db, region=code, limit=PAGE_SIZE,
                                         offset=(page - 1) * PAGE_SIZE)  # fmt: skip
    return render(request, "public/guidelines.html", {
        "rows": rows, "total": total, "region": code or "", "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
    })  # fmt: skip


@router.get("/public/guidelines/{guideline_id}")
def public_page(request: Request, guideline_id: int, db: SessionDep) -> Response:
    return render(request, "public/guideline.html",
                  {"g": guidelines.public_get(db, guideline_id=guideline_id)})  # fmt: skip


@router.get("/public/guidelines/{guideline_id}/document.pdf")
def public_pdf(guideline_id: int, db: SessionDep) -> Response:
    """The published copy as PDF (Noto CJK embedded)."""
    g = guidelines.public_get(db, guideline_id=guideline_id)
    doc = documents.Document(title=g.title, sections=g.sections, issuer=g.region_name,
                             dated=g.published_at.astimezone(CHINA).date().isoformat(),
                             version=g.version)  # fmt: skip
    return attachment(documents.to_pdf(doc), documents.PDF_MEDIA_TYPE, f"{g.title}.pdf")
