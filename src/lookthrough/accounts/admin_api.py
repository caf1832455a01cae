"""Account administration (system administrator) and security administration (JSON)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from lookthrough.accounts import service, sessions
from lookthrough.accounts.passwords import MIN_LENGTH
from lookthrough.accounts.schemas import (
    ActiveIn,
    Done,
    LockedOut,
    PasswordResetIn,
    SecurityPolicyOut,
    SessionOut,
    UserIn,
    UserOut,
    UserPage,
)
from lookthrough.api.deps import ActorDep, SessionDep, SettingsDep
from lookthrough.api.errors import signed_in
from lookthrough.core.config import Settings
from lookthrough.core.errors import Conflict, NotFound, OutOfJurisdiction, PasswordRejected
from lookthrough.core.roles import Capability, Role
from lookthrough.core.scope import require

router = APIRouter(tags=["admin 系统与安全管理"])


@router.get("/users", response_model=UserPage, responses=signed_in())
def list_users(
    actor: ActorDep,
    db: SessionDep,
    role: Role | None = None,
    q: str | None = Query(None, max_length=64),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> UserPage:
    """Accounts in the system administrator's jurisdiction."""
    rows, total = service.list_users(
        db, actor=actor, role=role, search=q, limit=limit, offset=offset
    )
    return UserPage(total=total, items=[UserOut.of(u) for u in rows])


@router.post(
    "/users",
    response_model=UserOut,
    status_code=201,
    responses=signed_in(Conflict, PasswordRejected, OutOfJurisdiction),
)
def create_user(body: UserIn, actor: ActorDep, db: SessionDep, settings: SettingsDep) -> UserOut:
    """Create an account (the user must change the password at first login)."""
    user = service.create_user(
        db,
        actor=actor,
        settings=settings,
        new=service.NewUser(
            username=body.username,
            display_name=body.display_name,
            role=body.role,
            region_code=body.region_code,
            password=body.password,
            entity_uscc=body.entity_uscc,
            phone=body.phone,
        ),
    )
    return UserOut.of(user)


@router.get("/users/{user_id}", response_model=UserOut, responses=signed_in(NotFound))
def get_user(user_id: int, actor: ActorDep, db: SessionDep) -> UserOut:
    return UserOut.of(service.get_user(db, actor=actor, user_id=user_id))


@router.post("/users/{user_id}/active", response_model=UserOut, responses=signed_in(NotFound))
def set_active(user_id: int, body: ActiveIn, actor: ActorDep, db: SessionDep) -> UserOut:
    """Enable or disable an account (disabling ends its sessions)."""
    return UserOut.of(service.set_active(db, actor=actor, user_id=user_id, active=body.active))


@router.post(
    "/users/{user_id}/password",
    response_model=UserOut,
    responses=signed_in(NotFound, PasswordRejected),
)
def reset_password(
    user_id: int, body: PasswordResetIn, actor: ActorDep, db: SessionDep, settings: SettingsDep
) -> UserOut:
    """Set a temporary password the user must change at next login."""
    return UserOut.of(
        service.reset_password(
            db, actor=actor, settings=settings, user_id=user_id, new_password=body.new_password
        )
    )


@router.get("/security/locked", response_model=list[LockedOut], responses=signed_in())
def locked(actor: ActorDep, db: SessionDep) -> list[LockedOut]:
    """Usernames locked after repeated failed logins."""
    return [
        LockedOut(username=a.username, locked_until=a.locked_until, known=a.known)
        for a in sessions.locked_accounts(db, actor=actor)
    ]


@router.post(
    "/security/locked/{username}/unlock", response_model=Done, responses=signed_in(NotFound)
)
def unlock(username: str, actor: ActorDep, db: SessionDep) -> Done:
    sessions.unlock(db, actor=actor, username=username)
    return Done()


@router.get("/security/sessions", response_model=list[SessionOut], responses=signed_in())
def live_sessions(actor: ActorDep, db: SessionDep) -> list[SessionOut]:
    """Sessions open now."""
    return [
        SessionOut(
            user_id=u.id,
            username=u.username,
            role=Role(u.role),
            ip=s.ip,
            created_at=s.created_at,
            last_seen_at=s.last_seen_at,
            expires_at=s.expires_at,
        )
        for s, u in sessions.live_sessions(db, actor=actor)
    ]


@router.post("/security/users/{user_id}/logout", response_model=Done, responses=signed_in(NotFound))
def force_logout(user_id: int, actor: ActorDep, db: SessionDep) -> Done:
    """End every session of a user."""
    return Done(count=sessions.force_logout(db, actor=actor, user_id=user_id))


def policy_of(settings: Settings) -> SecurityPolicyOut:
    return SecurityPolicyOut(
        password_profile=settings.password_profile,
        password_min_length=MIN_LENGTH[settings.password_profile],
        password_max_age_days=settings.password_max_age_days
        if settings.password_profile == "dengbao"  # noqa: S105 - a profile name
        else 0,
        login_max_failures=settings.login_max_failures,
        login_failure_window_minutes=settings.login_failure_window_minutes,
        login_lockout_minutes=settings.login_lockout_minutes,
        session_idle_minutes=settings.session_idle_minutes,
        session_absolute_hours=settings.session_absolute_hours,
        audit_retention_days=settings.audit_retention_days,
    )


@router.get("/security/policy", response_model=SecurityPolicyOut, responses=signed_in())
def policy(actor: ActorDep, settings: SettingsDep) -> SecurityPolicyOut:
    """The password, lockout, session and retention rules in force."""
    require(actor, Capability.MANAGE_SECURITY)
    return policy_of(settings)
