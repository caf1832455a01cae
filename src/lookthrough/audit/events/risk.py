"""Events of risk: indicators, models, scoring runs, alerts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lookthrough.audit.events.base import AuditEventType


@dataclass(frozen=True, slots=True)
class IndicatorSaved(AuditEventType):
    kind = "risk.indicator_saved"
    label = "保存风险指标草稿"
    object_type = "risk_indicator"
    object_id: str  # code@version
    before: dict[str, Any] | None
    after: dict[str, Any]


@dataclass(frozen=True, slots=True)
class IndicatorPublished(AuditEventType):
    kind = "risk.indicator_published"
    label = "发布风险指标"
    object_type = "risk_indicator"
    object_id: str  # code@version
    version: int


@dataclass(frozen=True, slots=True)
class RiskModelTrained(AuditEventType):
    kind = "risk.model_trained"
    label = "训练风险模型"
    object_type = "risk_model"
    object_id: str
    algorithm: str
    sha256: str
    n_train: int
    activated: bool


@dataclass(frozen=True, slots=True)
class RiskScored(AuditEventType):
    kind = "risk.scored"
    label = "风险评估"
    object_type = "risk_run"
    object_id: str
    run_kind: str  # full | incremental
    model_id: str
    entities: int
    alerts: int


@dataclass(frozen=True, slots=True)
class AlertChanged(AuditEventType):
    kind = "risk.alert_changed"
    label = "处理风险预警"
    object_type = "risk_alert"
    object_id: str
    before: dict[str, Any]
    after: dict[str, Any]
