"""Pages of the matters and problems lists: templates, versions, proposals, confirm/merge/reject."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.responses import Response

from lookthrough.api.deps import SessionDep
from lookthrough.core import clock
from lookthrough.core.errors import FORM_ERRORS, LookthroughError, ValidationFailed
from lookthrough.core.roles import Capability, can
from lookthrough.lists import chain, guidelines, matters, problems, rules
from lookthrough.lists.models import Problem
from lookthrough.lists.signatures import UNIT_LABELS, Signature
from lookthrough.lists.templates import FIELD_LABELS, TEMPLATES
from lookthrough.web.deps import PageActorDep
from lookthrough.web.templating import render

router = APIRouter(prefix="/lists", include_in_schema=False)
PAGE_SIZE = 50


def form_error(error: Exception) -> str:
    """A refused form's message: ours as is, pydantic's field by field."""
    if isinstance(error, ValidationError):
        return "；".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}".lstrip(": ") for e in error.errors()
        )
    return error.message if isinstance(error, LookthroughError) else str(error)


REFUSED: tuple[type[Exception], ...] = (*FORM_ERRORS, ValidationError)


class Refusal(str):
    """A refused form's message, carrying the HTTP status the page answers with."""

    status: int = 422

    @classmethod
    def of(cls, error: Exception) -> Refusal:
        made = cls(form_error(error))
        made.status = type(error).status if isinstance(error, LookthroughError) else 422
        return made


def status_of(error: str | None) -> int:
    return error.status if isinstance(error, Refusal) else 422 if error else 200


def attempt(db: SessionDep, work: Callable[[], Any]) -> tuple[Any, Refusal | None]:
    """Run a form's change in a savepoint; a refusal leaves nothing behind and is shown."""
    try:
        with db.begin_nested():
            return work(), None
    except REFUSED as problem:
        return None, Refusal.of(problem)


def see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


@router.get("/matters")
def matter_list(
    request: Request, actor: PageActorDep, db: SessionDep, field: str = "", error: str = ""
) -> Response:
    rows, total = matters.search(db, actor=actor, field=field or None, limit=200)
    return render(request, "lists/matters.html", {
        "rows": rows, "total": total, "field": field, "fields": FIELD_LABELS,
        "templates": TEMPLATES, "error": error,
        "can_manage": can(actor.role, Capability.MANAGE_LISTS),
    }, status_code=status_of(error))  # fmt: skip


@router.post("/matters")
def matter_create(
    request: Request,
    actor: PageActorDep,
    db: SessionDep,
    template: Annotated[str, Form(max_length=40)],
) -> Response:
    made, error = attempt(db, lambda: matters.create_from_template(db, actor=actor,
                                                                   template=template))  # fmt: skip
    if error:
        return matter_list(request, actor, db, error=error)
    return see_other(f"/lists/matters/{made.id}")


def parse_risk_points(text: str) -> list[matters.RiskPointIn]:
    """One risk point a line: 编号|名称|说明|指标代码,指标代码."""
    found = []
    for n, line in enumerate(row for row in text.splitlines() if row.strip()):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 2:
            raise ValidationFailed(f"第 {n + 1} 行风险点格式应为“编号|名称|说明|指标代码”")
        parts += [""] * (4 - len(parts))
        codes = [c.strip() for c in parts[3].replace("，", ",").split(",") if c.strip()]
        found.append(matters.RiskPointIn(code=parts[0], name=parts[1], description=parts[2],
                                         indicators=codes))  # fmt: skip
    return found


def _matter_page(
    request: Request, actor: PageActorDep, db: SessionDep, matter_id: int, *,
    error: str | None = None, message: str | None = None,
) -> Response:  # fmt: skip
    matter = matters.get(db, actor=actor, matter_id=matter_id)
    today = clock.today()
    return render(request, "lists/matter.html", {
        "matter": matter, "versions": matters.versions(db, actor=actor, matter_id=matter.id),
        "chain": chain.matter_chain(db, actor=actor, matter_id=matter.id, today=today),
        "counts": problems.counts_by_status(db, actor=actor, matter_id=matter.id),
        "guides": guidelines.search(db, actor=actor, matter_id=matter.id)[0],
        "fields": FIELD_LABELS, "units": UNIT_LABELS, "statuses": problems.STATUS_LABELS,
        "guide_statuses": guidelines.STATUS_LABELS, "audiences": guidelines.AUDIENCES,
        "error": error, "message": message,
        "can_manage": can(actor.role, Capability.MANAGE_LISTS),
    }, status_code=status_of(error))  # fmt: skip


@router.get("/matters/{matter_id}")
def matter_page(request: Request, matter_id: int, actor: PageActorDep, db: SessionDep) -> Response:
    return _matter_page(request, actor, db, matter_id)


