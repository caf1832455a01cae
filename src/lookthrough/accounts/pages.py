"""Login, logout, region switch and password pages."""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from lookthrough.accounts import service, sessions
from lookthrough.api.deps import SESSION_COOKIE, ActorDep, SessionDep, SettingsDep, client_ip
from lookthrough.core.errors import FORM_ERRORS
from lookthrough.core.ids import new_token
from lookthrough.web.deps import PageActorDep
from lookthrough.web.i18n import N_
from lookthrough.web.templating import home_for, render

router = APIRouter(include_in_schema=False)
PRELOGIN_COOKIE = "lt_prelogin"  # double-submit token against login CSRF
REASONS = {"session_expired": N_("登录已超时，请重新登录"), "not_authenticated": N_("请先登录")}
PAGE_EXPIRED = N_("页面已过期，请重新登录")


def safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after login (no open redirect)."""
    if not target:
        return None
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _login_page(
    request: Request,
    *,
    error: str | None = None,
    next_url: str | None = None,
    username: str = "",
    status_code: int = 200,
) -> Response:
    token = new_token(16)
    response = render(
        request,
        "login.html",
        {
            "error": error,
            "next": next_url or "",
            "username": username,
            "prelogin": token,
            "notice": REASONS.get(request.query_params.get("reason", "")),
        },
        status_code=status_code,
    )
    response.set_cookie(PRELOGIN_COOKIE, token, httponly=True, samesite="strict", max_age=3600)
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(request, next_url=safe_next(next))


@router.post("/login")
def login_submit(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    prelogin: Annotated[str, Form(max_length=64)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    cookie = request.cookies.get(PRELOGIN_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, prelogin):
        return _login_page(
            request,
            error=PAGE_EXPIRED,
            next_url=safe_next(next),
            username=username,
            status_code=403,
        )
    result = sessions.login(
        db,
        settings=settings,
        username=username,
        password=password,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
        request_id=request.state.request_id,
    )
    if result.error is not None:
        return _login_page(
            request,
            error=result.error.message,
            next_url=safe_next(next),
            username=username,
            status_code=type(result.error).status,
        )
    assert result.user is not None and result.user_session is not None
    actor = sessions.actor_for(result.user, result.user_session)
    target = (
        "/account/password"
        if result.user.must_change_password
        else (safe_next(next) or home_for(actor))
    )
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        result.token or "",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=settings.session_absolute_hours * 3600,
    )
    response.delete_cookie(PRELOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(actor: ActorDep, db: SessionDep) -> Response:
    sessions.logout(db, actor=actor)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/region")
def switch_region(
    request: Request,
    actor: ActorDep,
    db: SessionDep,
    region_code: Annotated[str, Form(pattern=r"^\d{2,12}$")],
    back: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """The top-bar switch: look at a region within the jurisdiction."""
    sessions.switch_region(db, actor=actor, region_code=region_code)
    return RedirectResponse(safe_next(back) or "/", status_code=303)


@router.get("/account/password")
def password_form(request: Request, actor: PageActorDep, settings: SettingsDep) -> Response:
    return render(
        request,
        "account/password.html",
        {
            "profile": settings.password_profile,
            "forced": bool(getattr(request.state, "must_change_password", False)),
        },
    )


@router.post("/account/password")
def password_submit(
    request: Request,
    actor: PageActorDep,
    db: SessionDep,
    settings: SettingsDep,
    old_password: Annotated[str, Form(max_length=256)],
    new_password: Annotated[str, Form(max_length=256)],
    confirm_password: Annotated[str, Form(max_length=256)],
) -> Response:
    error: str | None = None
    if new_password != confirm_password:
        error = "两次输入的新密码不一致"
    else:
        try:
            with db.begin_nested():
                service.change_own_password(
                    db,
                    actor=actor,
                    settings=settings,
                    old_password=old_password,
                    new_password=new_password,
                )
        except FORM_ERRORS as problem:
            error = problem.message
    if error:
        return render(
            request,
            "account/password.html",
            {
                "profile": settings.password_profile,
                "error": error,
                "forced": bool(getattr(request.state, "must_change_password", False)),
            },
            status_code=422,
        )
    request.state.must_change_password = False
    return render(
        request,
        "account/password.html",
        {"profile": settings.password_profile, "done": True, "home": home_for(actor)},
    )
