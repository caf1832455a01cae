"""The one scheduler: `--once` runs every domain's job, each in its own transaction, on the tiny
province (here because its database is the risk tests'): the risk runs score and classify, an
overdue measure escalates, late incident steps are counted, every run is audited as the system
actor, and a failing job stops neither the others nor leaves its changes behind."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from factories import SETTINGS, make_entity
from lists.chain_world import build as build_chain
from lookthrough import scheduler
from lookthrough.audit.models import AuditEvent
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.core.errors import ValidationFailed
from lookthrough.core.roles import Role
from lookthrough.disposal import incidents
from lookthrough.disposal import service as disposal
from lookthrough.disposal.models import Measure
from lookthrough.disposal.risk_inputs import judged
from lookthrough.lists import rectifications
from lookthrough.lists.rectifications import TaskIn
from lookthrough.risk import indicators, training
from lookthrough.risk.models import Alert, CreditClass, ScoringRun
from risk.conftest import ANALYST

COUNTY = Actor(user_id=None, username="sched-county", role=Role.COUNTY_OFFICIAL,
               jurisdiction="340104", region="340104")  # fmt: skip


@pytest.fixture
def factory(tiny_engine: Engine) -> Iterator[Callable[[], Session]]:
    """Sessions whose commits are savepoints of one transaction, rolled back after the test:
    each job's own transaction, without leaving the tiny database changed."""
    connection = tiny_engine.connect()
    outer = connection.begin()
    try:
        yield lambda: Session(bind=connection, join_transaction_mode="create_savepoint",
                              expire_on_commit=False)  # fmt: skip
    finally:
        outer.rollback()
        connection.close()


def prepare(factory: Callable[[], Session], now: datetime) -> int:
    """A trained model, an issued warning (due in 10 days), a county's incident report and a
    rectification task due in 5 days."""
    with factory() as db, db.begin():
        chain = build_chain(db, run=False)
        rectifications.open_task(
            db, actor=chain.actor, problem_id=chain.problem.id, today=now.date(),
            data=TaskIn.model_validate({
                "title": "调度测试整改", "scope": "class", "measures": "清理后厨",
                "policy": "同类饭店统一执行“日清周查”", "responsible": "县局食品科",
                "deadline": now.date() + timedelta(days=5),
            }),
        )  # fmt: skip
        indicators.seed_defaults(db, actor=ANALYST)
        training.train(db, actor=ANALYST, algorithm="logistic")
        entity = make_entity(db, region="340104")
        measure = disposal.open_measure(
            db, actor=COUNTY, settings=SETTINGS, entity_id=entity.id, levels=judged(2, 2),
            owner_id=None, now=now,
        )  # fmt: skip
        disposal.act(db, actor=COUNTY, measure_id=measure.id, action="issue", now=now)
        incidents.report(
            db, actor=COUNTY, settings=SETTINGS, now=now,
            form=incidents.IncidentIn(
                title="调度测试事故", incident_type="电梯困人", region_code="340104",
                place="某小区", occurred_at=now - timedelta(hours=1),
                learned_at=now - timedelta(minutes=30), text="首报",
            ),
        )  # fmt: skip
        return measure.id


