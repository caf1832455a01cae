"""Businesses' "1+N" credit-risk classes (信用风险分类) as other domains read them: one
business's classes, and (entity_id, grade) as a sub-select for stratified draws."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.roles import Capability
from lookthrough.core.scope import (
    THE_BUSINESS,
    business_params,
    region_param_clause,
    region_prefix_clause,
    require,
)
from lookthrough.risk.models import CreditClass
from lookthrough.risk.service.base import in_scope

GENERAL = "general"


@lru_cache(maxsize=1)
def _classes_statement() -> Select[str, str]:
    return select(CreditClass.domain, CreditClass.grade).where(
        CreditClass.entity_id == THE_BUSINESS, region_param_clause(CreditClass.region_code)
    )


def credit_classes_of(session: Session, *, actor: Actor, entity_id: int) -> dict[str, str]:
    """The business's "1+N" classes: ``{"general": "B", "food": "C"}``."""
    require(actor, Capability.READ_BUSINESS)
    rows = session.execute(_classes_statement(), business_params(actor, entity_id)).all()
    return {str(domain): str(grade) for domain, grade in rows}


def credit_class_of(
    session: Session, *, actor: Actor, entity_id: int, domain: str = GENERAL
) -> str | None:
    """One class of the business (the general one by default)."""
    return credit_classes_of(session, actor=actor, entity_id=entity_id).get(domain)


def credit_class_select(
    actor: Actor, *, domain: str = GENERAL, region: str | None = None
) -> Select[int, str]:
    """(entity_id, grade) of the businesses in scope, for stratified draws (双随机 by A/B/C/D).
    A sub-select: fold it into your own query rather than loading millions of ids."""
    require(actor, Capability.READ_BUSINESS)
    stmt = select(CreditClass.entity_id, CreditClass.grade).where(
        CreditClass.domain == domain, in_scope(actor, CreditClass.region_code)
    )
    if region:
        stmt = stmt.where(region_prefix_clause(CreditClass.region_code, region))
    return stmt
