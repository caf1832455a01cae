"""Events of accounts and security: sign-in, users, passwords, sessions, the region viewed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lookthrough.audit.events.base import AuditEventType


@dataclass(frozen=True, slots=True)
class LoginSucceeded(AuditEventType):
    kind = "accounts.login_succeeded"
    label = "登录成功"
    object_type = "user"
    object_id: str


@dataclass(frozen=True, slots=True)
class LoginFailed(AuditEventType):
    kind = "accounts.login_failed"
    label = "登录失败"
    object_type = "user"
    object_id: str  # the username typed, which may not exist
    reason: str  # bad_password | unknown_user | locked | inactive


@dataclass(frozen=True, slots=True)
class AccountLocked(AuditEventType):
    kind = "accounts.account_locked"
    label = "账号锁定"
    object_type = "user"
    object_id: str
    failures: int
    locked_until: str


@dataclass(frozen=True, slots=True)
class LoggedOut(AuditEventType):
    kind = "accounts.logged_out"
    label = "退出登录"
    object_type = "user"
    object_id: str


@dataclass(frozen=True, slots=True)
class AccessDenied(AuditEventType):
    kind = "security.access_denied"
    label = "越权访问被拒绝"
    object_type = "route"
    object_id: str  # method and path
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class UserCreated(AuditEventType):
    kind = "accounts.user_created"
    label = "创建用户"
    object_type = "user"
    object_id: str
    after: dict[str, Any]


@dataclass(frozen=True, slots=True)
class UserUpdated(AuditEventType):
    kind = "accounts.user_updated"
    label = "修改用户"
    object_type = "user"
    object_id: str
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PasswordChanged(AuditEventType):
    kind = "accounts.password_changed"
    label = "修改密码"
    object_type = "user"
    object_id: str
    by_self: bool


@dataclass(frozen=True, slots=True)
class AccountUnlocked(AuditEventType):
    kind = "security.account_unlocked"
    label = "解除锁定"
    object_type = "user"
    object_id: str


@dataclass(frozen=True, slots=True)
class SessionsEnded(AuditEventType):
    kind = "security.sessions_ended"
    label = "强制下线"
    object_type = "user"
    object_id: str
    count: int
    reason: str


@dataclass(frozen=True, slots=True)
class RegionSwitched(AuditEventType):
    kind = "accounts.region_switched"
    label = "切换查看区域"
    object_type = "region"
    object_id: str
    before: dict[str, Any]
    after: dict[str, Any]
