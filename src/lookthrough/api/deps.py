"""Request dependencies: the database session (the transaction boundary), settings, the actor.

``SessionDep`` commits when the handler returns and rolls back when it raises — before the
response is sent (``scope="function"``), so a failed commit is never reported as a success.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from lookthrough.accounts import sessions
from lookthrough.accounts.passwords import password_expired
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.core.errors import CsrfFailed, NotAuthenticated, PermissionDenied

SESSION_COOKIE = "lt_session"
LANG_COOKIE = "lt_lang"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Pages a user who must change their password may still open.
PASSWORD_CHANGE_PATHS = (
    "/account/password",
    "/api/v1/auth/password",
    "/logout",
    "/api/v1/auth/logout",
    "/api/v1/auth/me",
)


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Session]:
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_db, scope="function")]


def request_token(request: Request) -> tuple[str | None, bool]:
    """The session token and whether it came from the cookie (which needs a CSRF check)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip(), False
    return request.cookies.get(SESSION_COOKIE), True


async def _form_token(request: Request) -> str | None:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


async def current_actor(request: Request, db: SessionDep, settings: SettingsDep) -> Actor:
    """The logged-in user, with the CSRF check for cookie-authenticated changes."""
    token, from_cookie = request_token(request)
    if not token:
        raise NotAuthenticated()
    # The lookup is blocking database work: on the event loop it would stall every request of
    # the worker, and once the pool is drained it deadlocks the worker until the pool times out
    # (the requests holding connections need the loop to finish). bench/RESULTS.md, profile.
    user_session, user = await run_in_threadpool(
        sessions.resolve, db, settings=settings, token=token
    )
    if from_cookie and request.method not in SAFE_METHODS:
        sent = request.headers.get("x-csrf-token") or await _form_token(request)
        if not sent or not hmac.compare_digest(sent, user_session.csrf_token):
            raise CsrfFailed()
    actor = sessions.actor_for(
        user,
        user_session,
        ip=client_ip(request),
        request_id=getattr(request.state, "request_id", None),
    )
    request.state.actor = actor
    request.state.csrf_token = user_session.csrf_token
    request.state.user = user
    must_change = user.must_change_password or password_expired(
        user.password_changed_at,
        clock.utcnow(),
        profile=settings.password_profile,
        max_age_days=settings.password_max_age_days,
    )
    request.state.must_change_password = must_change
    if must_change and not request.url.path.startswith(PASSWORD_CHANGE_PATHS):
        raise PermissionDenied("请先修改密码（首次登录或密码已到期）", must_change_password=True)
    return actor


def client_ip(request: Request) -> str | None:
    # Behind a reverse proxy, run uvicorn with --proxy-headers so this is the real client.
    return request.client.host if request.client else None


ActorDep = Annotated[Actor, Depends(current_actor)]
