"""The published indicators (指标) other domains read: by supervised field or by matter (事项),
and every code the risk domain knows (the lists check the codes their templates name)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from lookthrough.engine.definitions import IndicatorSpec
from lookthrough.risk import indicators
from lookthrough.risk.models import Indicator
from lookthrough.risk.scorers import applies


@dataclass(frozen=True, slots=True)
class IndicatorView:
    id: int
    code: str
    version: int
    name: str
    matter: str
    risk_point: str
    explanation: str
    threshold: float
    unit: str
    fields: list[str]


def _view(row_id: int, version: int, spec: IndicatorSpec) -> IndicatorView:
    return IndicatorView(
        row_id,
        spec.code,
        version,
        spec.name,
        spec.matter,
        spec.risk_point,
        spec.explanation,
        spec.threshold,
        spec.unit,
        list(spec.fields),
    )


def indicators_by_field(session: Session, *, field: str | None = None) -> list[IndicatorView]:
    """Published indicators that apply to a supervised field (all of them when None); general
    credit-risk indicators apply to every field."""
    found = []
    for row in indicators.published(session):
        spec = IndicatorSpec.model_validate(row.definition)
        if field is None or bool(applies(spec, _one(field))[0]):
            found.append(_view(row.id, row.version, spec))
    return found


def indicator_codes(session: Session) -> set[str]:
    """Every indicator code the risk domain knows: the shipped library and every code in the
    indicator table that is published or in draft (a retired code measures nothing now)."""
    shipped = {str(item["code"]) for item in indicators.default_library()}
    stored = session.scalars(
        select(Indicator.code).where(Indicator.status.in_(("published", "draft"))).distinct()
    )
    return shipped | {str(code) for code in stored}


def indicators_for_matter(session: Session, *, matter: str) -> list[IndicatorView]:
    """Published indicators serving a matter (事项), e.g. ``电梯安全`` — for the lists' key risk
    points."""
    return [
        _view(row.id, row.version, spec)
        for row in indicators.published(session)
        if (spec := IndicatorSpec.model_validate(row.definition)).matter == matter
    ]


def _one(field: str) -> np.ndarray:
    return np.array([field], dtype=object)
