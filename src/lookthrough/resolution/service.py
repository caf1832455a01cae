"""Use cases of entity resolution: the derived links, judgements, merges and splits.

``mention_link`` is never written but through ``rebuild_links``, which applies ``links.link_for``
to the stored candidates and the append-only judgement and merge history — after a batch run,
after a judgement and for a full rebuild alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace

from sqlalchemy import BindParameter, Select, Subquery, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from lookthrough.core.config import Settings
from lookthrough.resolution.links import (
    CandidateRow,
    JudgementRow,
    LinkState,
    canonical_map,
    link_for,
)
from lookthrough.resolution.models import (
    LINKED_STATUSES,
    EntityMerge,
    MentionCandidate,
    MentionJudgement,
    MentionLink,
    MentionScored,
)
from lookthrough.resolution.rules import Thresholds

CHUNK = 500  # record ids per IN list (SQLite allows 32,766 parameters)
MENTION_KINDS = ("complaint", "public_opinion")


def linked_record_ids(entity_id: int | BindParameter[int]) -> Select[str]:
    """The records whose mention is linked to ``entity_id`` (automatically or by a person).

    A sub-select, so that callers can fold it into their own scoped query
    (``Record.id.in_(linked_record_ids(e))``) instead of loading ids into memory. The id may
    be a bound parameter, for a statement built once and run for many businesses.
    """
    return select(MentionLink.record_id).where(
        MentionLink.entity_id == entity_id, MentionLink.status.in_(LINKED_STATUSES)
    )


def linked_mentions() -> Subquery:
    """(``record_id``, ``entity_id``) of every mention linked to a business, as a sub-select to
    outer-join onto a scoped query over many records at once (the bulk form of
    ``linked_record_ids``): ``.outerjoin(links, links.c.record_id == Record.id)``."""
    return (
        select(MentionLink.record_id, MentionLink.entity_id)
        .where(MentionLink.status.in_(LINKED_STATUSES))
        .subquery("linked_mention")
    )


def thresholds_for(settings: Settings) -> Thresholds:
    return Thresholds(
        auto_link=settings.resolution_auto_link,
        review=settings.resolution_review_min,
        outside_share=settings.resolution_outside_share,
    )


def canonical(session: Session) -> dict[int, int]:
    """Which business each merged business counts as (from the whole merge history)."""
    rows = session.execute(
        select(EntityMerge.entity_id, EntityMerge.into_entity_id, EntityMerge.judgement).order_by(
            EntityMerge.id
        )
    ).all()
    return canonical_map([(int(a), int(b), str(j)) for a, b, j in rows])


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def derive(
    session: Session,
    *,
    record_ids: Sequence[str],
    thresholds: Thresholds,
    merged: dict[int, int] | None = None,
) -> dict[str, LinkState]:
    """The links these records' candidates and judgements make (nothing written)."""
    merged = canonical(session) if merged is None else merged
    states: dict[str, LinkState] = {}
    for part in _chunks(list(record_ids)):
        candidates: dict[str, list[CandidateRow]] = defaultdict(list)
        for c in session.scalars(
            select(MentionCandidate)
            .where(MentionCandidate.record_id.in_(part))
            .order_by(MentionCandidate.record_id, MentionCandidate.rank)
        ):
            candidates[c.record_id].append(
                CandidateRow(c.entity_id, c.score, list(c.reasons), c.method, c.scored_at)
            )
        judged: dict[str, list[JudgementRow]] = defaultdict(list)
        for j in session.scalars(
            select(MentionJudgement)
            .where(MentionJudgement.record_id.in_(part))
            .order_by(MentionJudgement.id)
        ):
            judged[j.record_id].append(JudgementRow(j.entity_id, j.judgement, j.username, j.at))
        scored = dict(
            session.execute(
                select(MentionScored.record_id, MentionScored.scored_at).where(
                    MentionScored.record_id.in_(part)
                )
            ).all()
        )
        for record_id in part:
            if record_id not in scored and record_id not in judged:
                continue
            state = link_for(
                candidates.get(record_id, []),
                judged.get(record_id, []),
                thresholds=thresholds,
                canonical=merged,
            )
            if state.updated_at is None:
                state = replace(state, updated_at=scored[record_id])
            states[record_id] = state
    return states


def _state(state: LinkState) -> dict[str, object]:
    return {
        "entity_id": state.entity_id,
        "score": state.score,
        "status": state.status,
        "reasons": state.reasons,
        "method": state.method,
        "updated_at": state.updated_at,
    }


