"""Account management: create, list, change, passwords.

Every change is audited with before/after (password hashes never appear in the trail).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lookthrough.accounts import passwords, sessions
from lookthrough.accounts.models import User
from lookthrough.accounts.rules import assignment_problems
from lookthrough.audit import service as audit
from lookthrough.audit.events import PasswordChanged, UserCreated, UserUpdated
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.core.errors import Conflict, NotFound, PasswordRejected, ValidationFailed
from lookthrough.core.masking import mask_phone
from lookthrough.core.roles import Capability, Role
from lookthrough.core.scope import ensure_region, region_prefix_clause, require
from lookthrough.regions import service as regions_service
from lookthrough.registry import service as registry_service


def _snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "region_code": user.region_code,
        "entity_id": user.entity_id,
        "phone": mask_phone(user.phone),
        "is_active": user.is_active,
        "must_change_password": user.must_change_password,
    }


@dataclass(frozen=True, slots=True)
class NewUser:
    username: str
    display_name: str
    role: Role
    region_code: str
    password: str
    entity_uscc: str | None = None
    phone: str | None = None
    must_change_password: bool = True


def check_password(settings: Settings, password: str, username: str) -> None:
    problems = passwords.password_problems(
        password, profile=settings.password_profile, username=username
    )
    if problems:
        raise PasswordRejected("；".join(problems), problems=problems)


def create_user(session: Session, *, actor: Actor, settings: Settings, new: NewUser) -> User:
    """Create an account within the system administrator's jurisdiction."""
    require(actor, Capability.MANAGE_USERS)
    entity_id: int | None = None
    region_code = new.region_code
    if new.entity_uscc:
        entity = registry_service.by_uscc(session, new.entity_uscc)
        if entity is None:
            raise ValidationFailed(f"统一社会信用代码 {new.entity_uscc} 对应的经营主体不存在")
        entity_id, region_code = entity.id, entity.region_code
    region = regions_service.get(session, region_code)
    problems = assignment_problems(
        role=new.role,
        region_level=None if region is None else region.level,
        has_entity=entity_id is not None,
        username=new.username,
    )
    if problems:
        raise ValidationFailed("；".join(problems), problems=problems)
    ensure_region(actor, region_code, within_jurisdiction=True)
    if session.scalar(select(User.id).where(User.username == new.username)) is not None:
        raise Conflict(f"用户名 {new.username} 已被使用")
    check_password(settings, new.password, new.username)
    now = clock.utcnow()
    user = User(
        username=new.username,
        display_name=new.display_name.strip() or new.username,
        role=new.role.value,
        region_code=region_code,
        entity_id=entity_id,
        phone=new.phone,
        password_hash=passwords.hash_password(new.password),
        password_changed_at=now,
        must_change_password=new.must_change_password,
        is_active=True,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    session.flush()
    audit.record(
        session, actor=actor, event=UserCreated(object_id=str(user.id), after=_snapshot(user))
    )
    return user


def list_users(
    session: Session,
    *,
    actor: Actor,
    role: Role | None = None,
    search: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[Sequence[User], int]:
    require(actor, Capability.MANAGE_USERS)
    stmt = select(User).where(region_prefix_clause(User.region_code, actor.jurisdiction))
    if role is not None:
        stmt = stmt.where(User.role == role.value)
    if search:
        like = f"%{search.strip()}%"
        stmt = stmt.where(User.username.like(like) | User.display_name.like(like))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(User.username).limit(limit).offset(offset)).all()
    return rows, total


def get_user(session: Session, *, actor: Actor, user_id: int) -> User:
    require(actor, Capability.MANAGE_USERS)
    user = session.get(User, user_id)
    if user is None or not user.region_code.startswith(actor.jurisdiction):
        raise NotFound("用户不存在")
    return user


def set_active(session: Session, *, actor: Actor, user_id: int, active: bool) -> User:
    """Enable or disable an account; disabling ends its sessions."""
    user = get_user(session, actor=actor, user_id=user_id)
    if user.id == actor.user_id and not active:
        raise ValidationFailed("不能停用自己的账号")
    before = _snapshot(user)
    user.is_active = active
    user.updated_at = clock.utcnow()
    audit.record(
        session,
        actor=actor,
        event=UserUpdated(object_id=str(user.id), before=before, after=_snapshot(user)),
    )
    if not active:
        sessions.end_all(session, actor=actor, user=user, reason="disabled")
    return user


def reset_password(
    session: Session, *, actor: Actor, settings: Settings, user_id: int, new_password: str
) -> User:
    """An administrator sets a temporary password; the user must change it at next login."""
    user = get_user(session, actor=actor, user_id=user_id)
    check_password(settings, new_password, user.username)
    _store_password(user, new_password, must_change=True)
    audit.record(session, actor=actor, event=PasswordChanged(object_id=str(user.id), by_self=False))
    sessions.end_all(session, actor=actor, user=user, reason="password_reset")
    return user


def change_own_password(
    session: Session, *, actor: Actor, settings: Settings, old_password: str, new_password: str
) -> User:
    """The logged-in user changes their password; other sessions of theirs end."""
    user = session.get(User, actor.user_id) if actor.user_id else None
    if user is None:
        raise NotFound("用户不存在")
    if not passwords.verify_password(user.password_hash, old_password):
        raise ValidationFailed("原密码不正确")
    if old_password == new_password:
        raise PasswordRejected("新密码不能与原密码相同")
    check_password(settings, new_password, user.username)
    _store_password(user, new_password, must_change=False)
    audit.record(session, actor=actor, event=PasswordChanged(object_id=str(user.id), by_self=True))
    sessions.end_all(
        session, actor=actor, user=user, reason="password_changed", keep=actor.session_id
    )
    return user


def _store_password(user: User, password: str, *, must_change: bool) -> None:
    now = clock.utcnow()
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = now
    user.must_change_password = must_change
    user.updated_at = now
