"""The review queue: officials judge the mentions the scorer was unsure of, in their own region.

A county official sees and judges only mentions of records in their region, and of the
candidates only the businesses in their region (a candidate elsewhere is not shown, and cannot
be linked). Every judgement is appended with who and when, audited, and the mention's link is
rebuilt from the whole history at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import EntitiesMerged, MentionJudged
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.errors import Conflict, NotFound, ValidationFailed
from lookthrough.core.roles import Capability
from lookthrough.core.scope import business_clause, region_prefix_clause, require
from lookthrough.records.kinds import KINDS
from lookthrough.records.models import Record
from lookthrough.registry.models import Entity
from lookthrough.registry.service import EntityView
from lookthrough.resolution import service
from lookthrough.resolution.links import LinkState
from lookthrough.resolution.models import (
    JUDGEMENT_LABELS,
    JUDGEMENTS,
    MERGE_JUDGEMENTS,
    EntityMerge,
    MentionCandidate,
    MentionJudgement,
    MentionLink,
)
from lookthrough.resolution.names import address_in_text
from lookthrough.resolution.rules import Thresholds

STATUS_LABELS = {
    "auto": "自动关联",
    "confirmed": "人工确认",
    "review": "待复核",
    "unlinked": "未关联",
    "rejected": "已否定",
}


def _records_in_scope(actor: Actor) -> ColumnElement[bool]:
    return region_prefix_clause(Record.region_code, actor.region)


def _entities_in_scope(actor: Actor) -> ColumnElement[bool]:
    return business_clause(actor, region_column=Entity.region_code, entity_column=Entity.id)


@dataclass(frozen=True, slots=True)
class CandidateView:
    entity: EntityView  # personal data masked
    rank: int
    score: float
    reasons: list[str]
    judgement: str | None = None  # the latest word on this pair, as a label
    linked: bool = False


@dataclass(frozen=True, slots=True)
class JudgementView:
    entity_id: int
    entity_name: str
    judgement: str
    label: str
    note: str | None
    username: str
    at: datetime


@dataclass(frozen=True, slots=True)
class MentionView:
    record_id: str
    kind: str
    kind_label: str
    title: str
    occurred_at: datetime
    region_code: str
    mention: str
    mention_address: str | None  # as the record gives it, else as its text writes it
    text: str | None
    link: LinkState | None
    status_label: str
    candidates: list[CandidateView] = field(default_factory=list)
    history: list[JudgementView] = field(default_factory=list)


def _record(session: Session, actor: Actor, record_id: str) -> Record:
    require(actor, Capability.RESOLVE_MENTIONS)
    record = session.scalar(
        select(Record).where(
            Record.id == record_id, _records_in_scope(actor), Record.kind.in_(service.MENTION_KINDS)
        )
    )
    if record is None or not (record.payload or {}).get("mention"):
        raise NotFound("该投诉舆情不存在、没有被投诉对象名称，或不在您的管辖范围内")
    return record


def _view(session: Session, actor: Actor, record: Record, *, history: bool = False) -> MentionView:
    link = service.current_link(session, record.id)
    latest = service.judged_pairs(session, record.id)
    rows = session.execute(
        select(MentionCandidate, Entity)
        .join(Entity, Entity.id == MentionCandidate.entity_id)
        .where(MentionCandidate.record_id == record.id, _entities_in_scope(actor))
        .order_by(MentionCandidate.rank)
    ).all()
    candidates = [
        CandidateView(
            entity=EntityView.of(entity),
            rank=c.rank,
            score=c.score,
            reasons=list(c.reasons),
            judgement=JUDGEMENT_LABELS[latest[c.entity_id].judgement]
            if c.entity_id in latest
            else None,
            linked=link is not None and link.entity_id == c.entity_id,
        )
        for c, entity in rows
    ]
    if link is not None and link.entity_id is not None:
        visible = session.scalar(
            select(Entity.id).where(Entity.id == link.entity_id, _entities_in_scope(actor))
        )
        if visible is None:  # linked to a business outside the viewer's region: say so, not who
            link = LinkState(None, link.score, link.status, ["所关联主体不在您的管辖范围内"],
                             link.method, link.updated_at)  # fmt: skip
    payload = record.payload or {}
    views = []
    if history:
        judgements = session.execute(
            select(MentionJudgement, Entity)
            .join(Entity, Entity.id == MentionJudgement.entity_id)
            .where(MentionJudgement.record_id == record.id, _entities_in_scope(actor))
            .order_by(MentionJudgement.id)
        ).all()
        views = [
            JudgementView(j.entity_id, e.name, j.judgement, JUDGEMENT_LABELS[j.judgement], j.note,
                          j.username, j.at)
            for j, e in judgements
        ]  # fmt: skip
    return MentionView(
        record_id=record.id,
        kind=record.kind,
        kind_label=KINDS[record.kind].label,
        title=record.title,
        occurred_at=record.occurred_at,
        region_code=record.region_code,
        mention=str(payload.get("mention") or ""),
        mention_address=payload.get("mention_address") or address_in_text(payload.get("text")),
        text=payload.get("text"),
        link=link,
        status_label=STATUS_LABELS.get(link.status, "未处理") if link else "未处理",
        candidates=candidates,
        history=views,
    )


def queue(
    session: Session, *, actor: Actor, limit: int = 20, offset: int = 0
) -> tuple[Sequence[MentionView], int]:
    """Mentions waiting for review in the actor's region, most promising first."""
    require(actor, Capability.RESOLVE_MENTIONS)
    stmt = (
        select(Record)
        .join(MentionLink, MentionLink.record_id == Record.id)
        .where(MentionLink.status == "review", _records_in_scope(actor))
    )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    records = session.scalars(
        stmt.order_by(MentionLink.score.desc(), Record.occurred_at.desc(), Record.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [_view(session, actor, r) for r in records], int(total)


def detail(session: Session, *, actor: Actor, record_id: str) -> MentionView:
    """A mention with its link, candidates in scope and the full judgement history."""
    return _view(session, actor, _record(session, actor, record_id), history=True)


def judge(
    session: Session,
    *,
    actor: Actor,
    record_id: str,
    entity_id: int,
    judgement: str,
    thresholds: Thresholds,
    note: str | None = None,
) -> MentionView:
    """Record a person's word on (mention, business); the link follows from the history."""
    if judgement not in JUDGEMENTS:
        raise ValidationFailed("判定只能是：是同一主体、不是同一主体、不确定", field="judgement")
    record = _record(session, actor, record_id)
    entity = session.scalar(select(Entity).where(Entity.id == entity_id, _entities_in_scope(actor)))
    if entity is None:
        raise NotFound("经营主体不存在或不在您的管辖范围内")
    before = service.current_link(session, record.id)
    session.add(
        MentionJudgement(
            record_id=record.id,
            entity_id=entity.id,
            judgement=judgement,
            note=(note or "").strip()[:200] or None,
            user_id=actor.user_id,
            username=actor.username,
            at=clock.utcnow(),
        )
    )
    session.flush()
    service.rebuild_links(session, thresholds=thresholds, record_ids=[record.id])
    after = service.current_link(session, record.id)
    audit.record(
        session,
        actor=actor,
        event=MentionJudged(
            object_id=record.id,
            entity_id=entity.id,
            judgement=judgement,
            before=before.as_audit() if before else {},
            after=after.as_audit() if after else {},
        ),
    )
    return _view(session, actor, record, history=True)


def merge(
    session: Session,
    *,
    actor: Actor,
    entity_id: int,
    into_entity_id: int,
    judgement: str,
    thresholds: Thresholds,
    note: str | None = None,
) -> int:
    """Say two business rows are one business (merge) or not (split); returns links changed."""
    require(actor, Capability.RESOLVE_MENTIONS)
    if judgement not in MERGE_JUDGEMENTS:
        raise ValidationFailed("只能合并（merge）或拆分（split）", field="judgement")
    if entity_id == into_entity_id:
        raise Conflict("不能把经营主体与它自己合并")
    found = session.scalars(
        select(Entity.id).where(
            Entity.id.in_([entity_id, into_entity_id]), _entities_in_scope(actor)
        )
    ).all()
    if len(set(found)) != 2:
        raise NotFound("经营主体不存在或不在您的管辖范围内")
    if judgement == "merge" and service.canonical(session).get(into_entity_id) == entity_id:
        raise Conflict("后者已并入前者，不能反向合并；请先拆分")
    affected = service.records_touching(session, [entity_id, into_entity_id])
    before = {r: service.current_link(session, r) for r in affected}
    session.add(
        EntityMerge(
            entity_id=entity_id,
            into_entity_id=into_entity_id,
            judgement=judgement,
            note=(note or "").strip()[:200] or None,
            user_id=actor.user_id,
            username=actor.username,
            at=clock.utcnow(),
        )
    )
    session.flush()
    service.rebuild_links(session, thresholds=thresholds, record_ids=affected)
    changed = sum(1 for r in affected if service.current_link(session, r) != before[r])
    audit.record(
        session,
        actor=actor,
        event=EntitiesMerged(
            object_id=str(entity_id),
            into_entity_id=into_entity_id,
            judgement=judgement,
            links_changed=changed,
        ),
    )
    return changed