def rebuild_links(
    session: Session,
    *,
    thresholds: Thresholds,
    record_ids: Sequence[str] | None = None,
) -> int:
    """Recompute ``mention_link`` for these records (every resolved or judged record when None)
    from the candidates and the judgement history; returns how many links were written."""
    if record_ids is None:
        session.execute(delete(MentionLink))
        scored = session.scalars(select(MentionScored.record_id))
        judged = session.scalars(select(MentionJudgement.record_id).distinct())
        record_ids = sorted(set(scored) | set(judged))
    merged = canonical(session)
    written = 0
    for part in _chunks(list(record_ids)):
        states = derive(session, record_ids=part, thresholds=thresholds, merged=merged)
        session.execute(delete(MentionLink).where(MentionLink.record_id.in_(part)))
        rows = [{"record_id": r, **_state(s)} for r, s in states.items()]
        if rows:
            session.execute(insert(MentionLink), rows)
        written += len(rows)
    session.flush()
    return written


def link_table(session: Session) -> list[tuple[object, ...]]:
    """The whole ``mention_link`` table in a fixed order (for comparing two builds)."""
    return [
        tuple(row)
        for row in session.execute(
            select(
                MentionLink.record_id,
                MentionLink.entity_id,
                MentionLink.score,
                MentionLink.status,
                MentionLink.reasons,
                MentionLink.method,
                MentionLink.updated_at,
            ).order_by(MentionLink.record_id)
        )
    ]


def records_touching(session: Session, entity_ids: Iterable[int]) -> list[str]:
    """Records whose candidates or judgements involve any of these businesses."""
    ids = sorted(set(entity_ids))
    found = set(
        session.scalars(
            select(MentionCandidate.record_id).where(MentionCandidate.entity_id.in_(ids))
        )
    )
    found |= set(
        session.scalars(
            select(MentionJudgement.record_id).where(MentionJudgement.entity_id.in_(ids))
        )
    )
    found |= set(
        session.scalars(select(MentionLink.record_id).where(MentionLink.entity_id.in_(ids)))
    )
    return sorted(found)


def current_link(session: Session, record_id: str) -> LinkState | None:
    link = session.get(MentionLink, record_id)
    if link is None:
        return None
    return LinkState(
        link.entity_id, link.score, link.status, list(link.reasons), link.method, link.updated_at
    )


def replace_candidates(
    session: Session,
    *,
    record_ids: Sequence[str],
    rows: list[dict[str, object]],
    scored: list[dict[str, object]],
) -> None:
    """Swap the stored candidates of these records for a new run's (machine output only)."""
    for part in _chunks(list(record_ids)):
        session.execute(delete(MentionCandidate).where(MentionCandidate.record_id.in_(part)))
        session.execute(delete(MentionScored).where(MentionScored.record_id.in_(part)))
    if rows:
        session.execute(insert(MentionCandidate), rows)
    if scored:
        session.execute(insert(MentionScored), scored)


def judged_pairs(session: Session, record_id: str) -> dict[int, MentionJudgement]:
    """The latest judgement for each business of a record's mention."""
    latest: dict[int, MentionJudgement] = {}
    for j in session.scalars(
        select(MentionJudgement)
        .where(MentionJudgement.record_id == record_id)
        .order_by(MentionJudgement.id)
    ):
        latest[j.entity_id] = j
    return latest


def merges_of(session: Session, entity_id: int) -> Sequence[EntityMerge]:
    """Every merge and split a business took part in, oldest first."""
    return session.scalars(
        select(EntityMerge)
        .where(or_(EntityMerge.entity_id == entity_id, EntityMerge.into_entity_id == entity_id))
        .order_by(EntityMerge.id)
    ).all()


def status_counts(session: Session, *, record_ids: Sequence[str] | None = None) -> dict[str, int]:
    """How many links have each status (of these records, or of all)."""
    counts: dict[str, int] = {}
    parts: Iterable[Sequence[str] | None] = [None] if record_ids is None else _chunks(record_ids)
    for part in parts:
        stmt = select(MentionLink.status, func.count()).group_by(MentionLink.status)
        if part is not None:
            stmt = stmt.where(MentionLink.record_id.in_(part))
        for status, n in session.execute(stmt):
            counts[str(status)] = counts.get(str(status), 0) + int(n)
    return counts
