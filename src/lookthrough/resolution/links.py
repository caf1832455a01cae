"""A mention's current link, derived from its scored candidates and people's judgements. Pure.

``link_for`` is the one rule by which ``mention_link`` is made — after a batch run, after each
judgement, after a merge or split, and by the full rebuild — so the table is always what the
candidates and the judgement history say, whichever way it was reached:

1. Businesses merged into another count as that one (their scores add up).
2. The latest "是同一主体" judgement wins: 人工确认 (confirmed).
3. Candidates a person said "不是同一主体" for are set aside. If none is left, the mention is
   rejected (naming the last business rejected) — or unlinked when it never had a candidate.
4. Otherwise the best remaining candidate decides by its score: auto-link, review or unlinked.
   Once a person has judged a mention, its remaining candidates are never linked automatically:
   they wait in the review queue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from lookthrough.resolution.rules import Thresholds, status_for


@dataclass(frozen=True, slots=True)
class CandidateRow:
    entity_id: int
    score: float
    reasons: list[str]
    method: str
    scored_at: datetime


@dataclass(frozen=True, slots=True)
class JudgementRow:
    entity_id: int
    judgement: str  # link | not_a_match | unsure
    username: str
    at: datetime


@dataclass(frozen=True, slots=True)
class LinkState:
    entity_id: int | None
    score: float
    status: str
    reasons: list[str] = field(default_factory=list)
    method: str = "rules"
    updated_at: datetime | None = None

    def as_audit(self) -> dict[str, object]:
        return {"entity_id": self.entity_id, "status": self.status, "score": self.score}


def _day(at: datetime) -> str:
    return at.strftime("%Y-%m-%d")


def link_for(
    candidates: Sequence[CandidateRow],
    judgements: Sequence[JudgementRow],
    *,
    thresholds: Thresholds,
    canonical: Mapping[int, int] | None = None,
) -> LinkState:
    """The link a mention has, given its candidates and its judgements (oldest first)."""
    canonical = canonical or {}
    merged: dict[int, CandidateRow] = {}
    for c in candidates:
        target = canonical.get(c.entity_id, c.entity_id)
        if target in merged:
            kept = merged[target]
            best = kept if kept.score >= c.score else c
            merged[target] = CandidateRow(
                target, kept.score + c.score, best.reasons, best.method,
                max(kept.scored_at, c.scored_at),
            )  # fmt: skip
        else:
            merged[target] = CandidateRow(target, c.score, c.reasons, c.method, c.scored_at)
    latest: dict[int, JudgementRow] = {}
    for j in judgements:
        latest[canonical.get(j.entity_id, j.entity_id)] = j
    stamps = [c.scored_at for c in merged.values()] + [j.at for j in judgements]
    updated = max(stamps) if stamps else None

    links = [(e, j) for e, j in latest.items() if j.judgement == "link"]
    if links:
        entity_id, j = max(links, key=lambda pair: pair[1].at)
        machine = merged.get(entity_id)
        return LinkState(
            entity_id=entity_id,
            score=machine.score if machine else 0.0,
            status="confirmed",
            reasons=[f"人工确认为同一主体（{j.username}，{_day(j.at)}）"]
            + (machine.reasons if machine else []),
            method="judgement",
            updated_at=updated,
        )
    rejected = sorted(
        ((e, j) for e, j in latest.items() if j.judgement == "not_a_match"),
        key=lambda pair: pair[1].at,
    )
    left = sorted(
        (c for e, c in merged.items() if e not in dict(rejected)),
        key=lambda c: (-c.score, c.entity_id),
    )
    if not left:
        if rejected:
            entity_id, j = rejected[-1]
            machine = merged.get(entity_id)
            return LinkState(
                entity_id=entity_id,
                score=machine.score if machine else 0.0,
                status="rejected",
                reasons=[f"人工判定不是同一主体（{j.username}，{_day(j.at)}）"],
                method="judgement",
                updated_at=updated,
            )
        return LinkState(
            entity_id=None,
            score=0.0,
            status="unlinked",
            reasons=["未找到名称相符的经营主体"],
            method=candidates[0].method if candidates else "rules",
            updated_at=updated,
        )
    best = left[0]
    status = status_for(best.score, thresholds)
    notes: list[str] = []
    if latest and status != "unlinked":
        status = "review"  # a person has looked: the rest is for a person too
        if rejected:
            notes.append(f"已有 {len(rejected)} 个候选被判定不是同一主体")
        if best.entity_id in latest and latest[best.entity_id].judgement == "unsure":
            j = latest[best.entity_id]
            notes.append(f"有人标记为不确定（{j.username}，{_day(j.at)}）")
    if status == "unlinked":
        return LinkState(
            entity_id=None,
            score=best.score,
            status="unlinked",
            reasons=["最佳候选匹配分低于复核下限", *best.reasons],
            method=best.method,
            updated_at=updated,
        )
    return LinkState(
        entity_id=best.entity_id,
        score=best.score,
        status=status,
        reasons=notes + best.reasons,
        method=best.method,
        updated_at=updated,
    )


def canonical_map(merges: Sequence[tuple[int, int, str]]) -> dict[int, int]:
    """Which business each merged one counts as, from (entity, into, merge|split) in order.

    The latest word on a pair holds; chains are followed (A into B, B into C: A counts as C),
    and a pair that would close a loop is ignored.
    """
    live: dict[tuple[int, int], bool] = {}
    for entity_id, into, judgement in merges:
        live[(entity_id, into)] = judgement == "merge"
    parent: dict[int, int] = {}
    for (entity_id, into), on in live.items():
        if on and _root(parent, into) != entity_id and entity_id not in parent:
            parent[entity_id] = into
    return {e: _root(parent, e) for e in parent}


def _root(parent: Mapping[int, int], entity_id: int) -> int:
    seen = set()
    while entity_id in parent and entity_id not in seen:
        seen.add(entity_id)
        entity_id = parent[entity_id]
    return entity_id
