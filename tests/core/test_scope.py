"""The jurisdiction filter with the actor bound as parameters selects exactly what the
filter with the actor written in does, for every kind of viewer, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import make_entity
from lookthrough.core.actor import Actor
from lookthrough.core.roles import Role
from lookthrough.core.scope import (
    Reach,
    business_clause,
    business_param_clause,
    region_param_clause,
    region_prefix_clause,
    scope_params,
)
from lookthrough.registry.models import Entity

REGIONS = ("340104", "340104001", "340103", "340102", "341802", "3401", "340111")


def _viewers(own: int) -> list[Actor]:
    def official(role: Role, region: str) -> Actor:
        return Actor(None, f"t_{region}", role, region, region)

    return [
        official(Role.PROVINCE_ANALYST, "34"),
        official(Role.CITY_OFFICIAL, "3401"),
        official(Role.COUNTY_OFFICIAL, "340104"),
        official(Role.COUNTY_OFFICIAL, "340121"),  # a county with no business here
        official(Role.INSPECTOR, "340104001"),
        Actor(None, "t_own", Role.ENTERPRISE, "340104", "340104", entity_id=own),
        Actor(None, "t_none", Role.ENTERPRISE, "340104", "340104", entity_id=None),
        Actor(None, "t_admin", Role.SYSTEM_ADMIN, "34", "34"),
    ]


def test_bound_scope_selects_what_the_written_scope_selects(db: Session) -> None:
    made = [make_entity(db, region=r) for r in REGIONS]
    ids = [e.id for e in made]
    base = select(Entity.id).where(Entity.id.in_(ids)).order_by(Entity.id)
    seen = {}
    for actor in _viewers(own=made[2].id):
        written = db.scalars(
            base.where(business_clause(actor, region_column=Entity.region_code,
                                       entity_column=Entity.id))
        ).all()  # fmt: skip
        bound_clause = business_param_clause(
            Reach.of(actor), region_column=Entity.region_code, entity_column=Entity.id
        )
        bound = db.scalars(base.where(bound_clause), scope_params(actor)).all()
        assert bound == written, actor.username
        seen[actor.username] = len(bound)
    # Not vacuous: each kind of viewer sees a different part.
    assert seen == {"t_34": 7, "t_3401": 6, "t_340104": 2, "t_340121": 0, "t_340104001": 1,
                    "t_own": 1, "t_none": 0, "t_admin": 0}  # fmt: skip


@pytest.mark.parametrize("region", ["34", "3401", "340104", "340104001", "3418"])
def test_region_param_clause_is_the_prefix_range(db: Session, region: str) -> None:
    made = [make_entity(db, region=r) for r in REGIONS]
    base = select(Entity.id).where(Entity.id.in_([e.id for e in made])).order_by(Entity.id)
    actor = Actor(None, "t", Role.CITY_OFFICIAL, region, region)
    written = db.scalars(base.where(region_prefix_clause(Entity.region_code, region))).all()
    bound = db.scalars(base.where(region_param_clause(Entity.region_code)), scope_params(actor))
    assert bound.all() == written


def test_reach_of_each_role() -> None:
    assert Reach.of(Actor(None, "a", Role.COUNTY_OFFICIAL, "340104", "340104")) is Reach.REGION
    own = Actor(None, "b", Role.ENTERPRISE, "340104", "340104", entity_id=5)
    assert Reach.of(own) is Reach.OWN_ENTITY
    assert Reach.of(Actor(None, "c", Role.ENTERPRISE, "34", "34")) is Reach.NOTHING
    assert Reach.of(Actor(None, "d", Role.AUDIT_ADMIN, "34", "34")) is Reach.NOTHING
