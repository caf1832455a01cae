"""Other domains' parts of the file: risk level and "1+N" classes, open alerts, the problems and
rectification tasks of the four lists, disposal measures and inspection visits — for officials,
and for the business only what it may see (never a score)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

import openpyxl
import pypdf
import pytest
from fastapi.testclient import TestClient
from profile_world import ProfileWorld, at, enterprise_of
from sqlalchemy.orm import Session

from factories import login, make_user, scoring_run
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.roles import Role
from lookthrough.disposal.models import Measure
from lookthrough.inspection.models import InspectionPlan, InspectionTask
from lookthrough.lists import matters
from lookthrough.lists.models import Problem, ProblemEvidence, Rectification, RectificationTarget
from lookthrough.profile import service
from lookthrough.risk.models import CreditClass
from risk.risk_support import alert, assess

OFFICIAL_PARTS = ["risk", "credit_classes", "alerts", "problems", "rectifications", "measures",
                  "visits"]  # fmt: skip


@dataclass
class Parts:
    entity_id: int
    task: Rectification
    target: RectificationTarget
    closed_alert_title: str


@pytest.fixture
def parts(db: Session, world: ProfileWorld, shushan: Actor) -> Parts:
    shop = world.entities["甲"]
    now = clock.utcnow()
    assess(db, shop, level=2)  # II 较大, general class C
    db.add(CreditClass(entity_id=shop.id, domain="food", region_code=shop.region_code, grade="D",
                       probability=0.5, model_id="logistic-test", run_id=scoring_run(db),
                       digest=0))  # fmt: skip
    alert(db, shop, title="投诉激增预警")
    alert(db, shop, title="已处理的预警", state="closed")
    matter = matters.create_from_template(db, actor=shushan, template="edible_oil")
    problem = Problem(matter_id=matter.id, region_code="340104", key="oil-acid",
                      title="食用油酸价超标", source="sampling_item", status="confirmed",
                      severity="较重", created_at=now)  # fmt: skip
    db.add(problem)
    db.flush()
    for key in ("抽检", "投诉"):  # its own sampling, and a complaint linked to it by resolution
        db.add(ProblemEvidence(problem_id=problem.id, record_id=world.records[key],
                               unit_id=shop.id, region_code="340104001",
                               occurred_at=at(2025, 9, 1)))  # fmt: skip
    task = Rectification(problem_id=problem.id, region_code="340104", scope="one",
                         title="食用油进货查验整改", measures="建立进货查验台账",
                         responsible="食品科",
                         deadline=clock.today() - timedelta(days=3), state="in_progress",
                         created_by="tests", created_at=now, updated_at=now)  # fmt: skip
    db.add(task)
    db.flush()
    target = RectificationTarget(rectification_id=task.id, entity_id=shop.id,
                                 region_code=shop.region_code, state="in_progress",
                                 updated_at=now)  # fmt: skip
    db.add(target)
    db.add(Measure(entity_id=shop.id, region_code=shop.region_code, kind="reminder",
                   state="issued", probability=3, consequence=2, risk_level="II",
                   reason="抽检不合格", source="manual", deadline=clock.today() + timedelta(days=5),
                   created_by="tests", created_at=now, updated_at=now))  # fmt: skip
    plan = InspectionPlan(code="T-2026-01", name="2026 年食品经营双随机抽查", region_code="340104",
                          year=2026, status="drawn", spec={}, created_by="tests",
                          created_at=now)  # fmt: skip
    db.add(plan)
    db.flush()
    db.add(InspectionTask(plan_id=plan.id, position=1, entity_id=shop.id, subject_key="k",
                          region_code=shop.region_code, items=["食品经营许可情况"],
                          departments=["食品科"], status="done", result="未发现问题",
                          done_at=now))  # fmt: skip
    db.flush()
    return Parts(shop.id, task, target, "已处理的预警")


def test_officials_see_risk_classes_alerts_lists_measures_and_visits(
    db: Session, parts: Parts, shushan: Actor
) -> None:
    file = service.open_file(db, actor=shushan, entity_id=parts.entity_id)
    by_key = {s.key: s for s in file.sections}
    assert [k for k in by_key if k in OFFICIAL_PARTS] == OFFICIAL_PARTS
    risk = dict(by_key["risk"].facts)
    assert risk["风险等级"].startswith("II级 较大") and by_key["risk"].badge_kind == "orange"
    assert [tuple(r) for r in by_key["credit_classes"].rows] == [
        ("综合", "C 类"),
        ("食品安全", "D 类"),
    ]
    alerts = by_key["alerts"]
    assert [r[0] for r in alerts.rows] == ["投诉激增预警"]  # the closed one is not open
    assert alerts.links[0] and alerts.links[0].startswith("/risk/alerts/")
    (problem,) = by_key["problems"].rows
    assert (problem[0], problem[1], problem[3]) == ("食用油酸价超标", "已确认", 2)
    (task,) = by_key["rectifications"].rows
    assert tuple(task[2:]) == ("整改中", "超期") and by_key["rectifications"].badge == "1 项超期"
    assert by_key["rectifications"].links == [
        f"/lists/rectifications/{parts.task.id}#target-{parts.target.id}"
    ]
    (measure,) = by_key["measures"].rows
    assert (
        measure[0] == "提醒" and measure[2] == "已下达" and by_key["measures"].badge == "1 项未办结"
    )
    (visit,) = by_key["visits"].rows
    assert visit[0] == "2026 年食品经营双随机抽查" and visit[2:4] == ("已完成", "未发现问题")


def test_the_business_sees_its_tasks_but_never_a_score(
    db: Session, parts: Parts, world: ProfileWorld
) -> None:
    file = service.open_file(db, actor=enterprise_of(parts.entity_id), entity_id=parts.entity_id)
    assert [s.key for s in file.sections] == ["lists", "rectifications"]
    (tasks,) = [s for s in file.sections if s.key == "rectifications"]
    assert tasks.links == [f"/my/rectifications/{parts.target.id}"]
    shown = str([(s.title, s.facts, s.rows) for s in file.sections])
    assert "风险" not in shown and "预警" not in shown and "C 类" not in shown


def test_an_official_of_another_county_sees_none_of_it(
    db: Session, parts: Parts, world: ProfileWorld
) -> None:
    """A business that moved: its file now opens in 庐阳区, whose officials must not see the
    alerts, measures or visits 蜀山区 holds about it, nor its old assessment."""
    world.entities["甲"].region_code = "340103"
    db.flush()
    luyang = Actor(user_id=None, username="t_luyang", role=Role.COUNTY_OFFICIAL,
                   jurisdiction="340103", region="340103")  # fmt: skip
    file = service.open_file(db, actor=luyang, entity_id=parts.entity_id)
    assert not {s.key for s in file.sections} & set(OFFICIAL_PARTS)


def test_an_inspector_sees_the_risk_but_not_the_bureau_s_measures_or_others_visits(
    db: Session, parts: Parts
) -> None:
    inspector = Actor(user_id=None, username="t_insp", role=Role.INSPECTOR,
                      jurisdiction="340104", region="340104")  # fmt: skip
    keys = {
        s.key for s in service.open_file(db, actor=inspector, entity_id=parts.entity_id).sections
    }
    assert "risk" in keys and not keys & {"measures", "visits"}


def test_the_exports_carry_every_part_and_none_of_the_scores_for_the_business(
    db: Session, client: TestClient, parts: Parts, world: ProfileWorld
) -> None:
    make_user(db, role=Role.COUNTY_OFFICIAL, region="340104", username="t_parts")
    url = f"/api/v1/profiles/{parts.entity_id}/file"
    headers = login(client, "t_parts")
    got = client.get(f"{url}.xlsx", headers=headers)
    assert got.status_code == 200, got.text
    book = openpyxl.load_workbook(io.BytesIO(got.content), read_only=True)
    for sheet in ("风险评估概况", "风险评估", "信用风险分类（1+N）", "未办结预警", "问题清单",
                  "整改任务", "处置措施", "检查任务"):  # fmt: skip
        assert sheet in book.sheetnames, book.sheetnames
    facts = {r[0]: r[1] for r in book["风险评估概况"].iter_rows(min_row=2, values_only=True)}
    assert str(facts["风险等级"]).startswith("II级")
    text = _pdf_text(client.get(f"{url}.pdf", headers=headers).content)
    assert all(t in text for t in ("风险评估", "未办结预警", "处置措施", "检查任务"))

    make_user(db, role=Role.ENTERPRISE, entity=world.entities["甲"], username="t_parts_own")
    own = login(client, "t_parts_own")
    names = openpyxl.load_workbook(
        io.BytesIO(client.get(f"{url}.xlsx", headers=own).content), read_only=True
    ).sheetnames
    assert "整改任务" in names and not [n for n in names if "风险" in n or "预警" in n]
    text = _pdf_text(client.get(f"{url}.pdf", headers=own).content)
    assert "食用油进货查验整改" in text and "风险" not in text and "较大" not in text


def _pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages)
