"""问题清单 use cases: propose common problems from a matter's records; officials confirm, merge
or reject them; a confirmed problem keeps its manifestations and the records it rests on."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import ProblemDecided, ProblemsProposed
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.errors import Conflict, NotFound, ValidationFailed
from lookthrough.core.ids import make_id
from lookthrough.core.roles import Capability
from lookthrough.core.scope import region_prefix_clause, require
from lookthrough.lists import matters, rules, signatures, topics
from lookthrough.lists.models import Matter, Problem, ProblemEvidence
from lookthrough.lists.signatures import Hit, Signature
from lookthrough.penetration import graph

PER_SOURCE = 8  # proposals kept from each kind of evidence
MIN_BUSINESSES = 2  # a "common" problem concerns at least two units
SOURCE_LABELS = {
    "finding": "检查发现问题",
    "sampling_item": "抽检不合格项目",
    "complaint_topic": "投诉举报话题",
    "incident": "事故",
    "iot_alarm": "物联网报警",
    "list_entry": "名录列入",
    "merged": "合并",
}
STATUS_LABELS = {
    "proposed": "待确认",
    "confirmed": "已确认",
    "merged": "已合并",
    "rejected": "已驳回",
}


def _scoped(actor: Actor) -> ColumnElement[bool]:
    return region_prefix_clause(Problem.region_code, actor.region)


def key_of(sigs: Iterable[Signature]) -> str:
    return make_id(*sorted(s.model_dump_json() for s in sigs))


@dataclass(slots=True)
class _Draft:
    title: str
    source: str
    signature: Signature
    hits: list[Hit] = field(default_factory=list)
    severities: list[str] = field(default_factory=list)
    injuries: int = 0
    examples: list[str] = field(default_factory=list)


def _drafts(session: Session, actor: Actor, matter: Matter) -> list[_Draft]:
    """Candidate problems from every kind of evidence the matter's units have."""
    population = matters.population_of(matter, actor.region)
    units = set(graph.universe(session, population).tolist())
    unit = population.unit
    by_key: dict[tuple[str, str], _Draft] = {}
    texts: list[tuple[Hit, str]] = []

    def add(source: str, value: str, sig: Signature, hit: Hit, title: str) -> _Draft:
        draft = by_key.get((source, value))
        if draft is None:
            draft = by_key[(source, value)] = _Draft(title, source, sig)
        draft.hits.append(hit)
        return draft

    kinds = ("finding", "sampling", "incident", "iot_alarm", "abnormal_list", "complaint",
             "public_opinion")  # fmt: skip
    for hit, payload in signatures.records_of(
        session, actor=actor, kinds=kinds, unit=unit, region=actor.region
    ):
        if hit.unit_id not in units:
            continue
        if hit.kind == "finding" and payload.get("description"):
            desc = str(payload["description"])
            d = add("finding", desc, Signature(kind="finding", values=[desc], unit=unit), hit,
                    desc)  # fmt: skip
            d.severities.append(str(payload.get("severity", "一般")))
        elif hit.kind == "sampling":
            for item in set(signatures.failing_items(payload)):
                product = str(payload.get("product", ""))
                add("sampling_item", item,
                    Signature(kind="sampling_item", values=[item], unit=unit), hit,
                    f"{product}抽检“{item}”不合格")  # fmt: skip
        elif hit.kind == "incident" and payload.get("incident_type"):
            kind = str(payload["incident_type"])
            d = add("incident", kind, Signature(kind="incident", values=[kind], unit=unit), hit,
                    f"事故：{kind}")  # fmt: skip
            d.injuries += int(payload.get("injuries") or 0) + int(payload.get("deaths") or 0)
        elif hit.kind == "iot_alarm" and payload.get("alarm_type"):
            kind = str(payload["alarm_type"])
            add("iot_alarm", kind, Signature(kind="iot_alarm", values=[kind], unit=unit), hit,
                f"物联网报警：{kind}")  # fmt: skip
        elif hit.kind == "abnormal_list":
            add("list_entry", "abnormal_list",
                Signature(kind="list_entry", values=["abnormal_list"], unit=unit), hit,
                "列入经营异常名录")  # fmt: skip
        elif hit.kind in ("complaint", "public_opinion"):
            text = signatures.record_text(hit.kind, payload)
            if text:
                texts.append((hit, text))
    drafts = list(by_key.values())
    drafts += _topic_drafts(texts, unit)
    return drafts


