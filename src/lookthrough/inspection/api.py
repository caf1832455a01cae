"""Inspection routes (JSON): plans and their draw, tasks and checklists, manuals, results."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, Field

from lookthrough.api.deps import ActorDep, SessionDep, SettingsDep
from lookthrough.api.errors import errors, signed_in
from lookthrough.core import clock
from lookthrough.core.errors import Conflict, InvalidTransition, NotFound
from lookthrough.core.excel import XLSX_MEDIA_TYPE
from lookthrough.inspection import commit_reveal, exports, risk_inputs, service, tasks
from lookthrough.inspection.models import InspectionPlan
from lookthrough.inspection.schemas import ChecklistIn, ManualIn, PlanFile

router = APIRouter(tags=["inspection 双随机抽查"])


class PlanIn(BaseModel):
    plan: PlanFile
    classes_csv: str | None = Field(None, max_length=50_000_000, description="信用分类表 CSV")


def plan_out(plan: InspectionPlan) -> dict[str, Any]:
    return {
        "id": plan.id, "code": plan.code, "name": plan.name, "region_code": plan.region_code,
        "year": plan.year, "status": plan.status, "classes_source": plan.classes_source,
        "classes_missing": plan.classes_missing, "candidates_hash": plan.candidates_hash,
        "commitment": plan.commitment, "seed": plan.seed, "candidates": plan.candidate_count,
        "strata": plan.strata, "excluded": plan.excluded, "summary": plan.summary,
        "results_due": plan.results_due.isoformat() if plan.results_due else None,
    }  # fmt: skip


@router.get("/inspection/plans", responses=signed_in())
def list_plans(actor: ActorDep, db: SessionDep) -> dict[str, Any]:
    rows = service.plans(db, actor=actor)
    return {"total": len(rows), "items": [plan_out(p) for p in rows]}


@router.post("/inspection/plans", status_code=201, responses=signed_in(Conflict))
def create_plan(
    body: PlanIn, actor: ActorDep, db: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    classes = risk_inputs.parse_table(body.classes_csv, name="上传") if body.classes_csv else None
    plan = service.create_plan(
        db, actor=actor, settings=settings, plan=body.plan, classes=classes,
        classes_source="上传的信用分类表", now=clock.utcnow(),
    )  # fmt: skip
    return plan_out(plan)


@router.get("/inspection/plans/{plan_id}", responses=signed_in(NotFound))
def get_plan(plan_id: int, actor: ActorDep, db: SessionDep) -> dict[str, Any]:
    return plan_out(service.get_plan(db, actor=actor, plan_id=plan_id))


@router.post("/inspection/plans/{plan_id}/commit", responses=signed_in(NotFound, InvalidTransition))
def commit(plan_id: int, actor: ActorDep, db: SessionDep) -> dict[str, Any]:
    """Publish the candidate list's SHA-256 and the seed's commitment (before any draw)."""
    return plan_out(commit_reveal.commit(db, actor=actor, plan_id=plan_id, now=clock.utcnow()))


@router.post("/inspection/plans/{plan_id}/draw", responses=signed_in(NotFound, InvalidTransition))
def draw(plan_id: int, actor: ActorDep, db: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Reveal the seed, draw the businesses and assign inspectors."""
    plan = commit_reveal.reveal_and_draw(
        db, actor=actor, settings=settings, plan_id=plan_id, now=clock.utcnow()
    )
    return plan_out(plan)


@router.get(
    "/inspection/plans/{plan_id}/draw.json", responses=signed_in(NotFound, InvalidTransition)
)
def draw_file(plan_id: int, actor: ActorDep, db: SessionDep) -> dict[str, Any]:
    """The published file, for `lookthrough inspection verify-draw`."""
    return commit_reveal.published_file(service.get_plan(db, actor=actor, plan_id=plan_id))


@router.get("/inspection/plans/{plan_id}/visits.xlsx", responses=signed_in(NotFound))
def visits_xlsx(plan_id: int, actor: ActorDep, db: SessionDep) -> Response:
    """The plan's visits, teams and results as Excel."""
    name, content = exports.plan_workbook(db, actor=actor, plan_id=plan_id)
    return Response(content, media_type=XLSX_MEDIA_TYPE, headers=exports.attachment(name))


@router.get("/inspection/tasks", responses=signed_in())
def list_tasks(actor: ActorDep, db: SessionDep) -> dict[str, Any]:
    rows = tasks.task_list(db, actor=actor)
    return {"total": len(rows), "items": [exports.task_out(r) for r in rows]}


@router.get("/inspection/tasks/{task_id}", responses=signed_in(NotFound))
def get_task(task_id: int, actor: ActorDep, db: SessionDep) -> dict[str, Any]:
    row = tasks.get_task(db, actor=actor, task_id=task_id)
    return exports.task_out(row) | {
        "checklist": exports.checklist_out(tasks.checklist(db, task=row.task))
    }


@router.post(
    "/inspection/tasks/{task_id}/checklist", responses=signed_in(NotFound, InvalidTransition)
)
def submit(task_id: int, body: ChecklistIn, actor: ActorDep, db: SessionDep) -> dict[str, Any]:
    """The on-site checklist: answers become an inspection record and finding records."""
    task = tasks.submit(db, actor=actor, task_id=task_id, form=body, now=clock.utcnow())
    return {
        "id": task.id,
        "status": task.status,
        "result": task.result,
        "record_id": task.record_id,
    }


@router.get("/inspection/manuals", responses=signed_in())
def list_manuals(actor: ActorDep, db: SessionDep) -> dict[str, Any]:
    rows = tasks.manuals(db, actor=actor)
    return {
        "total": len(rows),
        "items": [
            {"id": m.id, "matter": m.matter, "title": m.title,
             "items": exports.manual_items_out(tasks.manual_items(db, m.id))}
            for m in rows
        ],
    }  # fmt: skip


@router.post("/inspection/manuals", status_code=201, responses=signed_in())
def create_manual(body: ManualIn, actor: ActorDep, db: SessionDep) -> dict[str, Any]:
    manual = tasks.save_manual(db, actor=actor, manual=body, now=clock.utcnow())
    return {"id": manual.id, "matter": manual.matter, "title": manual.title}


@router.get("/public/inspection/results", responses=errors())
def public_results(db: SessionDep) -> dict[str, Any]:
    """一公开: drawn plans (hashes, commitment, seed) and results, without personal data."""
    return {
        "plans": [exports.asdict(p) for p in tasks.public_plans(db)],
        "results": [exports.asdict(r) for r in tasks.public_results(db)],
    }
