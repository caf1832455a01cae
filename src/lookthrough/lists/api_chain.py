"""Causes, rectifications and their effect under /api/v1."""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import Response

from lookthrough.api.deps import ActorDep, SessionDep
from lookthrough.api.errors import signed_in
from lookthrough.core import clock
from lookthrough.core.errors import Conflict, FileRejected, InvalidTransition, NotFound
from lookthrough.core.excel import XLSX_MEDIA_TYPE
from lookthrough.lists import causes, effect, evidence, exports, rectifications, rules, tasks
from lookthrough.lists.schemas import (
    CauseOut,
    CausePage,
    DissectionOut,
    EffectOut,
    EventOut,
    EvidenceOut,
    MoveIn,
    SuggestionOut,
    TargetOut,
    TaskOut,
    TaskPage,
)

router = APIRouter(tags=["lists 四个清单"])
XLSX = {**signed_in(), 200: {"content": {XLSX_MEDIA_TYPE: {}}}}


def attachment(content: bytes, media: str, name: str) -> Response:
    """A download, its Chinese file name encoded as RFC 6266 asks."""
    disposition = f"attachment; filename*=UTF-8''{quote(name)}"
    return Response(content, media_type=media, headers={"Content-Disposition": disposition})


def xlsx(content: bytes, name: str) -> Response:
    return attachment(content, XLSX_MEDIA_TYPE, name)


def task_out(view: tasks.TaskView) -> TaskOut:
    t = view.task
    return TaskOut(
        id=t.id, problem_id=t.problem_id, problem_title=view.problem_title, cause_id=t.cause_id,
        region_code=t.region_code, scope=t.scope, title=t.title, measures=t.measures,
        policy=t.policy, responsible=t.responsible, deadline=t.deadline, state=t.state,
        progress=view.progress, overdue=view.overdue, created_at=t.created_at,
        targets=[TargetOut.model_validate(x, from_attributes=True) for x in view.targets],
    )  # fmt: skip


# --- 成因清单 ---


@router.get("/problems/{problem_id}/representatives", response_model=list[SuggestionOut],
            responses=signed_in(NotFound))  # fmt: skip
def representatives(problem_id: int, actor: ActorDep, db: SessionDep) -> list[SuggestionOut]:
    """Representative subjects to dissect, stratified by county, size and risk, with reasons."""
    return [
        SuggestionOut(entity_id=s.candidate.entity_id, name=s.candidate.name,
                      region_code=s.candidate.region_code, size=s.candidate.size,
                      risk=s.candidate.risk, problem_records=s.candidate.problem_records,
                      violations=s.violations, risk_level=s.level, reason=s.reason)
        for s in causes.suggest(db, actor=actor, problem_id=problem_id)
    ]  # fmt: skip


@router.get("/problems/{problem_id}/dissections", response_model=list[DissectionOut],
            responses=signed_in(NotFound))  # fmt: skip
def list_dissections(problem_id: int, actor: ActorDep, db: SessionDep) -> list[DissectionOut]:
    return [DissectionOut.model_validate(d)
            for d in causes.dissections(db, actor=actor, problem_id=problem_id)]  # fmt: skip


@router.post("/problems/{problem_id}/dissections", response_model=DissectionOut,
             status_code=201, responses=signed_in(NotFound))  # fmt: skip
def record_dissection(
    problem_id: int, body: causes.DissectionIn, actor: ActorDep, db: SessionDep
) -> DissectionOut:
    """Record a joint dissection (regulators with technical institutions or research)."""
    return DissectionOut.model_validate(
        causes.record_dissection(db, actor=actor, problem_id=problem_id, data=body)
    )


@router.get("/problems/{problem_id}/causes", response_model=list[CauseOut],
            responses=signed_in(NotFound))  # fmt: skip
def problem_causes(problem_id: int, actor: ActorDep, db: SessionDep) -> list[CauseOut]:
    return [CauseOut.model_validate(c)
            for c in causes.causes(db, actor=actor, problem_id=problem_id)]  # fmt: skip


