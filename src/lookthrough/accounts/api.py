"""Login, logout, the current user, region switch and password change (JSON)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from lookthrough.accounts import service, sessions
from lookthrough.accounts.schemas import (
    Done,
    LoginIn,
    LoginOut,
    Me,
    PasswordChangeIn,
    RegionSwitchIn,
)
from lookthrough.api.deps import ActorDep, SessionDep, SettingsDep, client_ip
from lookthrough.api.errors import body_for, errors, signed_in
from lookthrough.core.actor import Actor
from lookthrough.core.errors import (
    AccountLocked,
    LoginFailed,
    NotFound,
    OutOfJurisdiction,
    PasswordRejected,
)
from lookthrough.core.roles import Role

router = APIRouter(prefix="/auth", tags=["auth 登录与会话"])


def me_of(request: Request, actor: Actor) -> Me:
    user = request.state.user
    return Me(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=actor.role,
        role_label=Role(actor.role).label,
        jurisdiction=actor.jurisdiction,
        region=actor.region,
        entity_id=actor.entity_id,
        must_change_password=bool(request.state.must_change_password),
    )


@router.post("/login", response_model=LoginOut, responses=errors(LoginFailed, AccountLocked))
def login(body: LoginIn, request: Request, db: SessionDep, settings: SettingsDep) -> object:
    """Log in with a username and password; returns a bearer token for API use."""
    result = sessions.login(
        db,
        settings=settings,
        username=body.username,
        password=body.password,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
        request_id=request.state.request_id,
    )
    if result.error is not None:
        # Returned, not raised: the failed attempt must be committed to count towards lockout.
        return JSONResponse(body_for(result.error), status_code=type(result.error).status)
    assert result.user and result.user_session and result.token
    request.state.user = result.user
    request.state.must_change_password = result.user.must_change_password
    actor = sessions.actor_for(result.user, result.user_session)
    return LoginOut(
        token=result.token,
        csrf_token=result.user_session.csrf_token,
        expires_at=result.user_session.expires_at,
        user=me_of(request, actor),
    )


@router.post("/logout", response_model=Done, responses=signed_in())
def logout(actor: ActorDep, db: SessionDep) -> Done:
    """End the current session."""
    sessions.logout(db, actor=actor)
    return Done()


@router.get("/me", response_model=Me, responses=signed_in())
def me(request: Request, actor: ActorDep) -> Me:
    """Who is logged in, their jurisdiction and the region they are looking at."""
    return me_of(request, actor)


@router.post("/region", response_model=Me, responses=signed_in(NotFound, OutOfJurisdiction))
def switch_region(body: RegionSwitchIn, request: Request, actor: ActorDep, db: SessionDep) -> Me:
    """Look at a region within the jurisdiction (all data then narrows to it)."""
    return me_of(request, sessions.switch_region(db, actor=actor, region_code=body.region_code))


@router.post("/password", response_model=Done, responses=signed_in(PasswordRejected))
def change_password(
    body: PasswordChangeIn, actor: ActorDep, db: SessionDep, settings: SettingsDep
) -> Done:
    """Change one's own password (other sessions of the user end)."""
    service.change_own_password(
        db,
        actor=actor,
        settings=settings,
        old_password=body.old_password,
        new_password=body.new_password,
    )
    return Done()
