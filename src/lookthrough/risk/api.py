"""Risk under /api/v1/risk: assessments, dashboards, the alert feed and inbox moves, the
indicator library. Officials only: enterprise users never see scores."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Body, Query
from sqlalchemy import select

from lookthrough.api.deps import ActorDep, SessionDep
from lookthrough.api.errors import signed_in
from lookthrough.core.errors import Conflict, InvalidTransition, NotFound, OutOfJurisdiction
from lookthrough.core.roles import Capability
from lookthrough.core.scope import require
from lookthrough.dashboard.api import MapStatsOut
from lookthrough.risk import dashboard, inbox, indicators, service
from lookthrough.risk.models import Indicator, RiskModel
from lookthrough.risk.schemas import (
    AlertOut,
    AlertPage,
    AssessmentDetailOut,
    AssessmentOut,
    AssignIn,
    CloseIn,
    FieldRowOut,
    IndicatorOut,
    ModelOut,
    TestOut,
    TopRiskOut,
    TopRiskPage,
    TrendPointOut,
)

router = APIRouter(prefix="/risk", tags=["risk 风险"])
REGION = Query(None, pattern=r"^\d{2,12}$")
DEFINITION = Body(..., description="指标定义（JSON）")


def _assessment(view: service.AssessmentView) -> AssessmentOut:
    data = asdict(view)
    data["reasons"] = [asdict(r) | {"text": r.text} for r in view.reasons]
    return AssessmentOut.model_validate(data)


@router.get(
    "/assessments/{entity_id}", response_model=AssessmentDetailOut, responses=signed_in(NotFound)
)
def assessment(entity_id: int, actor: ActorDep, db: SessionDep) -> AssessmentDetailOut:
    """A business's current assessment: level, probability, consequence and reasons."""
    view = service.current_assessment(db, actor=actor, entity_id=entity_id)
    if view is None:
        raise NotFound("该经营主体尚无风险评估，或不在您的管辖范围内")
    classes = service.credit_classes_of(db, actor=actor, entity_id=entity_id)
    return AssessmentDetailOut(**_assessment(view).model_dump(), credit_classes=classes)


@router.get("/top", response_model=TopRiskPage, responses=signed_in(OutOfJurisdiction))
def top(
    actor: ActorDep,
    db: SessionDep,
    region: str | None = REGION,
    limit: int = Query(20, ge=1, le=200),
    offset: int = Query(0, ge=0),
) -> TopRiskPage:
    """The riskiest businesses (levels I–III) in scope, with the reasons."""
    rows, total = dashboard.top_risks(db, actor=actor, region=region, limit=limit, offset=offset)
    return TopRiskPage(
        total=total,
        items=[TopRiskOut(name=r.name, assessment=_assessment(r.assessment)) for r in rows],
    )


@router.get("/map", response_model=MapStatsOut, responses=signed_in(NotFound, OutOfJurisdiction))
def risk_map(
    actor: ActorDep,
    db: SessionDep,
    region: str | None = REGION,
    metric: dashboard.RiskMetric = "high",
) -> dict[str, Any]:
    """Businesses at high risk per sub-region, for the map coloured by risk."""
    return asdict(dashboard.risk_map(db, actor=actor, region=region, metric=metric))


@router.get(
    "/distribution", response_model=list[FieldRowOut], responses=signed_in(OutOfJurisdiction)
)
def distribution(
    actor: ActorDep, db: SessionDep, region: str | None = REGION
) -> list[dashboard.FieldRow]:
    """Businesses by field and level."""
    return dashboard.distribution(db, actor=actor, region=region)


@router.get("/trend", response_model=list[TrendPointOut], responses=signed_in(OutOfJurisdiction))
def trend(
    actor: ActorDep, db: SessionDep, region: str | None = REGION
) -> list[dashboard.TrendPoint]:
    """Businesses by level after each full re-score."""
    return dashboard.trend(db, actor=actor, region=region)