@router.post("/problems/{problem_id}/causes", response_model=CauseOut, status_code=201,
             responses=signed_in(NotFound))  # fmt: skip
def record_cause(
    problem_id: int, body: causes.CauseIn, actor: ActorDep, db: SessionDep
) -> CauseOut:
    """A root cause by category, linked to records or a factor of the latest penetration."""
    return CauseOut.model_validate(
        causes.record_cause(db, actor=actor, problem_id=problem_id, data=body)
    )


@router.get("/causes", response_model=CausePage, responses=signed_in())
def list_causes(
    actor: ActorDep,
    db: SessionDep,
    matter_id: int | None = Query(None),
    category: str | None = Query(None, max_length=10),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> CausePage:
    """成因清单 in the user's region and below."""
    rows, total = causes.search(db, actor=actor, matter_id=matter_id, category=category,
                                limit=limit, offset=offset)  # fmt: skip
    return CausePage(total=total, items=[CauseOut.model_validate(c) for c, _ in rows])


@router.get("/causes.xlsx", responses=XLSX, response_class=Response)
def causes_xlsx(actor: ActorDep, db: SessionDep, matter_id: int | None = Query(None)) -> Response:
    """成因清单 as Excel (audited)."""
    return xlsx(exports.causes_xlsx(db, actor=actor, matter_id=matter_id), "成因清单.xlsx")


# --- 整改清单 ---


@router.post("/problems/{problem_id}/rectifications", response_model=TaskOut, status_code=201,
             responses=signed_in(NotFound))  # fmt: skip
def open_task(
    problem_id: int, body: rectifications.TaskIn, actor: ActorDep, db: SessionDep
) -> TaskOut:
    """A task for one business, or for every business in scope showing the problem (一类一策)."""
    today = clock.today()
    made = rectifications.open_task(db, actor=actor, problem_id=problem_id, data=body,
                                    today=today)  # fmt: skip
    return task_out(tasks.get(db, actor=actor, task_id=made.id, today=today))


@router.get("/rectifications", response_model=TaskPage, responses=signed_in())
def list_tasks(
    actor: ActorDep,
    db: SessionDep,
    problem_id: int | None = Query(None),
    matter_id: int | None = Query(None),
    state: str | None = Query(None, pattern="^(" + "|".join(rules.STATE_ORDER) + ")$"),
    overdue: bool = Query(False, description="只看超期未完成的任务"),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> TaskPage:
    """整改清单 (officials: their region; enterprise users: the tasks that target them)."""
    views, total = tasks.search(db, actor=actor, today=clock.today(), problem_id=problem_id,
                                matter_id=matter_id, state=state, overdue=overdue, limit=limit,
                                offset=offset)  # fmt: skip
    return TaskPage(total=total, items=[task_out(v) for v in views])


@router.get("/rectifications.xlsx", responses=XLSX, response_class=Response)
def tasks_xlsx(
    actor: ActorDep,
    db: SessionDep,
    matter_id: int | None = Query(None),
    overdue: bool = Query(False),
) -> Response:
    """整改清单 as Excel (audited)."""
    content = exports.rectifications_xlsx(db, actor=actor, today=clock.today(),
                                          matter_id=matter_id, overdue=overdue)  # fmt: skip
    return xlsx(content, "整改清单.xlsx")


@router.get("/rectifications/{task_id}", response_model=TaskOut, responses=signed_in(NotFound))
def get_task(task_id: int, actor: ActorDep, db: SessionDep) -> TaskOut:
    return task_out(tasks.get(db, actor=actor, task_id=task_id, today=clock.today()))


@router.get("/rectifications/{task_id}/events", response_model=list[EventOut],
            responses=signed_in(NotFound))  # fmt: skip
def task_events(task_id: int, actor: ActorDep, db: SessionDep) -> list[EventOut]:
    """Every move of the task's targets the user may see, newest first."""
    return [EventOut.model_validate(e) for e in tasks.events(db, actor=actor, task_id=task_id)]


@router.post("/rectification-targets/{target_id}/moves", response_model=TargetOut,
             responses=signed_in(NotFound, Conflict, InvalidTransition))  # fmt: skip
def move(target_id: int, body: MoveIn, actor: ActorDep, db: SessionDep) -> TargetOut:
    """Move one targeted business through the state machine; an illegal move answers 409."""
    moved = rectifications.move(db, actor=actor, target_id=target_id, action=body.action,
                                note=body.note, record_id=body.record_id)  # fmt: skip
    view = tasks.get(db, actor=actor, task_id=moved.rectification_id, today=clock.today())
    return TargetOut.model_validate(
        next(t for t in view.targets if t.id == moved.id), from_attributes=True
    )


@router.get("/rectification-targets/{target_id}/evidence", response_model=list[EvidenceOut],
            responses=signed_in(NotFound))  # fmt: skip
def list_evidence(target_id: int, actor: ActorDep, db: SessionDep) -> list[EvidenceOut]:
    return [EvidenceOut.model_validate(e)
            for e in evidence.of_target(db, actor=actor, target_id=target_id)]  # fmt: skip


@router.post("/rectification-targets/{target_id}/evidence", response_model=EvidenceOut,
             status_code=201, responses=signed_in(NotFound, Conflict, FileRejected))  # fmt: skip
def add_evidence(
    target_id: int,
    actor: ActorDep,
    db: SessionDep,
    description: Annotated[str, Form(max_length=5000, description="整改情况说明")],
    file: Annotated[UploadFile | None, File(description="JPEG、PNG 或 PDF，10 MB 以内")] = None,
) -> EvidenceOut:
    """整改材料 from the business's portal (or an official on its behalf)."""
    content = file.file.read(rules.MAX_EVIDENCE_BYTES + 1) if file else None
    made = evidence.add(db, actor=actor, target_id=target_id, description=description,
                        file_name=file.filename if file else None, content=content)  # fmt: skip
    return EvidenceOut.model_validate(made)


FILE = {**signed_in(NotFound), 200: {"content": {"application/pdf": {}, "image/png": {}}}}


@router.get("/rectification-evidence/{evidence_id}/file", response_class=Response,
            responses=FILE)  # fmt: skip
def evidence_file(evidence_id: int, actor: ActorDep, db: SessionDep) -> Response:
    row = evidence.file(db, actor=actor, evidence_id=evidence_id)
    assert row.content is not None and row.content_type is not None
    return attachment(row.content, row.content_type, row.file_name or f"evidence-{row.id}")


# --- 整改成效 ---


@router.get("/problems/{problem_id}/effect", response_model=EffectOut,
            responses=signed_in(NotFound, Conflict))  # fmt: skip
def problem_effect(
    problem_id: int,
    actor: ActorDep,
    db: SessionDep,
    cut: date | None = Query(None, description="整改实施日期（默认：首个整改任务下达日）"),
) -> EffectOut:
    """Did it work: problem rates before/after, targeted vs comparable, with a 95% interval."""
    seen = effect.effect(db, actor=actor, problem_id=problem_id, today=clock.today(), cut=cut)
    e = seen.effect

    def value(x: float) -> float | None:
        return None if math.isnan(x) else x

    return EffectOut(
        problem_id=seen.problem_id, before_start=seen.windows.before_start, cut=seen.windows.cut,
        after_end=seen.windows.after_end, treated_units=seen.treated_units,
        control_units=seen.control_units, treated_before=value(e.treated_before),
        treated_after=value(e.treated_after), control_before=value(e.control_before),
        control_after=value(e.control_after), estimate=value(e.estimate), low=value(e.low),
        high=value(e.high), method="双重差分，按主体重抽样 bootstrap 2000 次的 95% 区间",
        comparison=seen.comparison, reading=seen.reading,
    )  # fmt: skip
