"""What every read of the risk service shares: the actor's region as a clause, and how many ids
go in one IN list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from lookthrough.core.actor import Actor
from lookthrough.core.scope import region_prefix_clause

LOOKUP_CHUNK = 2000  # ids per IN list (SQLite allows 32,766 parameters)


def in_scope(actor: Actor, column: Any) -> ColumnElement[bool]:
    return region_prefix_clause(column, actor.region)
