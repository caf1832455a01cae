"""The one scheduler process (APScheduler) for every domain's periodic jobs.

Each domain contributes its jobs as a module with ``JOBS: tuple[Job, ...]`` and the module is
named once in ``DOMAIN_JOBS`` below. A job is a function ``(session, actor, settings, now) →
Done``: it changes what it must through its domain's service (which audits every change as the
job's system actor) and says in Chinese what it did. The scheduler gives each run its own
transaction, records the run itself in the audit trail, and logs a failure without stopping the
jobs after it: a failed run changes nothing, and the next run starts where the last good one left.

``lookthrough scheduler --once`` runs every job once, in ``DOMAIN_JOBS`` order, and prints a line
per job (``--json`` for the same as data).

A domain's job module (``lists/jobs.py`` is the shortest)::

    def overdue(session, actor, settings, now) -> Done:
        raised = raise_overdue_alerts(session, actor=actor, now=now)  # audits its writes
        return Done(f"逾期整改任务新发预警 {raised} 条", {"alerts": raised})

    JOBS = (Job("lists.overdue", "逾期整改任务预警", overdue, lambda s: Daily(1)),)
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import JobFailed, JobRan
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.core.db import engine_for, session_factory, transaction
from lookthrough.core.errors import LookthroughError, ValidationFailed
from lookthrough.core.roles import Role

log = logging.getLogger("lookthrough.scheduler")

# The modules whose ``JOBS`` the scheduler runs, in the order ``--once`` runs them. A domain adds
# its jobs with one line here.
DOMAIN_JOBS: tuple[str, ...] = (
    "lookthrough.risk.schedule",  # risk.full, risk.incremental (with the "1+N" credit classes)
    "lookthrough.disposal.jobs",  # disposal.escalate, disposal.incidents_overdue
    "lookthrough.lists.jobs",  # lists.overdue: overdue rectifications raise alerts
)


@dataclass(frozen=True, slots=True)
class Every:
    """Run every ``minutes`` minutes."""

    minutes: int


@dataclass(frozen=True, slots=True)
class Daily:
    """Run once a day at ``hour``:00, China time."""

    hour: int


@dataclass(frozen=True, slots=True)
class Done:
    """What a job did: one Chinese sentence, and the same as data."""

    summary: str
    data: dict[str, Any] = field(default_factory=dict)


JobFunction = Callable[[Session, Actor, Settings, datetime], Done]


@dataclass(frozen=True, slots=True)
class Job:
    name: str  # domain.job, e.g. "disposal.escalate"
    label: str  # what the summary calls it, in Chinese
    run: JobFunction
    when: Callable[[Settings], Every | Daily]
    role: Role = Role.PROVINCE_ANALYST  # the system actor's role: what the job may do

    def actor(self) -> Actor:
        return Actor.system(f"scheduler {self.name}", role=self.role)


def jobs(modules: Iterable[str] = DOMAIN_JOBS) -> list[Job]:
    """Every registered job, in order; two jobs of one name are refused."""
    found: list[Job] = []
    for module in modules:
        found += importlib.import_module(module).JOBS
    names = [j.name for j in found]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate job names: {sorted(n for n in names if names.count(n) > 1)}")
    return found


def select_jobs(names: Sequence[str] = (), modules: Iterable[str] = DOMAIN_JOBS) -> list[Job]:
    """The jobs named (or whose name starts with ``domain.``); all of them when none is named."""
    every = jobs(modules)
    if not names:
        return every
    chosen = [j for j in every if any(j.name == n or j.name.startswith(f"{n}.") for n in names)]
    unknown = [
        n for n in names if not any(j.name == n or j.name.startswith(f"{n}.") for j in every)
    ]
    if unknown:
        known = "、".join(j.name for j in every)
        raise ValidationFailed(f"未知的定时任务：{'、'.join(unknown)}（可选：{known}）")
    return chosen


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    label: str
    status: str  # ok | skipped (a precondition is not met) | failed
    summary: str
    data: dict[str, Any]
    seconds: float

    @property
    def line(self) -> str:
        mark = {"ok": "✓", "skipped": "–", "failed": "✗"}[self.status]
        return f"{mark} {self.label}（{self.name}）：{self.summary}"


def run_job(
    job: Job, *, settings: Settings, factory: Callable[[], Session], now: datetime | None = None
) -> Outcome:
    """One run of one job in its own transaction. A domain refusal (e.g. no trained model yet)
    is ``skipped``; anything else is ``failed`` and logged with its traceback. Either way the
    transaction is rolled back and the run is recorded in the audit trail."""
    actor = job.actor()
    moment = now or clock.utcnow()
    started = time.perf_counter()
    try:
        with transaction(factory) as session:
            done = job.run(session, actor, settings, moment)
            audit.record(
                session, actor=actor, event=JobRan(object_id=job.name, summary=done.summary)
            )
    except LookthroughError as error:
        status, summary, data = "skipped", f"未执行：{error.message}", {"error": error.message}
        log.warning("job %s skipped: %s", job.name, error.message)
    except Exception as error:  # one job failing must not stop the others
        log.exception("job %s failed", job.name)
        status, summary, data = (
            "failed",
            f"失败：{type(error).__name__}: {error}",
            {"error": f"{type(error).__name__}: {error}"},
        )
    else:
        log.info("job %s: %s", job.name, done.summary)
        return Outcome(
            job.name, job.label, "ok", done.summary, done.data,
            round(time.perf_counter() - started, 2),
        )  # fmt: skip
    _record_failure(job, actor, factory, status, summary)
    return Outcome(
        job.name, job.label, status, summary, data, round(time.perf_counter() - started, 2)
    )


def _record_failure(
    job: Job, actor: Actor, factory: Callable[[], Session], status: str, summary: str
) -> None:
    try:
        with transaction(factory) as session:
            audit.record(
                session,
                actor=actor,
                event=JobFailed(object_id=job.name, summary=summary[:500]),
                outcome="failure",
            )
    except Exception:  # the database itself may be what failed
        log.exception("job %s: could not record the failure in the audit trail", job.name)


def run_once(
    settings: Settings,
    *,
    names: Sequence[str] = (),
    factory: Callable[[], Session] | None = None,
    now: datetime | None = None,
    registry: Sequence[Job] | None = None,
) -> list[Outcome]:
    """Every job (or those named, or those of ``registry``) once, each in its own transaction,
    in registry order."""
    make = factory or session_factory(engine_for(settings.database_url))
    chosen = select_jobs(names) if registry is None else registry
    return [run_job(job, settings=settings, factory=make, now=now) for job in chosen]


def build(settings: Settings, *, names: Sequence[str] = ()) -> Any:
    """The APScheduler scheduler with every job on its trigger, one instance at a time, missed
    runs coalesced into one (not started)."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    factory = session_factory(engine_for(settings.database_url))
    scheduler = BlockingScheduler(timezone="Asia/Shanghai")
    for job in select_jobs(names):
        when = job.when(settings)
        trigger = (
            CronTrigger(hour=when.hour, minute=0, timezone="Asia/Shanghai")
            if isinstance(when, Daily)
            else IntervalTrigger(minutes=when.minutes)
        )
        scheduler.add_job(
            run_job, trigger, kwargs={"job": job, "settings": settings, "factory": factory},
            id=job.name, name=job.label, max_instances=1, coalesce=True,
        )  # fmt: skip
        log.info("job %s: %s", job.name, when)
    return scheduler


def serve(settings: Settings, *, names: Sequence[str] = ()) -> None:
    """The scheduler process: runs until stopped."""
    build(settings, names=names).start()
