"""The chain page of a problem (matter → problem → penetration → causes → rectifications →
did it work), and the forms on it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from lookthrough.api.deps import SessionDep
from lookthrough.core import clock
from lookthrough.core.errors import ValidationFailed
from lookthrough.core.roles import Capability, can
from lookthrough.lists import causes, chain, problems, rectifications, rules, tasks
from lookthrough.lists.pages import attempt, see_other, status_of
from lookthrough.lists.signatures import UNIT_LABELS
from lookthrough.penetration import service as penetration
from lookthrough.penetration.graph import FACTOR_TYPES
from lookthrough.web.deps import PageActorDep
from lookthrough.web.templating import render

router = APIRouter(prefix="/lists", include_in_schema=False)
# A participant's kind as typed: its Chinese label or its code (the English page shows codes).
KIND_BY_LABEL = {label: kind for kind, label in rules.PARTICIPANT_KINDS.items()} | {
    kind: kind for kind in rules.PARTICIPANT_KINDS
}
PAGE_SIZE = 50


def _chain_page(
    request: Request, actor: PageActorDep, db: SessionDep, problem_id: int, *,
    cut: date | None = None, error: str | None = None, message: str | None = None,
) -> Response:  # fmt: skip
    view = chain.problem_chain(db, actor=actor, problem_id=problem_id, today=clock.today(),
                               cut=cut)  # fmt: skip
    entity_factors = [f for f in view.factors if f.ref.startswith("entity:") and f.significant]
    return render(request, "lists/chain.html", {
        "c": view, "cut": cut, "error": error, "message": message,
        "factor_types": FACTOR_TYPES, "units": UNIT_LABELS, "categories": rules.CAUSE_CATEGORIES,
        "participant_kinds": rules.PARTICIPANT_KINDS, "states": rules.STATE_LABELS,
        "scopes": tasks.SCOPE_LABELS, "statuses": problems.STATUS_LABELS,
        "sources": problems.SOURCE_LABELS, "direction": rules.direction(view.problem.trend),
        "entity_factors": entity_factors, "today": clock.today(),
        "can_manage": can(actor.role, Capability.MANAGE_LISTS),
    }, status_code=status_of(error))  # fmt: skip


@router.get("/causes")
def cause_list(
    request: Request, actor: PageActorDep, db: SessionDep, category: str = "", page: int = 1
) -> Response:
    page = max(page, 1)
    wanted = category if category in rules.CAUSE_CATEGORIES else None
    rows, total = causes.search(db, actor=actor, category=wanted, limit=PAGE_SIZE,
                                offset=(page - 1) * PAGE_SIZE)  # fmt: skip
    return render(request, "lists/causes.html", {
        "rows": rows, "total": total, "category": category, "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)), "categories": rules.CAUSE_CATEGORIES,
    })  # fmt: skip


@router.get("/problems/{problem_id}")
def chain_page(
    request: Request,
    problem_id: int,
    actor: PageActorDep,
    db: SessionDep,
    cut: date | None = None,
) -> Response:
    return _chain_page(request, actor, db, problem_id, cut=cut)


@router.post("/problems/{problem_id}/penetration")
def run_penetration(
    request: Request, problem_id: int, actor: PageActorDep, db: SessionDep
) -> Response:
    _, error = attempt(db, lambda: penetration.run(db, actor=actor, problem_id=problem_id))
    if error:
        return _chain_page(request, actor, db, problem_id, error=error)
    return see_other(f"/lists/problems/{problem_id}#penetration")


def parse_participants(text: str) -> list[causes.ParticipantIn]:
    """One participant a line: 姓名|单位|类别 (监管部门 / 技术机构 / 科研院所)."""
    found = []
    for n, line in enumerate(row for row in text.splitlines() if row.strip()):
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        if len(parts) != 3 or parts[2] not in KIND_BY_LABEL:
            raise ValidationFailed(
                f"第 {n + 1} 位参加人员应写作“姓名|单位|监管部门、技术机构或科研院所”"
            )
        found.append(causes.ParticipantIn(name=parts[0], organisation=parts[1],
                                          kind=KIND_BY_LABEL[parts[2]]))  # fmt: skip
    return found


@router.post("/problems/{problem_id}/dissections")
async def record_dissection(
    request: Request,
    problem_id: int,
    actor: PageActorDep,
    db: SessionDep,
) -> Response:
    form = await request.form()
    chosen = [str(v) for v in form.getlist("subject")]

    def save() -> object:
        subjects = [
            {"entity_id": int(v), "reason": str(form.get(f"reason_{v}") or "代表性主体")}
            for v in chosen if v.isdigit()
        ]  # fmt: skip
        data = causes.DissectionIn.model_validate({
            "held_on": form.get("held_on") or None, "place": form.get("place") or "",
            "summary": form.get("summary") or "", "subjects": subjects,
            "participants": parse_participants(str(form.get("participants") or "")),
        })  # fmt: skip
        return causes.record_dissection(db, actor=actor, problem_id=problem_id, data=data)

    _, error = attempt(db, save)
    if error:
        return _chain_page(request, actor, db, problem_id, error=error)
    return see_other(f"/lists/problems/{problem_id}#causes")


@router.post("/problems/{problem_id}/causes")
def record_cause(
    request: Request,
    problem_id: int,
    actor: PageActorDep,
    db: SessionDep,
    category: Annotated[str, Form(max_length=10)],
    description: Annotated[str, Form(max_length=2000)],
    evidence_records: Annotated[str, Form(max_length=5000)] = "",
    factor: Annotated[str, Form(max_length=200)] = "",
    dissection_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    def save() -> object:
        data = causes.CauseIn.model_validate({
            "category": category, "description": description,
            "evidence_records": evidence_records.replace("，", " ").replace(",", " ").split(),
            "factor": factor or None,
            "dissection_id": int(dissection_id) if dissection_id.isdigit() else None,
        })  # fmt: skip
        return causes.record_cause(db, actor=actor, problem_id=problem_id, data=data)

    _, error = attempt(db, save)
    if error:
        return _chain_page(request, actor, db, problem_id, error=error)
    return see_other(f"/lists/problems/{problem_id}#causes")


@router.post("/problems/{problem_id}/rectifications")
def open_task(
    request: Request,
    problem_id: int,
    actor: PageActorDep,
    db: SessionDep,
    title: Annotated[str, Form(max_length=200)],
    scope: Annotated[str, Form(max_length=10)],
    measures: Annotated[str, Form(max_length=5000)],
    responsible: Annotated[str, Form(max_length=100)],
    deadline: Annotated[str, Form(max_length=10)],
    policy: Annotated[str, Form(max_length=5000)] = "",
    entity_id: Annotated[str, Form(max_length=12)] = "",
    cause_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    def save() -> object:
        data = rectifications.TaskIn.model_validate({
            "title": title, "scope": scope, "measures": measures, "policy": policy,
            "responsible": responsible, "deadline": deadline or None,
            "entity_id": int(entity_id) if entity_id.isdigit() else None,
            "cause_id": int(cause_id) if cause_id.isdigit() else None,
        })  # fmt: skip
        return rectifications.open_task(db, actor=actor, problem_id=problem_id, data=data,
                                        today=clock.today())  # fmt: skip

    made, error = attempt(db, save)
    if error:
        return _chain_page(request, actor, db, problem_id, error=error)
    return see_other(f"/lists/rectifications/{made.id}")
