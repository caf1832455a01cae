"""Early warnings (预警) for other domains: reading the open ones (a worklist's, a business's
file's) and raising their own (an overdue rectification task …), each once per dedup key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.errors import OutOfJurisdiction
from lookthrough.core.roles import Capability
from lookthrough.core.scope import THE_BUSINESS, business_params, region_param_clause, require
from lookthrough.risk import rules
from lookthrough.risk.models import Alert
from lookthrough.risk.service.base import LOOKUP_CHUNK, in_scope

ALERT_OPEN_STATES = ("open", "acknowledged", "assigned")  # not yet closed


@dataclass(frozen=True, slots=True)
class AlertBrief:
    id: int
    entity_id: int
    region_code: str
    kind_label: str
    level: int
    title: str
    state: str
    raised_at: dt.datetime


def _brief(row: Alert) -> AlertBrief:
    return AlertBrief(
        row.id, row.entity_id, row.region_code, rules.ALERT_KINDS.get(row.kind, row.kind),
        row.level, row.title, row.state, row.raised_at,
    )  # fmt: skip


def alert_brief(session: Session, *, actor: Actor, alert_id: int) -> AlertBrief | None:
    """One alert in scope (None when out of scope or unknown)."""
    require(actor, Capability.READ_BUSINESS)
    row = session.scalar(
        select(Alert).where(Alert.id == alert_id, in_scope(actor, Alert.region_code))
    )
    return None if row is None else _brief(row)


def open_alerts(
    session: Session, *, actor: Actor, limit: int, exclude: Select[int] | None = None
) -> list[AlertBrief]:
    """Alerts in scope not yet closed, the most severe first, then the newest; without the
    businesses ``exclude`` names."""
    require(actor, Capability.READ_BUSINESS)
    stmt = select(Alert).where(
        Alert.state.in_(ALERT_OPEN_STATES), in_scope(actor, Alert.region_code)
    )
    if exclude is not None:
        stmt = stmt.where(Alert.entity_id.not_in(exclude))
    rows = session.scalars(
        stmt.order_by(Alert.level, Alert.raised_at.desc(), Alert.id.desc()).limit(limit)
    ).all()
    return [_brief(row) for row in rows]


@dataclass(frozen=True, slots=True)
class AlertIn:
    """An early warning another domain raises (an overdue rectification task …): about one
    business, routed to ``region_code``, raised once per ``dedup_key``."""

    kind: str  # one of rules.ALERT_KINDS (at most 20 characters: the column is that wide)
    entity_id: int
    region_code: str
    level: int
    title: str
    detail: dict[str, Any]
    dedup_key: str


def raise_alerts(
    session: Session, *, actor: Actor, alerts: Sequence[AlertIn], now: dt.datetime
) -> list[int]:
    """Add the alerts whose ``dedup_key`` has never been raised (whatever became of the earlier
    one: a closed alert is not raised again for the same thing); returns the new alerts' ids.

    Only regions inside the actor's jurisdiction are written to, so a job run for one city
    cannot drop alerts into another's inbox."""
    require(actor, Capability.READ_BUSINESS)
    for a in alerts:
        if a.kind not in rules.ALERT_KINDS:
            raise ValueError(f"unknown alert kind {a.kind!r}")
        if not a.region_code.startswith(actor.jurisdiction):
            raise OutOfJurisdiction(region=a.region_code)
    keys = sorted({a.dedup_key for a in alerts})
    seen: set[str] = set()
    for n in range(0, len(keys), LOOKUP_CHUNK):
        seen.update(
            session.scalars(
                select(Alert.dedup_key).where(Alert.dedup_key.in_(keys[n : n + LOOKUP_CHUNK]))
            )
        )
    fresh = []
    for a in alerts:
        if a.dedup_key in seen:
            continue
        seen.add(a.dedup_key)
        fresh.append(
            Alert(kind=a.kind, entity_id=a.entity_id, region_code=a.region_code,
                  indicator_code=None, level=a.level, title=a.title[:300], detail=a.detail,
                  dedup_key=a.dedup_key, raised_at=now, state="open", updated_at=now,
                  updated_by=actor.username)
        )  # fmt: skip
    session.add_all(fresh)
    session.flush()
    return [a.id for a in fresh]


ALERTS_SHOWN = 50  # on a business's file


@lru_cache(maxsize=1)
def _open_of_statement() -> Select[Alert]:
    return (
        select(Alert)
        .where(
            Alert.entity_id == THE_BUSINESS,
            Alert.state != "closed",
            region_param_clause(Alert.region_code),
        )
        .order_by(Alert.raised_at.desc(), Alert.id.desc())
        .limit(ALERTS_SHOWN)
    )


def open_alerts_of(session: Session, *, actor: Actor, entity_id: int) -> list[Alert]:
    """The business's alerts not yet closed, in the actor's region, newest first."""
    require(actor, Capability.READ_BUSINESS)
    return list(session.scalars(_open_of_statement(), business_params(actor, entity_id)))
