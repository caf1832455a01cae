"""Pages of the rectification list: officials' tasks and moves, and the enterprise portal where a
targeted business rectifies, sends its evidence and submits."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from starlette.responses import Response

from lookthrough.api.deps import SessionDep
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.errors import PermissionDenied
from lookthrough.core.roles import Capability, Role, can
from lookthrough.lists import evidence, problems, rectifications, rules, tasks
from lookthrough.lists.pages import attempt, see_other, status_of
from lookthrough.web.deps import PageActorDep
from lookthrough.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/lists/rectifications")
def task_list(
    request: Request,
    actor: PageActorDep,
    db: SessionDep,
    overdue: bool = False,
    state: str = "",
    page: int = 1,
) -> Response:
    if actor.role is Role.ENTERPRISE:
        return see_other("/my/rectifications")
    page = max(page, 1)
    wanted = state if state in rules.STATE_LABELS else None
    views, total = tasks.search(db, actor=actor, today=clock.today(), overdue=overdue,
                                state=wanted, limit=PAGE_SIZE,
                                offset=(page - 1) * PAGE_SIZE)  # fmt: skip
    return render(request, "lists/rectifications.html", {
        "views": views, "total": total, "overdue": overdue, "state": state, "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)), "states": rules.STATE_LABELS,
        "scopes": tasks.SCOPE_LABELS,
    })  # fmt: skip


def _task_page(
    request: Request, actor: Actor, db: SessionDep, task_id: int, *, error: str | None = None
) -> Response:
    view = tasks.get(db, actor=actor, task_id=task_id, today=clock.today())
    files = evidence.of_targets(db, actor=actor, target_ids=[t.id for t in view.targets])
    return render(request, "lists/rectification.html", {
        "v": view, "events": tasks.events(db, actor=actor, task_id=task_id), "files": files,
        "problem": problems.get(db, actor=actor, problem_id=view.task.problem_id),
        "states": rules.STATE_LABELS, "actions": rules.ACTION_LABELS,
        "allowed": {t.id: rules.allowed_actions(t.state, enterprise=False) for t in view.targets},
        "scopes": tasks.SCOPE_LABELS, "error": error,
        "can_manage": can(actor.role, Capability.MANAGE_LISTS),
    }, status_code=status_of(error))  # fmt: skip


@router.get("/lists/rectifications/{task_id}")
def task_page(request: Request, task_id: int, actor: PageActorDep, db: SessionDep) -> Response:
    if actor.role is Role.ENTERPRISE:
        raise PermissionDenied("经营主体请在“本单位整改任务”中查看")
    return _task_page(request, actor, db, task_id)


@router.post("/lists/rectifications/targets/{target_id}/move")
def official_move(
    request: Request,
    target_id: int,
    actor: PageActorDep,
    db: SessionDep,
    action: Annotated[str, Form(max_length=12)],
    note: Annotated[str, Form(max_length=2000)] = "",
    record_id: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    if actor.role is Role.ENTERPRISE:
        raise PermissionDenied("经营主体请在“本单位整改任务”中操作")
    target = tasks.get_target(db, actor=actor, target_id=target_id)
    _, error = attempt(db, lambda: rectifications.move(db, actor=actor, target_id=target.id,
                                                       action=action, note=note,
                                                       record_id=record_id or None))  # fmt: skip
    if error:
        return _task_page(request, actor, db, target.rectification_id, error=error)
    return see_other(f"/lists/rectifications/{target.rectification_id}#target-{target.id}")


# --- 企业端：本单位整改任务 ---


def _own(actor: Actor) -> None:
    if actor.role is not Role.ENTERPRISE:
        raise PermissionDenied("本页面供经营主体用户办理本单位的整改任务")


@router.get("/my/rectifications")
def my_tasks(request: Request, actor: PageActorDep, db: SessionDep) -> Response:
    _own(actor)
    views, total = tasks.search(db, actor=actor, today=clock.today(), limit=200)
    return render(request, "lists/my_tasks.html", {"views": views, "total": total,
                                                   "states": rules.STATE_LABELS})  # fmt: skip


def _my_task(
    request: Request, actor: Actor, db: SessionDep, target_id: int, *,
    error: str | None = None, message: str | None = None,
) -> Response:  # fmt: skip
    target = tasks.get_target(db, actor=actor, target_id=target_id)
    view = tasks.get(db, actor=actor, task_id=target.rectification_id, today=clock.today())
    mine = next(t for t in view.targets if t.id == target.id)
    return render(request, "lists/my_task.html", {
        "v": view, "t": mine, "files": evidence.of_target(db, actor=actor, target_id=target.id),
        "events": tasks.events(db, actor=actor, task_id=view.task.id),
        "allowed": rules.allowed_actions(mine.state, enterprise=True),
        "can_add": mine.state in evidence.OPEN_STATES, "states": rules.STATE_LABELS,
        "actions": rules.ACTION_LABELS, "error": error, "message": message,
    }, status_code=status_of(error))  # fmt: skip


@router.get("/my/rectifications/{target_id}")
def my_task(request: Request, target_id: int, actor: PageActorDep, db: SessionDep) -> Response:
    _own(actor)
    return _my_task(request, actor, db, target_id)


@router.post("/my/rectifications/{target_id}/evidence")
def my_evidence(
    request: Request,
    target_id: int,
    actor: PageActorDep,
    db: SessionDep,
    description: Annotated[str, Form(max_length=5000)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    _own(actor)
    content = file.file.read(rules.MAX_EVIDENCE_BYTES + 1) if file and file.filename else None
    _, error = attempt(db, lambda: evidence.add(db, actor=actor, target_id=target_id,
                                                description=description,
                                                file_name=file.filename if file else None,
                                                content=content))  # fmt: skip
    return _my_task(request, actor, db, target_id, error=error,
                    message=None if error else "整改材料已上传")  # fmt: skip


@router.post("/my/rectifications/{target_id}/move")
def my_move(
    request: Request,
    target_id: int,
    actor: PageActorDep,
    db: SessionDep,
    action: Annotated[str, Form(max_length=12)],
) -> Response:
    _own(actor)
    _, error = attempt(db, lambda: rectifications.move(db, actor=actor, target_id=target_id,
                                                       action=action))  # fmt: skip
    if error:
        return _my_task(request, actor, db, target_id, error=error)
    return see_other(f"/my/rectifications/{target_id}")
