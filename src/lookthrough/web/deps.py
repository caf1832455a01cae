"""Dependencies for HTML pages: the actor plus what the top bar shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from lookthrough.api.deps import ActorDep, SessionDep
from lookthrough.core.actor import Actor
from lookthrough.regions import service as regions_service


@dataclass(frozen=True, slots=True)
class TopBar:
    jurisdiction_name: str
    lineage: list[tuple[str, str]]  # from the jurisdiction down to the current region
    children: list[tuple[str, str]]  # regions one level down the user may switch to


def page_actor(request: Request, actor: ActorDep, db: SessionDep) -> Actor:
    # Switching goes down to county level; towns are filters.
    chain, below = regions_service.around(db, actor.region, with_children=len(actor.region) < 6)
    names = {r.code: r.name for r in chain}
    jurisdiction_name = names.get(actor.jurisdiction) or actor.jurisdiction
    lineage = [(r.code, r.name) for r in chain if r.code.startswith(actor.jurisdiction)]
    kids = [(r.code, r.name) for r in below]
    request.state.topbar = TopBar(jurisdiction_name, lineage, kids)
    return actor


PageActorDep = Annotated[Actor, Depends(page_actor)]
