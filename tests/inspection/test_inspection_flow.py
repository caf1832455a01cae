"""End to end on the real database: a plan drawn and verified, a visit's checklist written back
as records, a measure moved, refused and escalated, an incident acknowledged level by level."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import make_entity
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.core.errors import (
    InvalidTransition,
    OutOfJurisdiction,
    PermissionDenied,
    ValidationFailed,
)
from lookthrough.core.roles import Role
from lookthrough.disposal import incidents
from lookthrough.disposal import service as disposal
from lookthrough.disposal.risk_inputs import judged
from lookthrough.inspection import commit_reveal, publication, service, tasks
from lookthrough.inspection.models import InspectionTask
from lookthrough.inspection.schemas import AnswerIn, ChecklistIn, ManualIn, PlanFile
from lookthrough.records.models import Record

SETTINGS = Settings(database_url="sqlite://")
COUNTY = Actor(user_id=None, username="flow", role=Role.COUNTY_OFFICIAL, jurisdiction="340104",
               region="340104")  # fmt: skip
CITY = Actor(user_id=None, username="flow-city", role=Role.CITY_OFFICIAL, jurisdiction="3401",
             region="3401")  # fmt: skip
PROVINCE = Actor(user_id=None, username="flow-prov", role=Role.PROVINCE_ANALYST,
                 jurisdiction="34", region="34")  # fmt: skip


def plan(code: str, **extra: object) -> PlanFile:
    return PlanFile.model_validate(
        {
            "code": code, "name": "流程测试计划", "year": 2026, "subjects": {"region": "340104"},
            "ratios": {"B": "1"}, "cap": 1,
            "items": [{"code": f"{code}-1", "name": "电梯", "department": "特种设备",
                       "qualification": "特种设备", "matter": "流程电梯"}],
            "inspectors": [
                {"code": f"{code}-Z{n}", "name": f"执法{n}", "department": "特种设备",
                 "region_code": "340104", "qualifications": ["特种设备"]}
                for n in range(3)
            ],
            **extra,
        }
    )  # fmt: skip


def test_a_drawn_plan_verifies_and_its_visit_becomes_records(db: Session) -> None:
    now = clock.utcnow()
    businesses = [make_entity(db, region="340104001") for _ in range(4)]
    tasks.save_manual(
        db, actor=COUNTY, now=now,
        manual=ManualIn(matter="流程电梯", title="手册", items=[{"content": "维保记录"},  # type: ignore[list-item]
                                                             {"content": "安全标志"}]),
    )  # fmt: skip
    made = service.create_plan(
        db, actor=COUNTY, settings=SETTINGS, plan=plan("FLOW-1"), classes=None,
        classes_source="", now=now,
    )  # fmt: skip
    with pytest.raises(InvalidTransition):
        commit_reveal.reveal_and_draw(db, actor=COUNTY, settings=SETTINGS, plan_id=made.id, now=now)
    commit_reveal.commit(db, actor=COUNTY, plan_id=made.id, now=now)
    assert made.seed is None and made.commitment
    drawn = commit_reveal.reveal_and_draw(
        db, actor=COUNTY, settings=SETTINGS, plan_id=made.id, now=now
    )
    checks = publication.verify(commit_reveal.published_file(drawn))
    assert all(c.ok for c in checks), checks
    assert drawn.published is not None and drawn.published["subjects"]
    with pytest.raises(InvalidTransition):  # never re-rolled
        commit_reveal.reveal_and_draw(db, actor=COUNTY, settings=SETTINGS, plan_id=made.id, now=now)
    visits = db.scalars(select(InspectionTask).where(InspectionTask.plan_id == made.id)).all()
    assert {v.entity_id for v in visits} <= {b.id for b in businesses}
    visit = visits[0]
    assert visit.status == "assigned"
    lines = tasks.checklist(db, task=visit)
    answers = [AnswerIn(item_id=lines[0].item.id, result="不符合", note="维保记录缺失"),  # type: ignore[union-attr]
               AnswerIn(item_id=lines[1].item.id, result="符合")]  # type: ignore[union-attr]  # fmt: skip
    tasks.submit(db, actor=COUNTY, task_id=visit.id, form=ChecklistIn(answers=answers), now=now)
    inspection = db.get(Record, visit.record_id)
    assert inspection is not None and inspection.payload["result"] == "发现问题"
    findings = db.scalars(select(Record).where(Record.parent_id == inspection.id)).all()
    assert [f.kind for f in findings] == ["finding"]
    assert len(inspection.payload["inspectors"]) == 2
    # The cap (1 a year) is reached: a second plan has this business as no candidate.
    second = service.create_plan(
        db, actor=COUNTY, settings=SETTINGS, plan=plan("FLOW-2"), classes=None,
        classes_source="", now=now,
    )  # fmt: skip
    commit_reveal.commit(db, actor=COUNTY, plan_id=second.id, now=now)
    keys = {k for k, _ in commit_reveal.published_file(second)["candidates"]}
    assert not keys & {v.subject_key for v in visits}
    assert [r.business for r in tasks.public_results(db)][:1]


def test_measures_follow_their_state_machine_and_escalate(db: Session) -> None:
    now = clock.utcnow()
    entity = make_entity(db, region="340104")
    measure = disposal.open_measure(
        db, actor=COUNTY, settings=SETTINGS, entity_id=entity.id, levels=judged(2, 2),
        owner_id=None, now=now,
    )  # fmt: skip
    assert (measure.kind, measure.risk_level, measure.state) == ("warning", "III", "proposed")
    with pytest.raises(InvalidTransition):
        disposal.act(db, actor=COUNTY, measure_id=measure.id, action="resolve", now=now)
    disposal.act(db, actor=COUNTY, measure_id=measure.id, action="issue", now=now)
    later = now + timedelta(days=11)
    done = disposal.escalate_overdue(db, actor=COUNTY, settings=SETTINGS, now=later)
    assert [(e.old.state, e.new.kind) for e in done] == [("escalated", "interview")]
    new = done[0].new
    disposal.act(db, actor=COUNTY, measure_id=new.id, action="issue", now=later)
    disposal.act(
        db, actor=COUNTY, measure_id=new.id, action="resolve", now=later,
        outcome={"kind": "commitment", "content": "三日内完成整改"},
    )  # fmt: skip
    record = db.get(Record, new.outcome_record_id)
    assert record is not None and record.kind == "commitment"
    name, content = disposal.notice(
        db, actor=COUNTY, settings=SETTINGS, measure_id=new.id, now=later
    )
    assert name.endswith(".docx") and content[:2] == b"PK"


def test_an_incident_travels_up_and_late_steps_show(db: Session) -> None:
    now = clock.utcnow()
    report = incidents.report(
        db, actor=COUNTY, settings=SETTINGS, now=now,
        form=incidents.IncidentIn(
            title="电梯困人", incident_type="电梯困人", region_code="340104", place="某小区",
            occurred_at=now - timedelta(hours=3), learned_at=now - timedelta(hours=2),
            text="首报",
        ),
    )  # fmt: skip
    steps = incidents.timeline(db, report=report, settings=SETTINGS, now=now)
    assert [s.overdue for s in steps if s.label.startswith("首报（")] == [True]  # 2 h > 1 h
    [city] = incidents.pending_for(db, actor=CITY, report=report)
    assert incidents.pending_for(db, actor=PROVINCE, report=report) == []  # city first
    with pytest.raises(PermissionDenied):
        incidents.acknowledge(db, actor=COUNTY, settings=SETTINGS, ack_id=city.ack.id, now=now)
    incidents.acknowledge(db, actor=CITY, settings=SETTINGS, ack_id=city.ack.id, now=now)
    [province] = incidents.pending_for(db, actor=PROVINCE, report=report)
    incidents.acknowledge(db, actor=PROVINCE, settings=SETTINGS, ack_id=province.ack.id, now=now)
    late = incidents.timeline(db, report=report, settings=SETTINGS, now=now + timedelta(hours=25))
    assert late[-1].label == "下一次续报" and late[-1].overdue
    assert db.get(Record, report.record_id) is not None


def test_records_written_twice_are_one_and_a_change_supersedes(db: Session) -> None:
    from lookthrough.records import service as records_service

    now = clock.utcnow()
    entity = make_entity(db, region="340104")
    new = records_service.NewRecord(
        kind="commitment", region_code="340104", entity_id=entity.id, occurred_at=now,
        title="整改承诺", payload={"content": "三日内整改"}, source_key="measure:1",
    )  # fmt: skip
    first = records_service.append(db, actor=COUNTY, source="tests-append", new=new, now=now)
    again = records_service.append(db, actor=COUNTY, source="tests-append", new=new, now=now)
    assert first.id == again.id
    changed = records_service.append(
        db, actor=COUNTY, source="tests-append", now=now,
        new=dataclasses.replace(new, payload={"content": "五日内整改"}),
    )  # fmt: skip
    assert changed.id != first.id and changed.supersedes_id == first.id
    with pytest.raises(ValidationFailed):
        records_service.append(
            db, actor=COUNTY, source="tests-append", now=now,
            new=records_service.NewRecord(
                kind="commitment", region_code="340104", entity_id=entity.id, occurred_at=now,
                title="空承诺", payload={"content": ""}, source_key="measure:2",
            ),
        )  # fmt: skip
    with pytest.raises(OutOfJurisdiction):
        records_service.append(
            db, actor=COUNTY, source="tests-append", now=now,
            new=records_service.NewRecord(
                kind="commitment", region_code="340103", entity_id=None, occurred_at=now,
                title="他区", payload={"content": "x"}, source_key="measure:3",
            ),
        )  # fmt: skip
