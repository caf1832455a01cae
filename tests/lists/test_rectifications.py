"""整改清单: tasks for one business or the class, the state machine per targeted business,
evidence from the business's own portal, verification by a follow-up record, overdue tasks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from chain_world import build, enterprise, inspection, official
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factories import make_entity, make_record
from lookthrough.audit.models import AuditEvent
from lookthrough.core import clock
from lookthrough.core.errors import (
    Conflict,
    FileRejected,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from lookthrough.lists import evidence, rectifications, rules, tasks
from lookthrough.lists.rectifications import TaskIn

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
TODAY = clock.today()


def _class_task(db: Session, chain: object, **change: object) -> TaskIn:
    data = {"title": "后厨卫生专项整改", "scope": "class", "measures": "清理后厨，建立清洁台账",
            "policy": "同类饭店统一执行后厨“日清周查”制度", "responsible": "蜀山区局食品科",
            "deadline": TODAY + timedelta(days=30), **change}  # fmt: skip
    return TaskIn.model_validate(data)


@pytest.mark.parametrize(
    ("state", "action", "after"),
    [
        ("open", "start", "in_progress"),
        ("in_progress", "submit", "submitted"),
        ("submitted", "verify", "verified"),
        ("submitted", "reopen", "reopened"),
        ("reopened", "resume", "in_progress"),
        ("reopened", "submit", "submitted"),
        ("verified", "close", "closed"),
    ],
)
def test_allowed_moves(state: str, action: str, after: str) -> None:
    assert rules.next_state(state, action) == after


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("open", "submit"),
        ("open", "verify"),
        ("in_progress", "close"),
        ("closed", "reopen"),
        ("verified", "reopen"),
        ("submitted", "start"),
        ("open", "fly"),
    ],
)
def test_illegal_moves_are_refused_with_409(state: str, action: str) -> None:
    with pytest.raises(InvalidTransition) as raised:
        rules.next_state(state, action)
    assert type(raised.value).status == 409 and "不能" in raised.value.message


def test_task_state_is_the_slowest_target() -> None:
    assert rules.task_state(["closed", "submitted", "verified"]) == "submitted"
    assert rules.task_state(["closed", "closed"]) == "closed"
    assert rules.task_state(["reopened", "in_progress"]) == "reopened"


def test_a_class_task_targets_every_business_showing_the_problem(db: Session) -> None:
    chain = build(db, run=False)
    task = rectifications.open_task(db, actor=chain.actor, problem_id=chain.problem.id,
                                    data=_class_task(db, chain), today=TODAY)  # fmt: skip
    view = tasks.get(db, actor=chain.actor, task_id=task.id, today=TODAY)
    assert {t.entity_id for t in view.targets} == {e.id for e in chain.dirty}
    assert view.progress["open"] == 6 and view.done == 0 and task.state == "open"
    with pytest.raises(ValidationFailed, match="一类一策"):
        rectifications.open_task(db, actor=chain.actor, problem_id=chain.problem.id,
                                 data=_class_task(db, chain, policy=""), today=TODAY)  # fmt: skip
    with pytest.raises(ValidationFailed, match="早于今天"):
        rectifications.open_task(
            db, actor=chain.actor, problem_id=chain.problem.id,
            data=_class_task(db, chain, deadline=TODAY - timedelta(days=1)), today=TODAY,
        )  # fmt: skip
    far = make_entity(db, region="340103")
    with pytest.raises(NotFound):
        rectifications.open_task(
            db, actor=chain.actor, problem_id=chain.problem.id,
            data=_class_task(db, chain, scope="one", entity_id=far.id), today=TODAY,
        )  # fmt: skip
    assert db.scalar(select(func.count()).where(AuditEvent.kind == "lists.rectification_opened"))


def test_the_business_submits_evidence_and_the_bureau_verifies_by_inspection(db: Session) -> None:
    chain = build(db, run=False)
    shop = chain.dirty[0]
    task = rectifications.open_task(
        db, actor=chain.actor, problem_id=chain.problem.id,
        data=_class_task(db, chain, scope="one", entity_id=shop.id, policy=""), today=TODAY,
    )  # fmt: skip
    target = tasks.get(db, actor=chain.actor, task_id=task.id, today=TODAY).targets[0]
    owner = enterprise(shop)
    rectifications.move(db, actor=owner, target_id=target.id, action="start")
    with pytest.raises(Conflict, match="整改材料"):
        rectifications.move(db, actor=owner, target_id=target.id, action="submit")
    with pytest.raises(FileRejected):
        evidence.add(db, actor=owner, target_id=target.id, description="照片",
                     file_name="x.exe", content=b"MZ\x90\x00")  # fmt: skip
    item = evidence.add(db, actor=owner, target_id=target.id, description="后厨已清理，附照片",
                        file_name="后厨.png", content=PNG)  # fmt: skip
    assert (item.content_type, item.size) == ("image/png", len(PNG))
    rectifications.move(db, actor=owner, target_id=target.id, action="submit")
    with pytest.raises(PermissionDenied):
        rectifications.move(db, actor=owner, target_id=target.id, action="verify")

    official_ = chain.actor
    earlier = inspection(db, shop, datetime(2025, 1, 1, tzinfo=UTC))
    failing = inspection(db, shop, clock.utcnow(), result="责令整改")
    passing = inspection(db, shop, clock.utcnow())
    for record, why in ((earlier, "早于整改任务"), (failing, "责令整改"), (None, "记录编号")):
        with pytest.raises(ValidationFailed, match=why):
            rectifications.move(db, actor=official_, target_id=target.id, action="verify",
                                record_id=record.id if record else None)  # fmt: skip
    other = inspection(db, chain.dirty[1], clock.utcnow())
    with pytest.raises(ValidationFailed, match="不是对本整改对象"):
        rectifications.move(db, actor=official_, target_id=target.id, action="verify",
                            record_id=other.id)  # fmt: skip
    rectifications.move(db, actor=official_, target_id=target.id, action="verify",
                        record_id=passing.id)  # fmt: skip
    with pytest.raises(Conflict, match="不能再补充"):
        evidence.add(db, actor=owner, target_id=target.id, description="再补充")
    rectifications.move(db, actor=official_, target_id=target.id, action="close")
    view = tasks.get(db, actor=chain.actor, task_id=task.id, today=TODAY)
    assert view.task.state == "closed" and view.targets[0].verification_record_id == passing.id
    moves = tasks.events(db, actor=chain.actor, task_id=task.id)
    assert [m.action for m in moves] == ["close", "verify", "submit", "start"]
    assert moves[1].record_id == passing.id and moves[3].actor_role == "enterprise"
    assert db.scalar(
        select(func.count()).where(AuditEvent.kind == "lists.rectification_moved")
    ) == 4  # fmt: skip


def test_a_reopened_task_needs_new_evidence(db: Session) -> None:
    chain = build(db, run=False)
    shop = chain.dirty[0]
    task = rectifications.open_task(
        db, actor=chain.actor, problem_id=chain.problem.id,
        data=_class_task(db, chain, scope="one", entity_id=shop.id, policy=""), today=TODAY,
    )  # fmt: skip
    target_id = tasks.get(db, actor=chain.actor, task_id=task.id, today=TODAY).targets[0].id
    owner = enterprise(shop)
    rectifications.move(db, actor=owner, target_id=target_id, action="start")
    evidence.add(db, actor=owner, target_id=target_id, description="已整改")
    rectifications.move(db, actor=owner, target_id=target_id, action="submit")
    with pytest.raises(ValidationFailed, match="理由"):
        rectifications.move(db, actor=chain.actor, target_id=target_id, action="reopen")
    rectifications.move(db, actor=chain.actor, target_id=target_id, action="reopen",
                        note="照片看不清")  # fmt: skip
    with pytest.raises(Conflict):
        rectifications.move(db, actor=owner, target_id=target_id, action="submit")
    evidence.add(db, actor=owner, target_id=target_id, description="补拍照片", content=PNG)
    assert rectifications.move(db, actor=owner, target_id=target_id,
                               action="submit").state == "submitted"  # fmt: skip


def test_enterprise_users_see_and_move_their_own_targets_only(db: Session) -> None:
    chain = build(db, run=False)
    task = rectifications.open_task(db, actor=chain.actor, problem_id=chain.problem.id,
                                    data=_class_task(db, chain), today=TODAY)  # fmt: skip
    owner = enterprise(chain.dirty[0])
    mine, total = tasks.search(db, actor=owner, today=TODAY)
    assert total == 1 and [t.entity_id for t in mine[0].targets] == [chain.dirty[0].id]
    others = [t for t in tasks.get(db, actor=chain.actor, task_id=task.id, today=TODAY).targets
              if t.entity_id != chain.dirty[0].id]  # fmt: skip
    with pytest.raises(NotFound):
        rectifications.move(db, actor=owner, target_id=others[0].id, action="start")
    with pytest.raises(NotFound):
        evidence.add(db, actor=owner, target_id=others[0].id, description="冒充")
    stranger = enterprise(chain.clean[0])
    assert tasks.search(db, actor=stranger, today=TODAY) == ([], 0)
    with pytest.raises(NotFound):
        tasks.get(db, actor=official("340103"), task_id=task.id, today=TODAY)
    item = evidence.add(db, actor=owner, target_id=mine[0].targets[0].id, description="x",
                        content=PNG)  # fmt: skip
    assert evidence.file(db, actor=chain.actor, evidence_id=item.id).content == PNG
    with pytest.raises(NotFound):
        evidence.file(db, actor=stranger, evidence_id=item.id)


def test_overdue_tasks_are_listed_until_every_target_is_verified(db: Session) -> None:
    chain = build(db, run=False)
    shop = chain.dirty[0]
    task = rectifications.open_task(
        db, actor=chain.actor, problem_id=chain.problem.id,
        data=_class_task(db, chain, scope="one", entity_id=shop.id, policy=""), today=TODAY,
    )  # fmt: skip
    later = task.deadline + timedelta(days=5)
    overdue, total = tasks.search(db, actor=chain.actor, today=later, overdue=True)
    assert total == 1 and overdue[0].overdue == 1 and overdue[0].targets[0].days_overdue == 5
    assert tasks.search(db, actor=chain.actor, today=TODAY, overdue=True)[1] == 0
    target_id = overdue[0].targets[0].id
    owner = enterprise(shop)
    rectifications.move(db, actor=owner, target_id=target_id, action="start")
    evidence.add(db, actor=owner, target_id=target_id, description="已整改")
    rectifications.move(db, actor=owner, target_id=target_id, action="submit")
    passing = make_record(db, entity=shop, kind="sampling", product="大米", conclusion="合格")
    passing.occurred_at = clock.utcnow()
    rectifications.move(db, actor=chain.actor, target_id=target_id, action="verify",
                        record_id=passing.id)  # fmt: skip
    assert tasks.search(db, actor=chain.actor, today=later, overdue=True)[1] == 0
    assert rules.is_overdue(date(2026, 1, 1), "submitted", date(2026, 1, 2))
    assert not rules.is_overdue(date(2026, 1, 1), "verified", date(2026, 1, 2))
