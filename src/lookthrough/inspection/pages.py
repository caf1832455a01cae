"""Pages: plans, the inspector's mobile task list and checklist, and the public results."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from lookthrough.api.deps import SessionDep
from lookthrough.core import clock
from lookthrough.core.errors import FORM_ERRORS
from lookthrough.inspection import service, tasks
from lookthrough.inspection.schemas import AnswerIn, ChecklistIn
from lookthrough.web.deps import PageActorDep
from lookthrough.web.templating import render

router = APIRouter(include_in_schema=False)
RESULTS = ("符合", "不符合", "不适用")


@router.get("/inspection")
def plans(request: Request, actor: PageActorDep, db: SessionDep) -> Response:
    rows = service.plans(db, actor=actor)
    return render(
        request, "inspection/plans.html", {"plans": rows, "labels": service.STATUS_LABELS}
    )


def _task_page(
    request: Request, actor: PageActorDep, db: SessionDep, task_id: int, *,
    error: str | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    row = tasks.get_task(db, actor=actor, task_id=task_id)
    return render(
        request,
        "inspection/task.html",
        {
            "row": row,
            "lines": tasks.checklist(db, task=row.task),
            "team": tasks.team(db, task=row.task),
            "results": RESULTS,
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/inspection/tasks")
def task_list(request: Request, actor: PageActorDep, db: SessionDep) -> Response:
    return render(request, "inspection/tasks.html", {"rows": tasks.task_list(db, actor=actor)})


@router.get("/inspection/tasks/{task_id}")
def task(request: Request, task_id: int, actor: PageActorDep, db: SessionDep) -> Response:
    return _task_page(request, actor, db, task_id)


@router.post("/inspection/tasks/{task_id}")
async def submit(request: Request, task_id: int, actor: PageActorDep, db: SessionDep) -> Response:
    """The checklist form: one ``r:<item>`` (result) and ``n:<item>`` (note) per line."""
    form = await request.form()
    answers = []
    for key, value in form.items():
        if not str(key).startswith("r:") or str(value) not in RESULTS:
            continue
        item = str(key)[2:]
        note = str(form.get(f"n:{item}") or "").strip() or None
        severity = str(form.get(f"s:{item}") or "") or None
        answers.append(AnswerIn(item_id=int(item), result=str(value), note=note, severity=severity))
    try:
        with db.begin_nested():
            tasks.submit(
                db, actor=actor, task_id=task_id, form=ChecklistIn(answers=answers),
                now=clock.utcnow(),
            )  # fmt: skip
    except FORM_ERRORS as problem:
        return _task_page(
            request, actor, db, task_id, error=problem.message, status_code=type(problem).status
        )
    except ValueError as problem:  # an empty or malformed form
        return _task_page(request, actor, db, task_id, error=f"检查表填写不完整：{problem}",
                          status_code=422)  # fmt: skip
    return RedirectResponse(f"/inspection/tasks/{task_id}", status_code=303)


@router.get("/public/inspection")
def public(request: Request, db: SessionDep) -> Response:
    """一公开: plans with their hashes and seed, and the results — no personal data."""
    return render(
        request,
        "inspection/public.html",
        {"plans": tasks.public_plans(db), "results": tasks.public_results(db)},
    )
