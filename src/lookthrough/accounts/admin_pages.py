"""Pages for the system administrator (accounts) and the security administrator."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from lookthrough.accounts import service, sessions
from lookthrough.accounts.admin_api import policy_of
from lookthrough.api.deps import SessionDep, SettingsDep
from lookthrough.core.errors import FORM_ERRORS
from lookthrough.core.roles import ACCOUNT_ROLES, Capability, Role
from lookthrough.core.scope import require
from lookthrough.web.deps import PageActorDep
from lookthrough.web.templating import render

router = APIRouter(prefix="/admin", include_in_schema=False)


def _users_page(
    request: Request,
    db: SessionDep,
    actor: PageActorDep,
    *,
    q: str | None,
    role: str | None,
    page: int,
    form: dict[str, str] | None = None,
    error: str | None = None,
    created: str | None = None,
    status_code: int = 200,
) -> Response:
    size = 50
    chosen = Role(role) if role in {r.value for r in ACCOUNT_ROLES} else None
    rows, total = service.list_users(
        db, actor=actor, role=chosen, search=q, limit=size, offset=(page - 1) * size
    )
    return render(
        request,
        "admin/users.html",
        {
            "users": rows,
            "total": total,
            "page": page,
            "pages": max(1, -(-total // size)),
            "q": q or "",
            "role": role or "",
            "roles": ACCOUNT_ROLES,
            "form": form or {},
            "error": error,
            "created": created,
        },
        status_code=status_code,
    )


@router.get("/users")
def users(
    request: Request,
    actor: PageActorDep,
    db: SessionDep,
    q: str | None = None,
    role: str | None = None,
    page: int = 1,
) -> Response:
    return _users_page(request, db, actor, q=q, role=role, page=max(page, 1))


@router.post("/users")
def create_user(
    request: Request,
    actor: PageActorDep,
    db: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)],
    display_name: Annotated[str, Form(max_length=100)],
    role: Annotated[Role, Form()],
    region_code: Annotated[str, Form(max_length=12)] = "",
    entity_uscc: Annotated[str, Form(max_length=18)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    form = {
        "username": username,
        "display_name": display_name,
        "role": role.value,
        "region_code": region_code,
        "entity_uscc": entity_uscc,
    }
    try:
        with db.begin_nested():
            user = service.create_user(
                db,
                actor=actor,
                settings=settings,
                new=service.NewUser(
                    username=username.strip(),
                    display_name=display_name,
                    role=role,
                    region_code=region_code.strip(),
                    password=password,
                    entity_uscc=entity_uscc.strip() or None,
                ),
            )
    except FORM_ERRORS as problem:
        return _users_page(
            request,
            db,
            actor,
            q=None,
            role=None,
            page=1,
            form=form,
            error=problem.message,
            status_code=type(problem).status,
        )
    return _users_page(request, db, actor, q=None, role=None, page=1, created=user.username)


@router.post("/users/{user_id}/active")
def set_active(
    user_id: int, actor: PageActorDep, db: SessionDep, active: Annotated[bool, Form()]
) -> Response:
    service.set_active(db, actor=actor, user_id=user_id, active=active)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/users/{user_id}/password")
def reset_password(
    request: Request,
    user_id: int,
    actor: PageActorDep,
    db: SessionDep,
    settings: SettingsDep,
    new_password: Annotated[str, Form(max_length=256)],
) -> Response:
    try:
        with db.begin_nested():
            user = service.reset_password(
                db, actor=actor, settings=settings, user_id=user_id, new_password=new_password
            )
    except FORM_ERRORS as problem:
        return _users_page(
            request,
            db,
            actor,
            q=None,
            role=None,
            page=1,
            error=problem.message,
            status_code=type(problem).status,
        )
    return _users_page(
        request, db, actor, q=None, role=None, page=1, created=f"{user.username}（已重置密码）"
    )


@router.get("/security")
def security(
    request: Request, actor: PageActorDep, db: SessionDep, settings: SettingsDep
) -> Response:
    require(actor, Capability.MANAGE_SECURITY)
    return render(
        request,
        "admin/security.html",
        {
            "locked": sessions.locked_accounts(db, actor=actor),
            "live": sessions.live_sessions(db, actor=actor),
            "policy": policy_of(settings),
        },
    )


@router.post("/security/unlock")
def unlock(
    actor: PageActorDep, db: SessionDep, username: Annotated[str, Form(max_length=64)]
) -> Response:
    sessions.unlock(db, actor=actor, username=username)
    return RedirectResponse("/admin/security", status_code=303)


@router.post("/security/logout")
def force_logout(actor: PageActorDep, db: SessionDep, user_id: Annotated[int, Form()]) -> Response:
    sessions.force_logout(db, actor=actor, user_id=user_id)
    return RedirectResponse("/admin/security", status_code=303)
