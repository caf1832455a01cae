"""The four lists under /api/v1: matters, problems and their penetration."""

from __future__ import annotations

from fastapi import APIRouter, Query

from lookthrough.api.deps import ActorDep, SessionDep
from lookthrough.api.errors import signed_in
from lookthrough.core.errors import Conflict, NotFound
from lookthrough.lists import matters, problems
from lookthrough.lists.schemas import (
    ConfirmIn,
    FactorOut,
    FromTemplate,
    MatterOut,
    MatterPage,
    MatterVersionOut,
    MergeIn,
    ProblemOut,
    ProblemPage,
    RejectIn,
    RunOut,
)
from lookthrough.penetration import service as penetration

router = APIRouter(tags=["lists 四个清单"])


@router.get("/matters", response_model=MatterPage, responses=signed_in())
def list_matters(
    actor: ActorDep,
    db: SessionDep,
    field: str | None = Query(None, max_length=30),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> MatterPage:
    """事项清单 in the user's region and below."""
    rows, total = matters.search(db, actor=actor, field=field, limit=limit, offset=offset)
    return MatterPage(total=total, items=[MatterOut.model_validate(m) for m in rows])


@router.post("/matters", response_model=MatterOut, status_code=201,
             responses=signed_in(NotFound, Conflict))  # fmt: skip
def create_matter(body: FromTemplate, actor: ActorDep, db: SessionDep) -> MatterOut:
    """A matter for the user's current region from one of the policy's templates."""
    return MatterOut.model_validate(
        matters.create_from_template(db, actor=actor, template=body.template)
    )


@router.get("/matters/{matter_id}", response_model=MatterOut, responses=signed_in(NotFound))
def get_matter(matter_id: int, actor: ActorDep, db: SessionDep) -> MatterOut:
    return MatterOut.model_validate(matters.get(db, actor=actor, matter_id=matter_id))


@router.put("/matters/{matter_id}", response_model=MatterOut,
            responses=signed_in(NotFound, Conflict))  # fmt: skip
def update_matter(
    matter_id: int, body: matters.MatterIn, actor: ActorDep, db: SessionDep
) -> MatterOut:
    """A new version of the matter (the old one stays in its history)."""
    return MatterOut.model_validate(matters.update(db, actor=actor, matter_id=matter_id,
                                                   data=body))  # fmt: skip


@router.get("/matters/{matter_id}/versions", response_model=list[MatterVersionOut],
            responses=signed_in(NotFound))  # fmt: skip
def matter_versions(matter_id: int, actor: ActorDep, db: SessionDep) -> list[MatterVersionOut]:
    """Who changed what, when: every version of the matter, newest first."""
    return [MatterVersionOut.model_validate(v)
            for v in matters.versions(db, actor=actor, matter_id=matter_id)]  # fmt: skip


@router.post("/matters/{matter_id}/proposals", response_model=ProblemPage,
             responses=signed_in(NotFound))  # fmt: skip
def propose(matter_id: int, actor: ActorDep, db: SessionDep) -> ProblemPage:
    """Propose the matter's common problems from its businesses' records."""
    made = problems.propose(db, actor=actor, matter_id=matter_id)
    return ProblemPage(total=len(made), items=[ProblemOut.model_validate(p) for p in made])


@router.get("/problems", response_model=ProblemPage, responses=signed_in())
def list_problems(
    actor: ActorDep,
    db: SessionDep,
    matter_id: int | None = Query(None),
    status: str | None = Query(None, pattern="^(proposed|confirmed|merged|rejected)$"),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> ProblemPage:
    """问题清单 in the user's region and below."""
    rows, total = problems.search(db, actor=actor, matter_id=matter_id, status=status,
                                  limit=limit, offset=offset)  # fmt: skip
    return ProblemPage(total=total, items=[ProblemOut.model_validate(p) for p in rows])


@router.post("/problems/{problem_id}/merge", response_model=ProblemOut,
             responses=signed_in(NotFound, Conflict))  # fmt: skip
def merge_problems(problem_id: int, body: MergeIn, actor: ActorDep, db: SessionDep) -> ProblemOut:
    """Merge this proposal and ``others`` into one confirmed problem."""
    return ProblemOut.model_validate(
        problems.merge(db, actor=actor, problem_ids=[problem_id, *body.others], title=body.title)
    )


@router.get("/problems/{problem_id}", response_model=ProblemOut, responses=signed_in(NotFound))
def get_problem(problem_id: int, actor: ActorDep, db: SessionDep) -> ProblemOut:
    return ProblemOut.model_validate(problems.get(db, actor=actor, problem_id=problem_id))


@router.post("/problems/{problem_id}/confirm", response_model=ProblemOut,
             responses=signed_in(NotFound, Conflict))  # fmt: skip
def confirm_problem(
    problem_id: int, body: ConfirmIn, actor: ActorDep, db: SessionDep
) -> ProblemOut:
    """Confirm a proposal: it joins the problems list with its evidence records."""
    return ProblemOut.model_validate(
        problems.confirm(db, actor=actor, problem_id=problem_id, title=body.title,
                         manifestations=body.manifestations)
    )  # fmt: skip


@router.post("/problems/{problem_id}/reject", response_model=ProblemOut,
             responses=signed_in(NotFound, Conflict))  # fmt: skip
def reject_problem(problem_id: int, body: RejectIn, actor: ActorDep, db: SessionDep) -> ProblemOut:
    return ProblemOut.model_validate(
        problems.reject(db, actor=actor, problem_id=problem_id, note=body.note)
    )


def _run_out(db: SessionDep, run: penetration.PenetrationRun) -> RunOut:
    out = RunOut.model_validate(run)
    out.factors = [FactorOut.model_validate(f) for f in penetration.factors(db, run=run)]
    return out


@router.post("/problems/{problem_id}/penetration", response_model=RunOut, status_code=201,
             responses=signed_in(NotFound, Conflict))  # fmt: skip
def run_penetration(problem_id: int, actor: ActorDep, db: SessionDep) -> RunOut:
    """Penetration over the problem in the user's current region (kept as a run)."""
    return _run_out(db, penetration.run(db, actor=actor, problem_id=problem_id))


@router.get("/problems/{problem_id}/penetration", response_model=RunOut,
            responses=signed_in(NotFound))  # fmt: skip
def latest_penetration(problem_id: int, actor: ActorDep, db: SessionDep) -> RunOut:
    """The newest penetration run of the problem made in the user's region or below."""
    found = penetration.latest(db, actor=actor, problem_id=problem_id)
    if found is None:
        raise NotFound("该问题还没有穿透分析结果")
    return _run_out(db, found)
