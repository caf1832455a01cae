"""Login, server-side sessions, lockout and the region switch.

The session cookie carries a random token; the database keeps only its SHA-256, so a copy of the
database does not let anyone log in. A session ends after ``session_idle_minutes`` without a
request or ``session_absolute_hours`` after login (等保 身份鉴别 b).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import Select, String, bindparam, select
from sqlalchemy.orm import Session

from lookthrough.accounts import passwords
from lookthrough.accounts.models import LoginThrottle, User, UserSession
from lookthrough.audit import service as audit
from lookthrough.audit.events import (
    AccountLocked as AccountLockedEvent,
)
from lookthrough.audit.events import (
    AccountUnlocked,
    LoggedOut,
    LoginFailed,
    LoginSucceeded,
    RegionSwitched,
    SessionsEnded,
)
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.core.errors import (
    AccountLocked,
    LookthroughError,
    NotAuthenticated,
    NotFound,
    SessionExpired,
)
from lookthrough.core.errors import LoginFailed as LoginFailedError
from lookthrough.core.ids import new_token, token_digest
from lookthrough.core.roles import Capability, Role
from lookthrough.core.scope import ensure_region, region_prefix_clause, require
from lookthrough.regions import service as regions_service

TOUCH_EVERY = timedelta(seconds=60)  # fewer writes: last_seen moves at most once a minute


def actor_for(
    user: User,
    user_session: UserSession | None,
    *,
    ip: str | None = None,
    request_id: str | None = None,
) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        jurisdiction=user.region_code,
        region=user_session.region_code if user_session else user.region_code,
        entity_id=user.entity_id,
        ip=ip,
        request_id=request_id,
        session_id=user_session.id if user_session else None,
    )


@dataclass(frozen=True, slots=True)
class LoginResult:
    """Either a new session (``token`` set) or the refusal to show."""

    user: User | None
    token: str | None
    user_session: UserSession | None
    error: LookthroughError | None


def login(
    session: Session,
    *,
    settings: Settings,
    username: str,
    password: str,
    ip: str | None = None,
    user_agent: str | None = None,
    request_id: str | None = None,
) -> LoginResult:
    """Check a password and open a session. Failures are audited and counted, and the caller
    must commit even when ``error`` is set, so that the failure is remembered."""
    now = clock.utcnow()
    username = username.strip()[:64]
    throttle = session.get(LoginThrottle, username)
    user = session.scalar(select(User).where(User.username == username))
    who = (
        actor_for(user, None, ip=ip, request_id=request_id)
        if user is not None
        else Actor.public(ip=ip, request_id=request_id, name=username or "anonymous")
    )
    if throttle is not None and throttle.locked_until and throttle.locked_until > now:
        audit.record(
            session,
            actor=who,
            event=LoginFailed(object_id=username, reason="locked"),
            outcome="failure",
        )
        return LoginResult(None, None, None, AccountLocked())
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        reason = "unknown_user" if user is None else "bad_password" if not ok else "inactive"
        audit.record(
            session,
            actor=who,
            event=LoginFailed(object_id=username, reason=reason),
            outcome="failure",
        )
        locked = _count_failure(
            session, settings=settings, username=username, now=now, throttle=throttle, who=who
        )
        return LoginResult(None, None, None, AccountLocked() if locked else _login_failed(settings))
    if throttle is not None:
        session.delete(throttle)
    token, user_session = open_session(
        session, settings=settings, user=user, ip=ip, user_agent=user_agent
    )
    audit.record(
        session,
        actor=actor_for(user, user_session, ip=ip, request_id=request_id),
        event=LoginSucceeded(object_id=str(user.id)),
    )
    return LoginResult(user, token, user_session, None)


def open_session(
    session: Session,
    *,
    settings: Settings,
    user: User,
    ip: str | None = None,
    user_agent: str | None = None,
) -> tuple[str, UserSession]:
    """A new session for a user whose identity is already established; returns its token."""
    now = clock.utcnow()
    token = new_token()
    user_session = UserSession(
        id=token_digest(token),
        user_id=user.id,
        csrf_token=new_token(24),
        region_code=user.region_code,
        ip=ip,
        user_agent=(user_agent or "")[:300],
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=settings.session_absolute_hours),
    )
    session.add(user_session)
    session.flush()
    return token, user_session


def _login_failed(settings: Settings) -> LookthroughError:
    return LoginFailedError(
        f"用户名或密码错误（连续失败 {settings.login_max_failures} 次将临时锁定账号）"
    )


def _count_failure(
    session: Session,
    *,
    settings: Settings,
    username: str,
    now: datetime,
    throttle: LoginThrottle | None,
    who: Actor,
) -> bool:
    window = timedelta(minutes=settings.login_failure_window_minutes)
    if throttle is None:
        throttle = LoginThrottle(username=username, failures=0, first_failure_at=now)
        session.add(throttle)
    if throttle.first_failure_at is None or now - throttle.first_failure_at > window:
        throttle.failures, throttle.first_failure_at = 0, now
    throttle.failures += 1
    if throttle.failures >= settings.login_max_failures:
        throttle.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
        throttle.failures, throttle.first_failure_at = 0, None
        audit.record(
            session,
            actor=who,
            event=AccountLockedEvent(
                object_id=username,
                failures=settings.login_max_failures,
                locked_until=throttle.locked_until.isoformat(),
            ),
            outcome="failure",
        )
        return True
    return False


@lru_cache(maxsize=1)
def _resolve_statement() -> Select[UserSession, User]:
    """Every request of every user starts here: one round trip, a statement built once."""
    return (
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.id == bindparam("digest", type_=String()))
    )


def resolve(session: Session, *, settings: Settings, token: str) -> tuple[UserSession, User]:
    """The live session behind a token, or NotAuthenticated / SessionExpired."""
    now = clock.utcnow()
    found = session.execute(_resolve_statement(), {"digest": token_digest(token)}).first()
    if found is None or found[0].ended_at is not None:
        raise NotAuthenticated()
    user_session, user = found
    idle = timedelta(minutes=settings.session_idle_minutes)
    if now >= user_session.expires_at or now - user_session.last_seen_at > idle:
        raise SessionExpired()
    if not user.is_active:
        raise NotAuthenticated()
    if now - user_session.last_seen_at >= TOUCH_EVERY:
        user_session.last_seen_at = now
    return user_session, user


def logout(session: Session, *, actor: Actor) -> None:
    if actor.session_id is None:
        return
    user_session = session.get(UserSession, actor.session_id)
    if user_session is not None and user_session.ended_at is None:
        user_session.ended_at, user_session.end_reason = clock.utcnow(), "logout"
        audit.record(session, actor=actor, event=LoggedOut(object_id=str(actor.user_id)))


def end_all(
    session: Session, *, actor: Actor, user: User, reason: str, keep: str | None = None
) -> int:
    """End every live session of a user (password change, disable, forced logout)."""
    now = clock.utcnow()
    live = session.scalars(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    ).all()
    ended = 0
    for item in live:
        if item.id != keep:
            item.ended_at, item.end_reason = now, reason
            ended += 1
    if ended:
        audit.record(
            session,
            actor=actor,
            event=SessionsEnded(object_id=str(user.id), count=ended, reason=reason),
        )
    return ended


def switch_region(session: Session, *, actor: Actor, region_code: str) -> Actor:
    """Look at a region below the jurisdiction (or back up to it)."""
    regions_service.require_region(session, region_code)
    ensure_region(actor, region_code, within_jurisdiction=True)
    if actor.session_id is None:
        return actor.with_region(region_code)
    user_session = session.get(UserSession, actor.session_id)
    if user_session is None:
        raise NotAuthenticated()
    before = {"region": user_session.region_code}
    user_session.region_code = region_code
    audit.record(
        session,
        actor=actor,
        event=RegionSwitched(object_id=region_code, before=before, after={"region": region_code}),
    )
    return actor.with_region(region_code)


@dataclass(frozen=True, slots=True)
class LockedAccount:
    username: str
    locked_until: datetime
    known: bool


def locked_accounts(session: Session, *, actor: Actor) -> list[LockedAccount]:
    """Usernames locked now (unknown usernames only for a province security administrator)."""
    require(actor, Capability.MANAGE_SECURITY)
    now = clock.utcnow()
    rows = session.execute(
        select(LoginThrottle, User.region_code)
        .outerjoin(User, User.username == LoginThrottle.username)
        .where(LoginThrottle.locked_until > now)
        .order_by(LoginThrottle.locked_until.desc())
    ).all()
    result = []
    for throttle, region in rows:
        visible = (
            region.startswith(actor.jurisdiction)
            if region is not None
            else actor.jurisdiction == "34"
        )
        if visible and throttle.locked_until is not None:
            result.append(
                LockedAccount(throttle.username, throttle.locked_until, region is not None)
            )
    return result


def unlock(session: Session, *, actor: Actor, username: str) -> None:
    require(actor, Capability.MANAGE_SECURITY)
    if not any(item.username == username for item in locked_accounts(session, actor=actor)):
        raise NotFound("该账号未被锁定或不在您的管辖范围内")
    throttle = session.get(LoginThrottle, username)
    if throttle is not None:
        session.delete(throttle)
    audit.record(session, actor=actor, event=AccountUnlocked(object_id=username))


def live_sessions(session: Session, *, actor: Actor) -> Sequence[tuple[UserSession, User]]:
    """Sessions that are open now for users in the security administrator's jurisdiction."""
    require(actor, Capability.MANAGE_SECURITY)
    now = clock.utcnow()
    rows = session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(
            UserSession.ended_at.is_(None),
            UserSession.expires_at > now,
            region_prefix_clause(User.region_code, actor.jurisdiction),
        )
        .order_by(UserSession.last_seen_at.desc())
    ).all()
    return [(row[0], row[1]) for row in rows]


def force_logout(session: Session, *, actor: Actor, user_id: int) -> int:
    require(actor, Capability.MANAGE_SECURITY)
    user = session.get(User, user_id)
    if user is None or not user.region_code.startswith(actor.jurisdiction):
        raise NotFound("用户不存在")
    return end_all(session, actor=actor, user=user, reason="forced")
