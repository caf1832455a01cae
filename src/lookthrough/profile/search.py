"""Finding a business: by name (a short name is enough), credit code, address or the full name of
its legal representative — always within the searcher's scope.

Matches are read through indexes at any scale: on PostgreSQL the trigram (``pg_trgm``) GIN
indexes on name and address serve ``LIKE '%德诚粮油%'`` and the similarity search; the credit code
and the legal representative have B-tree indexes. At most ``CAP`` matches are collected and then
ranked (exact code, exact name, names that start with the words, shorter names first), so a
query that matches a million businesses costs the same as one that matches ten; the user is asked
to narrow it. When no name contains the words, names that are merely *similar* (a wrong
character, another organisational form) are offered separately — they never count as matches.

A legal representative is found by the full name only, the display stays masked, and such a
search is audited (PersonalDataSearched) because it tells who stands behind which business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, false, func, or_, select
from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import PersonalDataSearched
from lookthrough.core.actor import Actor
from lookthrough.core.db import plan_with_values
from lookthrough.core.masking import mask_name, mask_phone
from lookthrough.core.scope import region_prefix_clause, require_business_reader
from lookthrough.profile.rules import Query, bigrams, name_similarity, read_query
from lookthrough.profile.service import entity_scope
from lookthrough.registry.models import Entity

CAP = 1_000  # matches collected before ranking; beyond it the user narrows the query
SIMILAR = 10  # similar names offered
SIMILAR_WHEN_FEWER = 1  # … when no name contains the words (a similarity scan is not cheap)
SIMILAR_MIN = 0.5  # name similarity (share of the query's character pairs) to be offered
SQLITE_CANDIDATES = 5_000
CORE_MIN = 3  # a trade name this long, found inside a name, is a match
# Shorter words have no trigram to look up: inside a city or the province they would read
# every name and address, so they are matched inside a county (or a region chosen) only.
INFIX_MIN = 3
NARROW = 6  # a county's code length
SHORT_HINT = "按名称或地址查询请至少输入 3 个字，或先选择区县"
FIELD_LABELS = {
    "name": "名称",
    "uscc": "统一社会信用代码",
    "address": "住所",
    "legal_rep": "法定代表人",
}


@dataclass(frozen=True, slots=True)
class Hit:
    """A business found, personal data masked, with the fields that matched."""

    id: int
    uscc: str | None
    name: str
    region_code: str
    address: str | None
    legal_rep: str | None
    phone: str | None
    industry_code: str | None
    status: str
    matched: tuple[str, ...] = ()
    similarity: float | None = None


@dataclass(frozen=True, slots=True)
class Result:
    items: Sequence[Hit]
    total: int  # exact matches in scope (at most CAP)
    capped: bool  # more than CAP matched: the total is a lower bound
    similar: Sequence[Hit]
    hint: str | None = None  # why some fields were not searched


def _hit(entity: Entity, q: Query | None, similarity: float | None = None) -> Hit:
    matched: list[str] = []
    if q is not None:
        raw = q.text
        core = q.core if len(q.core) >= CORE_MIN else raw
        if raw and (raw in entity.name.upper() or core in entity.name.upper()):
            matched.append("name")
        if q.code and entity.uscc and entity.uscc.startswith(q.code):
            matched.append("uscc")
        if raw and entity.address and raw in entity.address.upper():
            matched.append("address")
        if q.person and entity.legal_rep == raw:
            matched.append("legal_rep")
    return Hit(
        id=entity.id,
        uscc=entity.uscc,
        name=entity.name,
        region_code=entity.region_code,
        address=entity.address,
        legal_rep=mask_name(entity.legal_rep),
        phone=mask_phone(entity.phone),
        industry_code=entity.industry_code,
        status=entity.status,
        matched=tuple(matched),
        similarity=similarity,
    )


def _upper_bound(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _match(q: Query, typed: str, *, infix: bool) -> ColumnElement[bool]:
    like = f"%{typed}%"
    terms: list[ColumnElement[bool]] = []
    if infix:
        terms += [Entity.name.like(like), Entity.address.like(like)]
    if typed != q.text:  # full-width letters or digits typed: the half-width form too
        terms.append(Entity.name.like(f"%{q.text}%"))
    if len(q.core) >= CORE_MIN and q.core != q.text:  # 天长市源中家政有限公司 → 源中家政
        terms.append(Entity.name.like(f"%{q.core}%"))
    if q.code:
        terms.append(
            Entity.uscc == q.code
            if len(q.code) == 18
            else (Entity.uscc >= q.code) & (Entity.uscc < _upper_bound(q.code))
        )
    if q.person:
        terms.append(Entity.legal_rep == q.text)
    return or_(false(), *terms)


def _scoped(actor: Actor, region: str | None) -> list[ColumnElement[bool]]:
    clauses = [entity_scope(actor)]
    if region:
        clauses.append(region_prefix_clause(Entity.region_code, region))
    return clauses


def search(
    session: Session,
    *,
    actor: Actor,
    query: str | None = None,
    region: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Result:
    """Businesses in scope matching ``query``, best first (see the module's docstring)."""
    require_business_reader(actor)
    plan_with_values(session)
    typed = "".join((query or "").split())
    q = read_query(typed) if typed else None
    where = _scoped(actor, region)
    narrow = len(region or actor.region) >= NARROW or actor.entity_id is not None
    infix = len(typed) >= INFIX_MIN or narrow
    if q is not None:
        where.append(_match(q, typed, infix=infix))
    found = select(Entity.id, Entity.name, Entity.uscc).where(*where)
    if q is None:
        found = found.order_by(Entity.name)
    collected = found.limit(CAP + 1).subquery()
    if q is None:
        rank: list[ColumnElement[object]] = [collected.c.name, collected.c.id]
    else:
        rank = [
            case((collected.c.uscc == q.text, 0), else_=1),
            case((collected.c.name == typed, 0), else_=1),
            case((collected.c.name.like(f"{typed}%"), 0), else_=1),
            func.length(collected.c.name),
            collected.c.name,
            collected.c.id,
        ]
    # The total rides along with the page (one pass over the collected matches).
    page = session.execute(
        select(collected.c.id, func.count().over()).order_by(*rank).limit(limit).offset(offset)
    ).all()
    if page:
        total = int(page[0][1])
    else:
        total = int(session.scalar(select(func.count()).select_from(collected)) or 0)
    ids = [int(row[0]) for row in page]
    entities = {e.id: e for e in session.scalars(select(Entity).where(Entity.id.in_(ids)))}
    ordered = [entities[i] for i in ids if i in entities]
    hits = [_hit(e, q) for e in ordered]
    similar: list[Hit] = []
    by_legal_rep = [h.id for h in hits if "legal_rep" in h.matched]
    # Similar names for a trade name of three characters or more that no name contains; not
    # for a person found by name (two characters would match every 张… in the province).
    if (
        q is not None
        and offset == 0
        and total < SIMILAR_WHEN_FEWER
        and len(q.core) >= CORE_MIN
        and not by_legal_rep
    ):
        exclude = {h.id for h in hits}
        similar = _similar(session, actor=actor, region=region, q=q, exclude=exclude)
    if by_legal_rep and q is not None:
        audit.record(
            session,
            actor=actor,
            event=PersonalDataSearched(
                object_id="legal_rep",
                term=mask_name(q.text) or "",
                matches=len(by_legal_rep),
                entity_ids=by_legal_rep[:50],
            ),
        )
    return Result(
        items=hits,
        total=min(total, CAP),
        capped=total > CAP,
        similar=similar,
        hint=None if infix or q is None else SHORT_HINT,
    )


def _similar(
    session: Session, *, actor: Actor, region: str | None, q: Query, exclude: set[int]
) -> list[Hit]:
    """Names like the query's, for a wrong character or another organisational form."""
    where = _scoped(actor, region)
    if exclude:
        where.append(Entity.id.not_in(exclude))
    if session.get_bind().dialect.name == "postgresql":
        # Trigrams of the whole query: the place name at its start is what keeps a wrong
        # character in a four-character trade name from losing every shared trigram.
        score = func.similarity(Entity.name, q.text)
        rows = session.execute(
            select(Entity, score)
            .where(*where, Entity.name.op("%")(q.text))
            .order_by(score.desc(), Entity.id)
            .limit(SIMILAR)
        ).all()
        return [_hit(e, None, round(float(s), 2)) for e, s in rows]
    # SQLite (the embedded demo): names sharing a character pair, scored here.
    pairs = sorted(bigrams(q.core))
    if not pairs:
        return []
    candidates = session.scalars(
        select(Entity)
        .where(*where, or_(false(), *(Entity.name.like(f"%{p}%") for p in pairs)))
        .limit(SQLITE_CANDIDATES)
    ).all()
    scored = sorted(
        ((name_similarity(q.core, e.name), e) for e in candidates),
        key=lambda pair: (-pair[0], pair[1].id),
    )
    return [_hit(e, None, round(s, 2)) for s, e in scored[:SIMILAR] if s >= SIMILAR_MIN]
