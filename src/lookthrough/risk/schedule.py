"""Risk's scheduled jobs (run by the one scheduler, ``lookthrough/scheduler.py``): the nightly
full re-score and the frequent incremental one. Both write assessments, level changes, alerts
and the "1+N" credit classes (a full run recomputes the class cut-offs; an incremental one
grades the businesses it touched by them). A failed run is rolled back and the next one starts
from the last successful run's watermark.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.risk import scoring
from lookthrough.risk import service as risk_service
from lookthrough.scheduler import Daily, Done, Every, Job, JobFunction

KIND_LABELS = {"full": "全量", "incremental": "增量"}


def _rescore(kind: str) -> JobFunction:
    def run(session: Session, actor: Actor, settings: Settings, now: datetime) -> Done:
        del now  # a run scores up to the newest record it finds
        summary = scoring.run(
            session,
            actor=actor,
            kind=kind,
            dedup_days=settings.risk_alert_dedup_days,
            mirror_folder=scoring.mirror_folder(settings),
        )
        classes = session.scalar(
            select(func.count()).select_from(risk_service.credit_class_select(actor).subquery())
        )
        levels = "，".join(
            f"{label} {summary.level_counts.get(n, 0)}"
            for n, label in ((1, "重大"), (2, "较大"), (3, "一般"), (4, "低"))
        )
        return Done(
            f"{KIND_LABELS.get(summary.kind, summary.kind)}重评 {summary.entities} 户（{levels}），"
            f"新预警 {summary.alerts} 条，综合信用风险分类 {classes or 0} 户",
            {
                "run_id": summary.run_id, "kind": summary.kind, "entities": summary.entities,
                "alerts": summary.alerts, "credit_classes": int(classes or 0),
                "as_of": summary.as_of.isoformat(),
            },
        )  # fmt: skip

    return run


JOBS = (
    Job(
        "risk.full",
        "风险全量重评与信用风险分类",
        _rescore("full"),
        lambda s: Daily(s.risk_full_rescore_hour),
    ),
    Job(
        "risk.incremental",
        "风险增量重评",
        _rescore("incremental"),
        lambda s: Every(s.risk_incremental_minutes),
    ),
)