@router.get("/alerts", response_model=AlertPage, responses=signed_in())
def alerts(
    actor: ActorDep,
    db: SessionDep,
    state: str | None = Query(None, pattern=r"^(open|acknowledged|assigned|closed)$"),
    kind: str | None = Query(None, pattern=r"^(level_rise|threshold|baseline|rectify_overdue)$"),
    region: str | None = REGION,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> AlertPage:
    """The alert feed of the actor's region (most serious and newest first)."""
    rows, total = inbox.search(
        db, actor=actor, state=state, kind=kind, region=region, limit=limit, offset=offset
    )
    return AlertPage(total=total, items=[AlertOut.model_validate(r) for r in rows])


@router.get("/alerts/{alert_id}", response_model=AlertOut, responses=signed_in(NotFound))
def alert(alert_id: int, actor: ActorDep, db: SessionDep) -> AlertOut:
    return AlertOut.model_validate(inbox.get(db, actor=actor, alert_id=alert_id))


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response_model=AlertOut,
    responses=signed_in(NotFound, InvalidTransition),
)
def acknowledge(alert_id: int, actor: ActorDep, db: SessionDep) -> AlertOut:
    """签收 Take the alert on (open → acknowledged)."""
    return AlertOut.model_validate(
        inbox.move(db, actor=actor, alert_id=alert_id, action="acknowledge")
    )


@router.post(
    "/alerts/{alert_id}/assign",
    response_model=AlertOut,
    responses=signed_in(NotFound, InvalidTransition),
)
def assign(alert_id: int, body: AssignIn, actor: ActorDep, db: SessionDep) -> AlertOut:
    """指派 Hand the alert to an official responsible for its region."""
    return AlertOut.model_validate(
        inbox.move(
            db, actor=actor, alert_id=alert_id, action="assign", assignee_id=body.assignee_id
        )
    )


@router.post(
    "/alerts/{alert_id}/close",
    response_model=AlertOut,
    responses=signed_in(NotFound, InvalidTransition),
)
def close(alert_id: int, body: CloseIn, actor: ActorDep, db: SessionDep) -> AlertOut:
    """办结 Close the alert with what was done."""
    return AlertOut.model_validate(
        inbox.move(db, actor=actor, alert_id=alert_id, action="close", note=body.note)
    )


def _indicator(row: Indicator) -> IndicatorOut:
    return IndicatorOut(
        id=row.id,
        code=row.code,
        version=row.version,
        status=row.status,
        definition=row.definition,
        created_by=row.created_by,
        created_at=row.created_at,
        published_at=row.published_at,
    )


@router.get("/indicators", response_model=list[IndicatorOut], responses=signed_in())
def library(actor: ActorDep, db: SessionDep) -> list[IndicatorOut]:
    """The indicator library: each indicator's newest version, drafts included."""
    require(actor, Capability.MANAGE_INDICATORS)
    return [_indicator(r) for r in indicators.library(db, actor=actor)]


@router.post("/indicators", response_model=IndicatorOut, status_code=201, responses=signed_in())
def save(actor: ActorDep, db: SessionDep, definition: dict[str, Any] = DEFINITION) -> IndicatorOut:
    """Save a definition as a draft (a new indicator, or a new version of one)."""
    return _indicator(indicators.save_draft(db, actor=actor, data=definition))


@router.post("/indicators/test", response_model=TestOut, responses=signed_in())
def test(actor: ActorDep, db: SessionDep, definition: dict[str, Any] = DEFINITION) -> TestOut:
    """Run a definition on live data in the actor's region: distribution and top subjects."""
    result = indicators.test_on_live_data(db, actor=actor, data=definition)
    return TestOut.model_validate(asdict(result))


@router.get(
    "/indicators/{indicator_id}", response_model=IndicatorOut, responses=signed_in(NotFound)
)
def indicator(indicator_id: int, actor: ActorDep, db: SessionDep) -> IndicatorOut:
    require(actor, Capability.MANAGE_INDICATORS)
    return _indicator(indicators.get(db, actor=actor, indicator_id=indicator_id))


@router.post(
    "/indicators/{indicator_id}/publish",
    response_model=IndicatorOut,
    responses=signed_in(NotFound, Conflict),
)
def publish(indicator_id: int, actor: ActorDep, db: SessionDep) -> IndicatorOut:
    """Publish a draft; the version published before it is retired."""
    return _indicator(indicators.publish(db, actor=actor, indicator_id=indicator_id))


@router.get("/models", response_model=list[ModelOut], responses=signed_in())
def models(actor: ActorDep, db: SessionDep) -> list[RiskModel]:
    """Trained models, newest first (the active one is in use)."""
    require(actor, Capability.MANAGE_INDICATORS)
    return list(db.scalars(select(RiskModel).order_by(RiskModel.created_at.desc()).limit(50)))
