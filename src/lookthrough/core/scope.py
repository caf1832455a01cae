"""Jurisdiction scoping, applied in the service layer to every query.

Region codes are hierarchical by prefix (34 ⊃ 3401 ⊃ 340104 ⊃ 340104001 ⊃ 340104001001), so "in my
jurisdiction" is "code starts with my region's code". It is written as a half-open range
(``code >= '3401' AND code < '3402'``) so both SQLite and PostgreSQL use the index.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, Integer, String, and_, bindparam, false, func

from lookthrough.core.actor import Actor
from lookthrough.core.errors import OutOfJurisdiction, PermissionDenied
from lookthrough.core.roles import OFFICIALS, Capability, Role, can


def within(code: str, region: str) -> bool:
    """Whether region ``code`` lies in (or is) ``region``."""
    return code.startswith(region)


def prefix_upper_bound(prefix: str) -> str:
    """The first code after every code that starts with ``prefix`` (3401 → 3402)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def region_prefix_clause(column: Any, prefix: str) -> ColumnElement[bool]:
    """SQL for ``column`` lying in region ``prefix``."""
    result: ColumnElement[bool] = and_(column >= prefix, column < prefix_upper_bound(prefix))
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


# The same scope with the actor as bound parameters, for statements built once and run with
# every request's values (the file's reads: building and cache-keying a dozen statements took
# a quarter of a file's CPU; bench/RESULTS.md, the file, fifth pass). A statement using these
# runs with ``scope_params(actor)`` among its parameters.
SCOPE_REGION = bindparam("scope_region", type_=String())
SCOPE_REGION_LEN = bindparam("scope_region_len", type_=Integer())
SCOPE_ENTITY = bindparam("scope_entity", type_=Integer())
# The one business a statement reads (a file and its sections): run with ``business_params``.
THE_BUSINESS = bindparam("the_business", type_=Integer())


class Reach(Enum):
    """Whose business data an actor reads: a region's, one business's own, or none."""

    REGION = "region"
    OWN_ENTITY = "own_entity"
    NOTHING = "nothing"

    @classmethod
    def of(cls, actor: Actor) -> Reach:
        if actor.role in OFFICIALS:
            return cls.REGION
        if actor.role is Role.ENTERPRISE and actor.entity_id:
            return cls.OWN_ENTITY
        return cls.NOTHING


def scope_params(actor: Actor) -> dict[str, Any]:
    """The values of the bound scope: the actor's current region and own business."""
    return {
        "scope_region": actor.region,
        "scope_region_len": len(actor.region),
        "scope_entity": actor.entity_id,
    }


def business_params(actor: Actor, entity_id: int) -> dict[str, Any]:
    """The values of a statement built once over ``THE_BUSINESS`` and the bound scope."""
    return {"the_business": entity_id, **scope_params(actor)}


def region_param_clause(column: Any) -> ColumnElement[bool]:
    """``column`` lies in the actor's region, the region bound (``scope_params``).

    A prefix comparison rather than the half-open range of ``region_prefix_clause``: for a
    range of two parameters PostgreSQL's generic plan (psycopg prepares on the fifth run)
    guesses 0.5% of the rows and may AND the region's whole index into a look-up by id (65 ms
    instead of 0.3; bench/RESULTS.md, the file, third pass). As written here no index serves
    it, so it stays a filter: use it where a business's id or another key finds the rows."""
    clause: ColumnElement[bool] = func.substr(column, 1, SCOPE_REGION_LEN) == SCOPE_REGION
    return clause


def business_param_clause(
    reach: Reach, *, region_column: Any, entity_column: Any | None = None
) -> ColumnElement[bool]:
    """``business_clause`` with the actor bound: build once per ``Reach``, run with
    ``scope_params(actor)``."""
    if reach is Reach.REGION:
        return region_param_clause(region_column)
    if reach is Reach.OWN_ENTITY and entity_column is not None:
        clause: ColumnElement[bool] = entity_column == SCOPE_ENTITY
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