def count(db: Session, model: type) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_once_runs_every_job_and_their_effects_show(
    factory: Callable[[], Session], tmp_path: Path
) -> None:
    now = clock.utcnow()
    measure_id = prepare(factory, now)
    settings = SETTINGS.model_copy(update={"var_dir": tmp_path})  # the records' copy goes there
    outcomes = scheduler.run_once(settings, factory=factory, now=now + timedelta(days=11))
    assert [o.name for o in outcomes] == [
        "risk.full", "risk.incremental", "disposal.escalate", "disposal.incidents_overdue",
        "lists.overdue",
    ]  # fmt: skip
    assert {o.name: o.status for o in outcomes} == {o.name: "ok" for o in outcomes}, outcomes
    by_name = {o.name: o for o in outcomes}
    assert by_name["disposal.escalate"].data["escalated"] >= 1
    assert "升级逾期处置措施" in by_name["disposal.escalate"].summary
    assert by_name["disposal.incidents_overdue"].data["reports"] >= 1
    assert by_name["lists.overdue"].data["alerts"] == 1
    with factory() as db:
        old = db.get(Measure, measure_id)
        assert old is not None and old.state == "escalated"
        new = db.scalar(select(Measure).where(Measure.previous_id == measure_id))
        assert new is not None and new.kind == "interview"
        runs = db.scalars(select(ScoringRun.kind).order_by(ScoringRun.id)).all()
        assert runs[-2:] == ["full", "incremental"]
        late = db.scalars(select(Alert).where(Alert.kind == "rectify_overdue")).all()
        assert [a.title for a in late if "调度测试整改" in a.title] != [], late
        classes = count(db, CreditClass)
        assert classes > 0 and by_name["risk.full"].data["credit_classes"] > 0
        ran = db.execute(
            select(AuditEvent.object_id, AuditEvent.actor_username).where(
                AuditEvent.kind == "system.job_ran"
            )
        ).all()
        assert {(o.name, f"system:scheduler {o.name}") for o in outcomes} <= set(ran)
        moved = db.scalar(
            select(AuditEvent.actor_username).where(
                AuditEvent.kind == "disposal.measure_moved", AuditEvent.object_id == str(old.id),
                AuditEvent.after["state"].as_string() == "escalated",
            )
        )  # fmt: skip
        assert moved == "system:scheduler disposal.escalate"


def _broken(session: Session, actor: Actor, settings: Settings, now: datetime) -> scheduler.Done:
    """A job that changes something, then fails: its change must not stay."""
    disposal.escalate_overdue(session, actor=actor, settings=settings, now=now)
    raise RuntimeError("磁盘已满")


def test_a_failed_job_is_rolled_back_and_the_others_still_run(
    factory: Callable[[], Session],
) -> None:
    now = clock.utcnow()
    measure_id = prepare(factory, now)
    later = now + timedelta(days=11)
    broken = scheduler.Job("tests.broken", "故障任务", _broken, lambda s: scheduler.Every(5))
    outcomes = scheduler.run_once(
        SETTINGS, factory=factory, now=later,
        registry=[broken, *scheduler.select_jobs(["disposal"])],
    )  # fmt: skip
    assert [(o.name, o.status) for o in outcomes] == [
        ("tests.broken", "failed"), ("disposal.escalate", "ok"),
        ("disposal.incidents_overdue", "ok"),
    ]  # fmt: skip
    assert "磁盘已满" in outcomes[0].summary
    with factory() as db:
        escalated = db.scalars(select(Measure).where(Measure.previous_id == measure_id)).all()
        assert len(escalated) == 1  # once, by disposal.escalate: the broken job's was undone
        failed = db.scalar(
            select(AuditEvent.outcome).where(
                AuditEvent.kind == "system.job_failed", AuditEvent.object_id == "tests.broken"
            )
        )
        assert failed == "failure"


def test_jobs_are_named_once_and_unknown_names_are_refused() -> None:
    names = [j.name for j in scheduler.jobs()]
    assert len(names) == len(set(names))
    assert {"risk.full", "risk.incremental", "disposal.escalate"} <= set(names)
    assert [j.name for j in scheduler.select_jobs(["risk"])] == ["risk.full", "risk.incremental"]
    with pytest.raises(ValidationFailed, match="未知的定时任务"):
        scheduler.select_jobs(["lists.nothing"])


def test_the_process_puts_every_job_on_its_trigger() -> None:
    settings = Settings(database_url="sqlite://", risk_full_rescore_hour=3,
                        risk_incremental_minutes=7)  # fmt: skip
    built = scheduler.build(settings)
    triggers = {j.id: str(j.trigger) for j in built.get_jobs()}
    assert set(triggers) == {j.name for j in scheduler.jobs()}
    assert "hour='3'" in triggers["risk.full"] and "0:07:00" in triggers["risk.incremental"]
