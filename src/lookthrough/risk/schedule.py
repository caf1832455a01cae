"""The scheduler process (APScheduler, one process): the nightly full re-score and the frequent
incremental one. Each job runs in its own transaction; a failed run is logged and the next one
starts from the last successful run's watermark.
"""

from __future__ import annotations

import logging

from lookthrough.cli_common import open_session
from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.core.errors import LookthroughError
from lookthrough.core.roles import Role
from lookthrough.risk import scoring

log = logging.getLogger("lookthrough.risk.schedule")


def _actor(job: str) -> Actor:
    return Actor(
        user_id=None,
        username=f"system:scheduler {job}",
        role=Role.PROVINCE_ANALYST,
        jurisdiction="34",
        region="34",
    )


def run_job(settings: Settings, kind: str) -> scoring.RunSummary | None:
    """One scoring run; errors are logged, not raised (the scheduler keeps going)."""
    try:
        with open_session(settings) as session:
            summary = scoring.run(
                session,
                actor=_actor(kind),
                kind=kind,
                dedup_days=settings.risk_alert_dedup_days,
            )
    except LookthroughError as error:
        log.warning("risk %s re-score skipped: %s", kind, error.message)
        return None
    log.info("risk %s re-score: %s businesses, %s alerts", kind, summary.entities, summary.alerts)
    return summary


def run_scheduler(settings: Settings, *, once: bool = False) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if once:
        run_job(settings, "full")
        run_job(settings, "incremental")
        return
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    scheduler = BlockingScheduler(timezone="Asia/Shanghai")
    scheduler.add_job(
        run_job,
        CronTrigger(hour=settings.risk_full_rescore_hour, minute=0),
        args=(settings, "full"),
        id="risk-full",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        run_job,
        IntervalTrigger(minutes=settings.risk_incremental_minutes),
        args=(settings, "incremental"),
        id="risk-incremental",
        max_instances=1,
        coalesce=True,
    )
    log.info(
        "scheduler started: full re-score at %02d:00, incremental every %d min",
        settings.risk_full_rescore_hour,
        settings.risk_incremental_minutes,
    )
    scheduler.start()
