"""The demo's risk step: after the synthetic province is imported, seed the indicator library,
train a model on its past and score every business, so the first page shows real risk."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lookthrough.cli_common import open_session
from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.core.roles import Role
from lookthrough.risk import indicators, scoring, training
from lookthrough.risk.models import ScoringRun

ACTOR = Actor(None, "system:demo risk", Role.PROVINCE_ANALYST, "34", "34")


def train_and_score(settings: Settings, *, console: Any) -> str:
    """Once per database: later demo runs keep the scores (and the alerts being worked)."""
    with open_session(settings) as session:
        if session.scalar(select(ScoringRun.id).limit(1)) is not None:
            return "风险评估已完成"
        indicators.seed_defaults(session, actor=ACTOR)
        console.print("训练风险模型并评估全部经营主体…")
        model = training.train(session, actor=ACTOR, algorithm="logistic").model
        summary = scoring.run(session, actor=ACTOR, dedup_days=settings.risk_alert_dedup_days)
    levels = "，".join(f"{k}级 {v:,}" for k, v in summary.level_counts.items())
    return (
        f"风险模型 {model.id}：已评估 {summary.entities:,} 户（{levels}），"
        f"预警 {summary.alerts:,} 条"
    )
