"""Rows of the risk tables as scoring leaves them, for API and page tests."""

from __future__ import annotations

from sqlalchemy.orm import Session

from factories import scoring_run
from lookthrough.core import clock
from lookthrough.registry.models import Entity
from lookthrough.risk.models import Alert, Assessment, CreditClass

TOP = [{"code": "complaints_12m", "name": "近12个月投诉举报量", "value": 7.0, "unit": "件",
        "points": 8.5}]  # fmt: skip


def assess(db: Session, entity: Entity, *, level: int = 2, probability: float = 0.4) -> Assessment:
    run = scoring_run(db)
    row = Assessment(entity_id=entity.id, region_code=entity.region_code, field="catering",
                     model_id="logistic-test", run_id=run, digest=0,
                     probability=probability, consequence=2.0, level=level, top=TOP)  # fmt: skip
    db.add(row)
    db.add(CreditClass(entity_id=entity.id, domain="general", region_code=entity.region_code,
                       grade="C", probability=probability, model_id="logistic-test",
                       run_id=run, digest=0))  # fmt: skip
    db.flush()
    return row


def alert(
    db: Session, entity: Entity, *, title: str = "风险等级上升", state: str = "open"
) -> Alert:
    now = clock.utcnow()
    row = Alert(kind="level_rise", entity_id=entity.id, region_code=entity.region_code,
                indicator_code=None, level=2, title=title, detail={"from": 4, "to": 2},
                dedup_key=f"level_rise:{entity.id}:", raised_at=now, state=state,
                updated_at=now)  # fmt: skip
    db.add(row)
    db.flush()
    return row
