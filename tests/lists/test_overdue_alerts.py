"""整改超期预警: one risk-domain alert per overdue rectification task, raised once, routed to the
task's region and shown in the inbox with a link to the task."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from chain_world import build, official
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factories import login, login_browser, make_user
from lookthrough.audit.models import AuditEvent
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.errors import PermissionDenied
from lookthrough.core.roles import Role
from lookthrough.lists import overdue, rectifications, rules
from lookthrough.lists.models import Rectification, RectificationTarget
from lookthrough.lists.rectifications import TaskIn
from lookthrough.risk import inbox
from lookthrough.risk import rules as risk_rules
from lookthrough.risk.models import Alert

TODAY = clock.today()


def _system(region: str = "34") -> Actor:
    return Actor(user_id=None, username="system:lists", role=Role.PROVINCE_ANALYST,
                 jurisdiction=region, region=region)  # fmt: skip


def _task(db: Session, chain: object, *, days: int, **change: object) -> Rectification:
    data = {"title": "后厨卫生专项整改", "scope": "class", "measures": "清理后厨",
            "policy": "同类饭店统一执行“日清周查”", "responsible": "蜀山区局食品科",
            "deadline": TODAY + timedelta(days=days), **change}  # fmt: skip
    return rectifications.open_task(db, actor=chain.actor, problem_id=chain.problem.id,  # type: ignore[attr-defined]
                                    data=TaskIn.model_validate(data), today=TODAY)  # fmt: skip


def _at(days_after_today: int) -> datetime:
    return datetime.combine(TODAY + timedelta(days=days_after_today), time(2), tzinfo=UTC)


def _alerts(db: Session) -> list[Alert]:
    return list(db.scalars(select(Alert).where(Alert.kind == "rectify_overdue")))


def test_one_alert_per_overdue_task_routed_to_its_region_and_raised_once(db: Session) -> None:
    chain = build(db, run=False)
    late = _task(db, chain, days=5)
    on_time = _task(db, chain, days=60, title="餐具消毒整改", scope="one",
                    entity_id=chain.dirty[0].id, policy="")  # fmt: skip
    first = db.scalars(select(RectificationTarget).where(
        RectificationTarget.rectification_id == late.id).order_by(RectificationTarget.entity_id)
    ).first()  # fmt: skip
    assert first is not None
    first.state = "verified"  # done: the alert is filed under the next business still open
    db.flush()

    assert overdue.raise_overdue_alerts(db, actor=_system(), now=_at(12)) == 1
    [alert] = _alerts(db)
    assert alert.region_code == late.region_code == "340104"
    assert alert.detail["task_id"] == late.id and alert.detail["open_targets"] == 5
    assert alert.entity_id == min(e.id for e in chain.dirty if e.id != first.entity_id)
    assert alert.detail["days_overdue"] == 7 and alert.level == 3 and alert.state == "open"
    assert "后厨卫生专项整改" in alert.title and "超期 7 天" in alert.title
    assert on_time.id not in {a.detail["task_id"] for a in _alerts(db)}

    # The daily job runs again, later, after the alert was worked and closed: nothing new.
    assert overdue.raise_overdue_alerts(db, actor=_system(), now=_at(13)) == 0
    inbox.move(db, actor=chain.actor, alert_id=alert.id, action="acknowledge")
    inbox.move(db, actor=chain.actor, alert_id=alert.id, action="close", note="已督办")
    assert overdue.raise_overdue_alerts(db, actor=_system(), now=_at(50)) == 0
    # Past its deadline too by then, the second task gets its own alert — and it is serious.
    assert overdue.raise_overdue_alerts(db, actor=_system(), now=_at(95)) == 1
    second = [a for a in _alerts(db) if a.detail["task_id"] == on_time.id]
    assert len(second) == 1 and second[0].level == 2
    assert len(_alerts(db)) == 2
    raised = db.scalars(
        select(AuditEvent).where(AuditEvent.kind == "lists.overdue_alerts_raised")
    ).all()
    assert [(e.detail or {}).get("alerts") for e in raised] == [1, 1]


def test_a_missed_new_deadline_warns_again_and_a_finished_task_never(db: Session) -> None:
    chain = build(db, run=False)
    task = _task(db, chain, days=3, scope="one", entity_id=chain.dirty[1].id, policy="")
    assert overdue.raise_overdue_alerts(db, actor=_system(), now=_at(5)) == 1
    task.deadline = TODAY + timedelta(days=20)  # the bureau granted more time
    db.flush()
    assert overdue.raise_overdue_alerts(db, actor=_system(), now=_at(10)) == 0  # not late now
    assert overdue.raise_overdue_alerts(db, actor=_system(), now=_at(25)) == 1
    done = _task(db, chain, days=3, title="已完成的整改", scope="one",
                 entity_id=chain.dirty[2].id, policy="")  # fmt: skip
    for target in db.scalars(
        select(RectificationTarget).where(RectificationTarget.rectification_id == done.id)
    ):
        target.state = "closed"
    db.flush()
    assert overdue.raise_overdue_alerts(db, actor=_system(), now=_at(30)) == 0
    assert done.id not in {a.detail["task_id"] for a in _alerts(db)}


def test_a_job_for_another_city_raises_nothing_here_and_inspectors_cannot_run_it(
    db: Session,
) -> None:
    chain = build(db, run=False)
    _task(db, chain, days=2)
    assert overdue.raise_overdue_alerts(db, actor=_system("3402"), now=_at(9)) == 0
    inspector = Actor(user_id=None, username="i", role=Role.INSPECTOR, jurisdiction="340104",
                      region="340104")  # fmt: skip
    with pytest.raises(PermissionDenied):
        overdue.raise_overdue_alerts(db, actor=inspector, now=_at(9))
    assert db.scalar(select(func.count()).select_from(Alert)) == 0


def test_the_inbox_shows_the_alert_to_its_region_with_a_link_to_the_task(
    db: Session, client: TestClient
) -> None:
    chain = build(db, run=False)
    task = _task(db, chain, days=1)
    overdue.raise_overdue_alerts(db, actor=_system(), now=_at(4))
    rows, total = inbox.search(db, actor=chain.actor, kind="rectify_overdue")
    assert total == 1 and rows[0].link == f"/lists/rectifications/{task.id}"
    assert rows[0].kind_label == "整改任务超期"
    assert inbox.search(db, actor=official("340103"), kind="rectify_overdue")[1] == 0
    headers = login(client, make_user(db, username="overdue_api").username)
    (item,) = client.get("/api/v1/risk/alerts?kind=rectify_overdue", headers=headers).json()[
        "items"
    ]
    assert item["link"] == f"/lists/rectifications/{task.id}"
    login_browser(client, make_user(db, username="overdue_inbox").username)
    page = client.get("/risk/alerts").text
    assert f'href="/lists/rectifications/{task.id}"' in page and "整改任务超期" in page
    detail = client.get(f"/risk/alerts/{rows[0].id}").text
    assert 'id="alert-task-link"' in detail


def test_every_alert_kind_fits_its_column() -> None:
    width = Alert.__table__.c.kind.type.length
    assert overdue.KIND in risk_rules.ALERT_KINDS
    assert all(len(kind) <= width for kind in risk_rules.ALERT_KINDS)


def test_overdue_alert_levels_and_titles() -> None:
    assert [rules.overdue_alert_level(d) for d in (1, 30, 31)] == [3, 3, 2]
    assert rules.overdue_alert_title("整改", 4, 2) == "整改任务“整改”已超期 4 天，2 户尚未完成整改"
