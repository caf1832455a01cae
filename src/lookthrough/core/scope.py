"""Jurisdiction scoping, applied in the service layer to every query.

Region codes are hierarchical by prefix (34 ⊃ 3401 ⊃ 340104 ⊃ 340104001 ⊃ 340104001001), so "in my
jurisdiction" is "code starts with my region's code". It is written as a half-open range
(``code >= '3401' AND code < '3402'``) so both SQLite and PostgreSQL use the index.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, false

from lookthrough.core.actor import Actor
from lookthrough.core.errors import OutOfJurisdiction, PermissionDenied
from lookthrough.core.roles import OFFICIALS, Capability, Role, can


def within(code: str, region: str) -> bool:
    """Whether region ``code`` lies in (or is) ``region``."""
    return code.startswith(region)


def _prefix_upper_bound(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def region_prefix_clause(column: Any, prefix: str) -> ColumnElement[bool]:
    """SQL for ``column`` lying in region ``prefix``."""
    result: ColumnElement[bool] = and_(column >= prefix, column < _prefix_upper_bound(prefix))
    return result


def business_clause(
    actor: Actor, *, region_column: Any, entity_column: Any | None = None
) -> ColumnElement[bool]:
    """The filter every query over business data (entities, records …) must carry.

    Officials see their current region and everything below it; an enterprise user sees only
    rows of their own entity; administrators see no business data at all.
    """
    if actor.role in OFFICIALS:
        return region_prefix_clause(region_column, actor.region)
    if actor.role is Role.ENTERPRISE and entity_column is not None and actor.entity_id:
        clause: ColumnElement[bool] = entity_column == actor.entity_id
        return clause
    return false()


def require(actor: Actor, capability: Capability) -> None:
    """Refuse an actor whose role lacks ``capability``."""
    if not can(actor.role, capability):
        raise PermissionDenied(capability=capability.value)


def require_business_reader(actor: Actor) -> None:
    """Officials read business data in scope; an enterprise user reads its own entity only."""
    if not (
        can(actor.role, Capability.READ_BUSINESS) or can(actor.role, Capability.READ_OWN_ENTITY)
    ):
        raise PermissionDenied()


def ensure_region(actor: Actor, code: str, *, within_jurisdiction: bool = False) -> None:
    """Refuse a region outside the actor's current region (or whole jurisdiction)."""
    limit = actor.jurisdiction if within_jurisdiction else actor.region
    if not within(code, limit):
        raise OutOfJurisdiction(region=code)
