"""Request and response shapes for accounts, sessions and security administration."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from lookthrough.accounts.models import User
from lookthrough.core.masking import mask_phone
from lookthrough.core.roles import Role


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class Me(BaseModel):
    id: int
    username: str
    display_name: str
    role: Role
    role_label: str
    jurisdiction: str
    region: str
    entity_id: int | None
    must_change_password: bool


class LoginOut(BaseModel):
    token: str = Field(description="Send as 'Authorization: Bearer <token>'.")
    csrf_token: str = Field(description="Needed only when the session cookie is used.")
    expires_at: datetime
    user: Me


class RegionSwitchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    region_code: str = Field(min_length=2, max_length=12, pattern=r"^\d+$")


class PasswordChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    old_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=3, max_length=64)
    display_name: str = Field(min_length=1, max_length=100)
    role: Role
    region_code: str = Field(
        "",
        max_length=12,
        pattern=r"^(\d{2,12})?$",
        description="Jurisdiction; for an enterprise user it is taken from the business.",
    )
    entity_uscc: str | None = Field(None, min_length=18, max_length=18)
    phone: str | None = Field(None, max_length=40)
    password: str = Field(min_length=1, max_length=256)


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: Role
    role_label: str
    region_code: str
    entity_id: int | None
    phone: str | None = Field(description="Masked.")
    is_active: bool
    must_change_password: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        role = Role(user.role)
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=role,
            role_label=role.label,
            region_code=user.region_code,
            entity_id=user.entity_id,
            phone=mask_phone(user.phone),
            is_active=user.is_active,
            must_change_password=user.must_change_password,
            created_at=user.created_at,
        )


class UserPage(BaseModel):
    total: int
    items: list[UserOut]


class ActiveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    active: bool


class PasswordResetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    new_password: str = Field(min_length=1, max_length=256)


class LockedOut(BaseModel):
    username: str
    locked_until: datetime
    known: bool


class SessionOut(BaseModel):
    user_id: int
    username: str
    role: Role
    ip: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


class SecurityPolicyOut(BaseModel):
    password_profile: str
    password_min_length: int
    password_max_age_days: int
    login_max_failures: int
    login_failure_window_minutes: int
    login_lockout_minutes: int
    session_idle_minutes: int
    session_absolute_hours: int
    audit_retention_days: int


class Done(BaseModel):
    ok: bool = True
    count: int | None = None