def _topic_drafts(texts: list[tuple[Hit, str]], unit: str) -> list[_Draft]:
    found = topics.topics([t for _, t in texts])
    drafts = []
    for topic in found:
        if len(topic.terms) < 2:
            continue
        sig = Signature(kind="text_terms", values=topic.terms, unit=unit, min_terms=2,
                        record_kinds=["complaint", "public_opinion"])  # fmt: skip
        draft = _Draft(f"投诉举报集中反映：{'、'.join(topic.terms[:3])}", "complaint_topic", sig)
        draft.hits = [
            texts[i][0]
            for i in topic.members
            if signatures.matches(sig, texts[i][0].kind, {"text": texts[i][1]})
        ]
        draft.examples = topic.examples
        drafts.append(draft)
    return drafts


def propose(session: Session, *, actor: Actor, matter_id: int) -> list[Problem]:
    """Propose the matter's common problems; proposals already decided are left as they are."""
    require(actor, Capability.MANAGE_LISTS)
    matter = matters.get(session, actor=actor, matter_id=matter_id)
    drafts = [d for d in _drafts(session, actor, matter)
              if len({h.unit_id for h in d.hits}) >= MIN_BUSINESSES]  # fmt: skip
    by_source: dict[str, list[_Draft]] = defaultdict(list)
    for d in drafts:
        by_source[d.source].append(d)

    def reach(d: _Draft) -> int:
        return len({h.unit_id for h in d.hits})

    kept = [d for group in by_source.values() for d in sorted(group, key=reach)[::-1][:PER_SOURCE]]
    now = clock.utcnow()
    made: list[Problem] = []
    for draft in kept:
        key = key_of([draft.signature])
        problem = session.scalar(
            select(Problem).where(Problem.matter_id == matter.id, Problem.key == key)
        )
        if problem is None:
            problem = Problem(matter_id=matter.id, region_code=matter.region_code, key=key,
                              source=draft.source, status="proposed", created_at=now)  # fmt: skip
            session.add(problem)
        elif problem.status != "proposed":
            continue
        _fill(problem, draft)
        made.append(problem)
    session.flush()
    audit.record(
        session, actor=actor, event=ProblemsProposed(object_id=str(matter.id), proposals=len(made))
    )
    return made


def _fill(problem: Problem, draft: _Draft) -> None:
    problem.title = draft.title[:200]
    problem.signatures = [draft.signature.model_dump()]
    by_year = rules.trend(h.occurred_at for h in draft.hits)
    problem.trend = by_year
    problem.records = len(draft.hits)
    problem.businesses = len({h.unit_id for h in draft.hits})
    incidents = len(draft.hits) if draft.source == "incident" else 0
    problem.severity = rules.severity(draft.severities, incidents=incidents,
                                      injuries=draft.injuries)  # fmt: skip
    problem.manifestations = (draft.examples or [draft.signature.describe()])[:5]


def search(
    session: Session,
    *,
    actor: Actor,
    matter_id: int | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[Sequence[Problem], int]:
    require(actor, Capability.READ_BUSINESS)
    stmt = select(Problem).where(_scoped(actor))
    if matter_id is not None:
        stmt = stmt.where(Problem.matter_id == matter_id)
    if status:
        stmt = stmt.where(Problem.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Problem.businesses.desc(), Problem.id).limit(limit).offset(offset)
    ).all()
    return rows, int(total)


def get(session: Session, *, actor: Actor, problem_id: int) -> Problem:
    require(actor, Capability.READ_BUSINESS)
    problem = session.scalar(select(Problem).where(Problem.id == problem_id, _scoped(actor)))
    if problem is None:
        raise NotFound("问题不存在或不在您的管辖范围内")
    return problem


def _snapshot(problem: Problem) -> dict[str, object]:
    return {
        "status": problem.status,
        "title": problem.title,
        "manifestations": problem.manifestations,
        "merged_into_id": problem.merged_into_id,
    }


def _decide(session: Session, actor: Actor, problem: Problem, decision: str,
            before: dict[str, object]) -> None:  # fmt: skip
    problem.decided_by, problem.decided_at = actor.username, clock.utcnow()
    audit.record(
        session,
        actor=actor,
        event=ProblemDecided(object_id=str(problem.id), decision=decision, before=before,
                             after=_snapshot(problem)),
    )  # fmt: skip


def _proposed(session: Session, actor: Actor, problem_id: int) -> Problem:
    require(actor, Capability.MANAGE_LISTS)
    problem = get(session, actor=actor, problem_id=problem_id)
    if problem.status != "proposed":
        raise Conflict(f"该问题已{STATUS_LABELS[problem.status]}，不能再次处理")
    return problem


def confirm(
    session: Session,
    *,
    actor: Actor,
    problem_id: int,
    title: str | None = None,
    manifestations: list[str] | None = None,
) -> Problem:
    """Confirm a proposal: it joins the problems list with its evidence records."""
    problem = _proposed(session, actor, problem_id)
    before = _snapshot(problem)
    if title:
        problem.title = title[:200]
    if manifestations:
        problem.manifestations = [m[:500] for m in manifestations if m.strip()][:20]
    problem.status = "confirmed"
    refresh_evidence(session, actor=actor, problem=problem)
    _decide(session, actor, problem, "confirmed", before)
    return problem


