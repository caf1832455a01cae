"""The inspection and disposal part of the canary world (walk_world.py): plans, visits,
measures and incident reports inside 蜀山区 and outside it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.core.roles import Role
from lookthrough.disposal import incidents
from lookthrough.disposal import service as disposal_service
from lookthrough.disposal.models import IncidentAck, IncidentReport
from lookthrough.disposal.risk_inputs import judged
from lookthrough.inspection import commit_reveal, service, tasks
from lookthrough.inspection.models import InspectionTask
from lookthrough.inspection.schemas import ManualIn, PlanFile

SETTINGS = Settings(database_url="sqlite://")
MATTER = "巡检电梯安全"
KINDS = ("draft_plan", "committed_plan", "task", "measure", "incident", "ack")
# Out-of-scope strings that no 蜀山区 official (nor the enterprise user) may ever receive. The
# committed plans appear on the public page by design (一公开), so only drafts carry canaries.
CANARIES = {
    "draft_plan": "金丝雀庐阳草稿计划",
    "measure": "金丝雀庐阳处置依据",
    "incident": "金丝雀庐阳事故报告",
}


def plan_file(code: str, region: str, name: str) -> dict[str, Any]:
    return {
        "code": code, "name": name, "year": 2026, "subjects": {"region": region},
        "items": [{"code": f"{code}-I", "name": "电梯使用管理", "department": "特种设备",
                   "matter": MATTER}],
    }  # fmt: skip


def official(region: str) -> Actor:
    role = Role.CITY_OFFICIAL if len(region) == 4 else Role.COUNTY_OFFICIAL
    return Actor(user_id=None, username=f"walk:{region}", role=role, jurisdiction=region,
                 region=region)  # fmt: skip


def build(
    db: Session, entities: dict[str, Any]
) -> tuple[dict[str, list[tuple[str, str, bool, tuple[str, ...]]]], dict[str, Any]]:
    """Rows of each kind as (label, id, in scope of 蜀山区, shown strings); and placeholders."""
    now = clock.utcnow()
    here, there = official("340104"), official("340103")
    found: dict[str, list[tuple[str, str, bool, tuple[str, ...]]]] = {k: [] for k in KINDS}
    tasks.save_manual(
        db, actor=here, now=now,
        manual=ManualIn.model_validate({"matter": MATTER, "title": "电梯排查手册",
                                        "items": [{"content": "维保记录是否齐全"}]}),
    )  # fmt: skip
    sitem = tasks.manual_items(db, tasks.latest_manual(db, MATTER).id)[0].id  # type: ignore[union-attr]
    for actor, region, visible, draft_name, committed_name in (
        (here, "340104", True, "蜀山区草稿计划", "蜀山区已公布计划"),
        (there, "340103", False, CANARIES["draft_plan"], "庐阳区已公布计划"),
    ):
        draft = service.create_plan(
            db, actor=actor, settings=SETTINGS, classes=None, classes_source="", now=now,
            plan=PlanFile.model_validate(plan_file(f"WALK-D-{region}", region, draft_name)),
        )  # fmt: skip
        found["draft_plan"].append((f"draft plan @{region}", str(draft.id), visible, (draft_name,)))
        committed = service.create_plan(
            db, actor=actor, settings=SETTINGS, classes=None, classes_source="", now=now,
            plan=PlanFile.model_validate(plan_file(f"WALK-C-{region}", region, committed_name)),
        )  # fmt: skip
        commit_reveal.commit(db, actor=actor, plan_id=committed.id, now=now)
        found["committed_plan"].append(
            (f"committed plan @{region}", str(committed.id), visible, (committed_name,))
        )
        entity = entities["A" if visible else "C"]
        task = InspectionTask(
            plan_id=committed.id, position=0, entity_id=entity.id,
            subject_key=entity.uscc, region_code=entity.region_code,
            items=[f"WALK-C-{region}-I"], departments=["特种设备"], status="assigned",
        )  # fmt: skip
        db.add(task)
        db.flush()
        found["task"].append((f"task @{region}", str(task.id), visible, (entity.name,)))
        basis = "蜀山区处置依据" if visible else CANARIES["measure"]
        measure = disposal_service.open_measure(
            db, actor=actor, settings=SETTINGS, entity_id=entity.id, owner_id=None,
            levels=judged(1, 1, basis), now=now,
        )  # fmt: skip
        found["measure"].append((f"measure @{region}", str(measure.id), visible, (basis,)))
        title = "蜀山区事故报告" if visible else CANARIES["incident"]
        # Built without the service's record, so the walk's record totals stay those of RECORDS.
        report = IncidentReport(
            region_code=region, title=title, incident_type="电梯困人", level="一般",
            occurred_at=now - timedelta(hours=2), learned_at=now - timedelta(hours=1),
            place="某小区", status="open", created_by=actor.username, created_at=now,
        )  # fmt: skip
        db.add(report)
        db.flush()
        incidents._send(db, actor, SETTINGS, report, "first", "首报内容", now, now)
        found["incident"].append((f"incident @{region}", str(report.id), visible, (title,)))
        ack = (
            db.query(IncidentAck)
            .filter(IncidentAck.level == "city")
            .order_by(IncidentAck.id.desc())
            .first()
        )
        assert ack is not None
        found["ack"].append((f"city receipt @{region}", str(ack.id), False, ()))
    return found, {"sitem": str(sitem)}
