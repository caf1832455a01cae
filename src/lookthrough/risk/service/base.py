"""What every read of the risk service shares: the actor's region as a clause (or, for the
statements built once that read one business, as bound parameters), and how many ids go in one
IN list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Integer, bindparam

from lookthrough.core.actor import Actor
from lookthrough.core.scope import region_prefix_clause, scope_params

LOOKUP_CHUNK = 2000  # ids per IN list (SQLite allows 32,766 parameters)


def in_scope(actor: Actor, column: Any) -> ColumnElement[bool]:
    return region_prefix_clause(column, actor.region)


ONE_ENTITY = bindparam("risk_entity", type_=Integer())


def one_business(actor: Actor, entity_id: int) -> dict[str, Any]:
    """The values of a statement built once over ``ONE_ENTITY`` and ``region_param_clause``."""
    return {"risk_entity": entity_id, **scope_params(actor)}