def reject(session: Session, *, actor: Actor, problem_id: int, note: str) -> Problem:
    problem = _proposed(session, actor, problem_id)
    if not note.strip():
        raise ValidationFailed("请说明驳回理由", field="note")
    before = _snapshot(problem)
    problem.status, problem.note = "rejected", note.strip()[:500]
    _decide(session, actor, problem, "rejected", before)
    return problem


def merge(session: Session, *, actor: Actor, problem_ids: list[int], title: str) -> Problem:
    """Merge proposals into one confirmed problem (signatures and manifestations combined)."""
    parts = [_proposed(session, actor, pid) for pid in sorted(set(problem_ids))]
    if len(parts) < 2:
        raise ValidationFailed("请选择至少两个待确认的问题进行合并", field="others")
    if len({p.matter_id for p in parts}) != 1:
        raise ValidationFailed("只能合并同一事项下的问题", field="problem_ids")
    if not title.strip():
        raise ValidationFailed("请填写合并后的问题名称", field="title")
    sigs = [Signature.model_validate(s) for p in parts for s in p.signatures]
    key = key_of(sigs)
    if session.scalar(select(Problem.id).where(Problem.matter_id == parts[0].matter_id,
                                                Problem.key == key)):  # fmt: skip
        raise Conflict("已存在口径相同的问题")
    merged = Problem(
        matter_id=parts[0].matter_id, region_code=parts[0].region_code, key=key,
        title=title.strip()[:200], source="merged", signatures=[s.model_dump() for s in sigs],
        manifestations=[m for p in parts for m in p.manifestations][:20],
        severity=max((p.severity for p in parts), key=rules.SEVERITIES.index),
        status="confirmed", created_at=clock.utcnow(),
    )  # fmt: skip
    session.add(merged)
    session.flush()
    refresh_evidence(session, actor=actor, problem=merged)
    _decide(session, actor, merged, "confirmed", {"status": "new"})
    for part in parts:
        before = _snapshot(part)
        part.status, part.merged_into_id = "merged", merged.id
        _decide(session, actor, part, "merged", before)
    return merged


def signatures_of(problem: Problem) -> list[Signature]:
    return [Signature.model_validate(s) for s in problem.signatures]


def refresh_evidence(session: Session, *, actor: Actor, problem: Problem) -> int:
    """Re-read the records the problem's signatures select (new records join it)."""
    matter = session.get(Matter, problem.matter_id)
    assert matter is not None
    population = matters.population_of(matter)
    units = set(graph.universe(session, population).tolist())
    found: dict[str, Hit] = {}
    for sig in signatures_of(problem):
        for hit in signatures.hits(session, actor=actor, signature=sig, region=problem.region_code):
            if hit.unit_id in units:
                found[hit.record_id] = hit
    session.execute(delete(ProblemEvidence).where(ProblemEvidence.problem_id == problem.id))
    session.add_all(
        ProblemEvidence(problem_id=problem.id, record_id=h.record_id, unit_id=h.unit_id,
                        region_code=h.region_code, occurred_at=h.occurred_at)
        for h in found.values()
    )  # fmt: skip
    problem.records = len(found)
    problem.businesses = len({h.unit_id for h in found.values()})
    problem.trend = rules.trend(h.occurred_at for h in found.values())
    session.flush()
    return len(found)


def evidence(
    session: Session, *, actor: Actor, problem_id: int, since: datetime | None = None
) -> dict[int, list[str]]:
    """Unit → the evidence records of a confirmed problem, within the actor's scope."""
    problem = get(session, actor=actor, problem_id=problem_id)
    stmt = select(ProblemEvidence.unit_id, ProblemEvidence.record_id).where(
        ProblemEvidence.problem_id == problem.id,
        region_prefix_clause(ProblemEvidence.region_code, actor.region),
        ProblemEvidence.unit_id.is_not(None),
    )
    if since is not None:
        stmt = stmt.where(ProblemEvidence.occurred_at >= since)
    units: dict[int, list[str]] = defaultdict(list)
    for unit, record in session.execute(stmt):
        if unit is not None:
            units[int(unit)].append(record)
    return dict(units)


def counts_by_status(session: Session, *, actor: Actor, matter_id: int) -> dict[str, int]:
    rows = session.execute(
        select(Problem.status, func.count())
        .where(_scoped(actor), Problem.matter_id == matter_id)
        .group_by(Problem.status)
    ).all()
    return dict(Counter({str(s): int(n) for s, n in rows}))
