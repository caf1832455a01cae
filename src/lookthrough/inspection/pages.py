"""Pages: plans, the inspector's mobile task list and checklist, and the public results."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from lookthrough.api.deps import SessionDep, SettingsDep
from lookthrough.core import clock
from lookthrough.core.errors import FORM_ERRORS, ValidationFailed
from lookthrough.inspection import commit_reveal, risk_inputs, rules, service, tasks
from lookthrough.inspection.schemas import AnswerIn, ChecklistIn, parse_plan
from lookthrough.web.deps import PageActorDep
from lookthrough.web.templating import render

router = APIRouter(include_in_schema=False)
RESULTS = ("符合", "不符合", "不适用")


def _plans(
    request: Request, actor: PageActorDep, db: SessionDep, *, error: str | None = None,
    text: str = "", status_code: int = 200,
) -> Response:  # fmt: skip
    rows = service.plans(db, actor=actor)
    waiting = service.open_visits(db, plan_ids=[p.id for p in rows])
    today = clock.today()
    late = {p.id for p in rows if rules.results_overdue(p.results_due, today, waiting.get(p.id, 0))}
    return render(
        request,
        "inspection/plans.html",
        {"plans": rows, "labels": service.STATUS_LABELS, "error": error, "text": text,
         "late": late},
        status_code=status_code,
    )  # fmt: skip


@router.get("/inspection")
def plans(request: Request, actor: PageActorDep, db: SessionDep) -> Response:
    return _plans(request, actor, db)


@router.post("/inspection/plans")
def create_plan(
    request: Request,
    actor: PageActorDep,
    db: SessionDep,
    settings: SettingsDep,
    plan_yaml: Annotated[str, Form(max_length=200_000)],
    classes: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """A plan from its YAML text (the same format as `examples/plan.yaml`), with an optional
    credit-class table (CSV)."""
    try:
        plan_in = parse_plan(plan_yaml)
        table = None
        name = classes.filename if classes is not None else None
        if classes is not None and name:
            raw = classes.file.read(50_000_001)
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise ValidationFailed("信用分类表须为 UTF-8 编码的 CSV") from error
            table = risk_inputs.parse_table(text, name=name)
        with db.begin_nested():
            made = service.create_plan(
                db, actor=actor, settings=settings, plan=plan_in, classes=table,
                classes_source=f"信用分类表 {name}" if table else "", now=clock.utcnow(),
            )  # fmt: skip
    except FORM_ERRORS as problem:
        return _plans(request, actor, db, error=problem.message, text=plan_yaml,
                      status_code=type(problem).status)  # fmt: skip
    return RedirectResponse(f"/inspection/plans/{made.id}", status_code=303)


def _plan(
    request: Request, actor: PageActorDep, db: SessionDep, plan_id: int, *,
    error: str | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    plan = service.get_plan(db, actor=actor, plan_id=plan_id)
    waiting = service.open_visits(db, plan_ids=[plan.id]).get(plan.id, 0)
    return render(
        request,
        "inspection/plan.html",
        {"p": plan, "labels": service.STATUS_LABELS, "visits": service.visits(db, plan=plan),
         "error": error, "late": rules.results_overdue(plan.results_due, clock.today(), waiting)},
        status_code=status_code,
    )  # fmt: skip


@router.get("/inspection/plans/{plan_id}")
def plan(request: Request, plan_id: int, actor: PageActorDep, db: SessionDep) -> Response:
    return _plan(request, actor, db, plan_id)


@router.post("/inspection/plans/{plan_id}/commit")
def commit(request: Request, plan_id: int, actor: PageActorDep, db: SessionDep) -> Response:
    """Publish the candidate hash and the seed commitment."""
    try:
        with db.begin_nested():
            commit_reveal.commit(db, actor=actor, plan_id=plan_id, now=clock.utcnow())
    except FORM_ERRORS as problem:
        return _plan(request, actor, db, plan_id, error=problem.message,
                     status_code=type(problem).status)  # fmt: skip
    return RedirectResponse(f"/inspection/plans/{plan_id}", status_code=303)


@router.post("/inspection/plans/{plan_id}/draw")
def draw(
    request: Request, plan_id: int, actor: PageActorDep, db: SessionDep, settings: SettingsDep
) -> Response:
    """Reveal the seed and draw."""
    try:
        with db.begin_nested():
            commit_reveal.reveal_and_draw(
                db, actor=actor, settings=settings, plan_id=plan_id, now=clock.utcnow()
            )
    except FORM_ERRORS as problem:
        return _plan(request, actor, db, plan_id, error=problem.message,
                     status_code=type(problem).status)  # fmt: skip
    return RedirectResponse(f"/inspection/plans/{plan_id}", status_code=303)


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