@router.post("/matters/{matter_id}")
def matter_update(
    request: Request,
    matter_id: int,
    actor: PageActorDep,
    db: SessionDep,
    name: Annotated[str, Form(max_length=100)],
    description: Annotated[str, Form(max_length=2000)] = "",
    risk_points: Annotated[str, Form(max_length=20000)] = "",
    industry_prefixes: Annotated[str, Form(max_length=500)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    matter = matters.get(db, actor=actor, matter_id=matter_id)

    def change() -> object:
        prefixes = [p.strip() for p in industry_prefixes.replace("，", ",").split(",") if p.strip()]
        population = matter.population or {}
        data = matters.MatterIn(
            name=name, description=description, risk_points=parse_risk_points(risk_points),
            industry_prefixes=prefixes, subject_kinds=population.get("subject_kinds", []),
            unit=population.get("unit", "entity"), note=note,
        )  # fmt: skip
        return matters.update(db, actor=actor, matter_id=matter.id, data=data)

    _, error = attempt(db, change)
    return _matter_page(request, actor, db, matter_id, error=error,
                        message=None if error else "已保存为新版本")  # fmt: skip


@router.post("/matters/{matter_id}/proposals")
def matter_propose(
    request: Request, matter_id: int, actor: PageActorDep, db: SessionDep
) -> Response:
    made = problems.propose(db, actor=actor, matter_id=matter_id)
    return see_other(f"/lists/problems?matter_id={matter_id}&status=proposed&made={len(made)}")


def _problems_page(
    request: Request, actor: PageActorDep, db: SessionDep, *, matter_id: int | None,
    status: str, page: int, error: str | None = None, made: int | None = None,
) -> Response:  # fmt: skip
    page = max(page, 1)
    rows, total = problems.search(db, actor=actor, matter_id=matter_id, status=status or None,
                                  limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)  # fmt: skip
    names = {m.id: m.name for m in matters.search(db, actor=actor, limit=500)[0]}
    return render(request, "lists/problems.html", {
        "rows": rows, "total": total, "matter_id": matter_id, "status": status, "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)), "names": names,
        "statuses": problems.STATUS_LABELS, "sources": problems.SOURCE_LABELS,
        "describe": lambda s: Signature.model_validate(s).describe(),
        "direction": rules.direction, "error": error, "made": made,
        "can_manage": can(actor.role, Capability.MANAGE_LISTS),
    }, status_code=status_of(error))  # fmt: skip


@router.get("/problems")
def problem_list(
    request: Request,
    actor: PageActorDep,
    db: SessionDep,
    matter_id: int | None = None,
    status: str = "",
    page: int = 1,
    made: int | None = None,
) -> Response:
    return _problems_page(request, actor, db, matter_id=matter_id, status=status, page=page,
                          made=made)  # fmt: skip


@router.post("/problems/{problem_id}/confirm")
def problem_confirm(
    request: Request,
    problem_id: int,
    actor: PageActorDep,
    db: SessionDep,
    title: Annotated[str, Form(max_length=200)] = "",
    manifestations: Annotated[str, Form(max_length=10000)] = "",
) -> Response:
    lines = [m.strip() for m in manifestations.splitlines() if m.strip()]
    return _decided(request, actor, db, lambda: problems.confirm(
        db, actor=actor, problem_id=problem_id, title=title.strip() or None,
        manifestations=lines or None,
    ), lambda done: f"/lists/problems/{done.id}")  # fmt: skip


def _decided(
    request: Request, actor: PageActorDep, db: SessionDep, work: Callable[[], Any],
    then: Callable[[Any], str],
) -> Response:  # fmt: skip
    """A decision on proposals: on to ``then(result)``, or back to the proposals with why not."""
    done, error = attempt(db, work)
    if error:
        return _problems_page(request, actor, db, matter_id=None, status="proposed", page=1,
                              error=error)  # fmt: skip
    return see_other(then(done))


@router.post("/problems/{problem_id}/reject")
def problem_reject(
    request: Request,
    problem_id: int,
    actor: PageActorDep,
    db: SessionDep,
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    def back(done: Problem) -> str:
        return f"/lists/problems?matter_id={done.matter_id}&status=proposed"

    return _decided(request, actor, db,
                    lambda: problems.reject(db, actor=actor, problem_id=problem_id, note=note),
                    back)  # fmt: skip


@router.post("/problems/merge")
def problem_merge(
    request: Request,
    actor: PageActorDep,
    db: SessionDep,
    problem_ids: Annotated[list[int], Form()],
    title: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    return _decided(request, actor, db,
                    lambda: problems.merge(db, actor=actor, problem_ids=problem_ids, title=title),
                    lambda done: f"/lists/problems/{done.id}")  # fmt: skip
