"""Proposals (处置建议): from the current assessments and open alerts in the actor's
jurisdiction, the measure the configured matrix proposes for each business, major risks first,
with its reason; and opening a proposed measure in one step. Businesses that already have a
measure under way are left out: they are being disposed of."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.core.errors import Conflict
from lookthrough.core.roles import Capability
from lookthrough.core.scope import region_prefix_clause, require
from lookthrough.disposal import rules, service
from lookthrough.disposal.models import Measure
from lookthrough.disposal.risk_inputs import (
    Levels,
    alert_levels,
    assessment_levels,
    from_alert,
    from_assessment,
)
from lookthrough.registry.models import Entity
from lookthrough.risk import service as risk_service

LIVE_STATES = ("proposed", *sorted(rules.OPEN_STATES))  # a measure under way
PROPOSED_LEVELS = (1, 2)  # assessments proposed without an alert: 重大 and 较大 risks
LIMIT = 200  # proposals on one page; the rest follow once these are disposed of


@dataclass(frozen=True, slots=True)
class Proposal:
    entity_id: int
    entity_name: str
    region_code: str
    source: str  # assessment | alert
    alert_id: int | None
    title: str  # what triggered it
    levels: Levels
    kind: str
    kind_label: str
    risk_level: str
    reason: str


def proposals(
    session: Session, *, actor: Actor, settings: Settings, limit: int = LIMIT
) -> list[Proposal]:
    """One proposal per business with an open alert or a major / larger risk, major first: the
    alert's when it has one (the newest, most severe), else its assessment's."""
    require(actor, Capability.DISPOSE)
    grid = service.matrix(settings)
    # Not scoped on purpose: a measure escalated to the city above is still under way. The ids
    # only take businesses out of the actor's own (scoped) lists; none is shown.
    busy = select(Measure.entity_id).where(Measure.state.in_(LIVE_STATES))
    alerts = risk_service.open_alerts(session, actor=actor, limit=limit, exclude=busy)
    views = risk_service.top_assessments(
        session, actor=actor, levels=PROPOSED_LEVELS, limit=limit, exclude=busy
    )
    known = {v.entity_id: v for v in views}
    known |= risk_service.assessments_of(
        session, actor=actor, entity_ids={a.entity_id for a in alerts} - set(known)
    )
    found: dict[int, tuple[str, int | None, str, Levels]] = {}
    for alert in alerts:  # the most severe, newest first: the first one per business speaks
        if alert.entity_id not in found:
            levels = alert_levels(alert, known.get(alert.entity_id))
            found[alert.entity_id] = ("alert", alert.id, alert.title, levels)
    for view in views:
        if view.entity_id not in found:
            found[view.entity_id] = ("assessment", None, view.level_label, assessment_levels(view))
    places: dict[int, tuple[str, str]] = {
        int(i): (str(name), str(region))
        for i, name, region in session.execute(
            select(Entity.id, Entity.name, Entity.region_code).where(
                Entity.id.in_(list(found)), region_prefix_clause(Entity.region_code, actor.region)
            )
        )
    } if found else {}  # fmt: skip
    made = []
    for entity_id, (source, alert_id, title, levels) in found.items():
        proposal = rules.propose(grid, levels.probability, levels.consequence)
        made.append(
            Proposal(
                entity_id, *places.get(entity_id, ("", "")), source, alert_id,
                title, levels, proposal.kind, grid.kinds[proposal.kind].label,
                proposal.risk_level, f"{proposal.reason}。依据：{levels.basis}",
            )
        )  # fmt: skip
    made.sort(
        key=lambda p: (
            rules.RISK_ORDER[p.risk_level], -p.levels.probability, -p.levels.consequence,
            p.source != "alert", p.entity_id,
        )
    )  # fmt: skip
    return made[:limit]


def _refuse_twice(session: Session, *, actor: Actor, entity_id: int, levels: Levels) -> None:
    """One measure per proposal while it is under way — wherever it went (escalated upward)."""
    live = session.execute(
        select(Measure.id, Measure.region_code).where(
            Measure.entity_id == entity_id,
            Measure.source == levels.source,
            Measure.source_ref == levels.source_ref,
            Measure.state.in_(LIVE_STATES),
        )
    ).first()
    if live is not None:
        where = (
            f"（措施 {live.id}）" if live.region_code.startswith(actor.region) else "（上级办理中）"
        )
        raise Conflict(f"该建议已提出处置措施{where}，请在措施页办理")


def open_from_assessment(
    session: Session, *, actor: Actor, settings: Settings, entity_id: int, now: datetime
) -> Measure:
    """Open the measure proposed from the business's current assessment."""
    require(actor, Capability.DISPOSE)
    levels = from_assessment(session, actor=actor, entity_id=entity_id)
    _refuse_twice(session, actor=actor, entity_id=entity_id, levels=levels)
    return service.open_measure(
        session, actor=actor, settings=settings, entity_id=entity_id, levels=levels,
        owner_id=None, now=now,
    )  # fmt: skip


def open_from_alert(
    session: Session, *, actor: Actor, settings: Settings, alert_id: int, now: datetime
) -> Measure:
    """Open the measure proposed from an early warning."""
    require(actor, Capability.DISPOSE)
    entity_id, levels = from_alert(session, actor=actor, alert_id=alert_id)
    _refuse_twice(session, actor=actor, entity_id=entity_id, levels=levels)
    return service.open_measure(
        session, actor=actor, settings=settings, entity_id=entity_id, levels=levels,
        owner_id=None, now=now,
    )  # fmt: skip
