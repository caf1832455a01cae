"""Who is acting, from where, and over which part of the province."""

from __future__ import annotations

from dataclasses import dataclass, replace

from lookthrough.core.roles import Role


@dataclass(frozen=True, slots=True)
class Actor:
    """The user behind a request or command.

    ``jurisdiction`` is the region the account is bound to; ``region`` is the region the user is
    looking at now (the top-bar switch), always equal to or below the jurisdiction.
    """

    user_id: int | None
    username: str
    role: Role
    jurisdiction: str
    region: str
    entity_id: int | None = None
    ip: str | None = None
    request_id: str | None = None
    session_id: str | None = None

    @classmethod
    def system(cls, name: str, *, role: Role = Role.SYSTEM_ADMIN) -> Actor:
        """A command-line or job actor with the whole province as jurisdiction."""
        return cls(
            user_id=None, username=f"system:{name}", role=role, jurisdiction="34", region="34"
        )

    @classmethod
    def public(
        cls, *, ip: str | None = None, request_id: str | None = None, name: str = "anonymous"
    ) -> Actor:
        """Someone not logged in (public pages, failed logins)."""
        return cls(
            user_id=None,
            username=name,
            role=Role.PUBLIC,
            jurisdiction="34",
            region="34",
            ip=ip,
            request_id=request_id,
        )

    def with_region(self, region: str) -> Actor:
        return replace(self, region=region)
