"""The review queue and judgements (JSON), for officials within their region."""

from __future__ import annotations

from fastapi import APIRouter, Query

from lookthrough.api.deps import ActorDep, SessionDep, SettingsDep
from lookthrough.api.errors import signed_in
from lookthrough.core.errors import NotFound
from lookthrough.resolution import review, service
from lookthrough.resolution.schemas import JudgementIn, MentionOut, MentionPage

router = APIRouter(prefix="/resolution", tags=["resolution 实体解析"])


@router.get("/review", response_model=MentionPage, responses=signed_in())
def queue(
    actor: ActorDep,
    db: SessionDep,
    limit: int = Query(20, ge=1, le=200),
    offset: int = Query(0, ge=0),
) -> MentionPage:
    """Mentions waiting for a person in the actor's region, with their candidates in scope."""
    items, total = review.queue(db, actor=actor, limit=limit, offset=offset)
    return MentionPage(total=total, items=[MentionOut.model_validate(i) for i in items])


@router.get("/mentions/{record_id}", response_model=MentionOut, responses=signed_in(NotFound))
def mention(record_id: str, actor: ActorDep, db: SessionDep) -> MentionOut:
    """A mention: its link, its candidates in scope and every judgement made on it."""
    return MentionOut.model_validate(review.detail(db, actor=actor, record_id=record_id))


@router.post(
    "/mentions/{record_id}/judgements", response_model=MentionOut, responses=signed_in(NotFound)
)
def judge(
    record_id: str, body: JudgementIn, actor: ActorDep, db: SessionDep, settings: SettingsDep
) -> MentionOut:
    """Append a judgement (是同一主体 / 不是同一主体 / 不确定); the link is rebuilt (audited)."""
    view = review.judge(
        db,
        actor=actor,
        record_id=record_id,
        entity_id=body.entity_id,
        judgement=body.judgement,
        note=body.note,
        thresholds=service.thresholds_for(settings),
    )
    return MentionOut.model_validate(view)
