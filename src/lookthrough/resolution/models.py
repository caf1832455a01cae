"""The current link of each mention to a business.

``mention_link`` is a derived view: it is rebuilt from the automatic scores and from people's
judgements (append-only), so it can be dropped and recomputed at any time. Records themselves are
never edited; a complaint that names "德城粮油店" keeps ``entity_id`` empty and gains a row here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lookthrough.core.db import Base, UTCDateTime

# auto: scored above the auto-link threshold; confirmed: a person said "link";
# review: in the uncertain band, waiting for a person; unlinked: scored too low;
# rejected: a person said "not a match" (entity_id names the rejected candidate).
LINK_STATUSES = ("auto", "confirmed", "review", "unlinked", "rejected")
LINKED_STATUSES = ("auto", "confirmed")


class MentionLink(Base):
    __tablename__ = "mention_link"
    __table_args__ = (Index("ix_mention_link_entity_status", "entity_id", "status"),)

    record_id: Mapped[str] = mapped_column(ForeignKey("record.id"), primary_key=True)
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entity.id"))
    score: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(10), index=True)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)  # in Chinese, for people
    method: Mapped[str] = mapped_column(String(20))  # rules | splink | judgement
    # Indexed for the incremental re-score, which asks for the links changed since its last
    # run (without it, every run read the whole table).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class MentionCandidate(Base):
    """The businesses a mention was scored against at its last run (machine output).

    Replaced whole for a record each time it is resolved again; ``mention_link`` is rebuilt from
    these rows and the judgements, never written on its own.
    """

    __tablename__ = "mention_candidate"

    record_id: Mapped[str] = mapped_column(ForeignKey("record.id"), primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), primary_key=True, index=True)
    rank: Mapped[int] = mapped_column(Integer)  # 1 = best
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    method: Mapped[str] = mapped_column(String(20))  # rules | splink
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime)


JUDGEMENTS = ("link", "not_a_match", "unsure")
JUDGEMENT_LABELS = {"link": "是同一主体", "not_a_match": "不是同一主体", "unsure": "不确定"}


class MentionJudgement(Base):
    """A person's word on one (mention, business) pair. Append-only: a later row for the same
    pair takes over, earlier rows stay as the history (a link followed by "not a match" is a
    split, and the reverse a merge)."""

    __tablename__ = "mention_judgement"
    __table_args__ = (Index("ix_mention_judgement_record", "record_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("record.id"))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    judgement: Mapped[str] = mapped_column(String(12))  # link | not_a_match | unsure
    note: Mapped[str | None] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    username: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


MERGE_JUDGEMENTS = ("merge", "split")


class EntityMerge(Base):
    """A person's word that two business rows are one business (merge) or not (split).

    Append-only like the mention judgements: the latest row for a pair holds. Mentions linked
    to a merged business count for the business it was merged into (``canonical``), and a split
    gives them back, with every step kept here.
    """

    __tablename__ = "entity_merge"
    __table_args__ = (Index("ix_entity_merge_pair", "entity_id", "into_entity_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"))
    into_entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    judgement: Mapped[str] = mapped_column(String(8))  # merge | split
    note: Mapped[str | None] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    username: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class EntityNameKey(Base):
    """A business's name and address taken apart by the normaliser (a cache, rebuilt when the
    name or the address changes).

    Resolving a batch reads these instead of normalising millions of names and addresses again
    (the addresses were a third of a city's resolution time); ``core`` is also what a search by
    short name (鑫源粮油 for 合肥市蜀山区鑫源粮油有限公司) can use.
    """

    __tablename__ = "entity_name_key"

    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))  # the name these parts were made from
    clean: Mapped[str] = mapped_column(String(200))
    core: Mapped[str] = mapped_column(String(200), index=True)
    trade: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(40))
    forms: Mapped[str] = mapped_column(String(100))  # joined with |
    branch: Mapped[str] = mapped_column(String(100))
    regions: Mapped[str] = mapped_column(String(200))  # region codes named, joined with |
    person: Mapped[str] = mapped_column(String(100))
    # The address these were made from (None: none), without the leading places, its road, its
    # house number (``names.normalise_address``).
    address: Mapped[str | None] = mapped_column(String(300))
    address_clean: Mapped[str | None] = mapped_column(String(300))
    address_road: Mapped[str | None] = mapped_column(String(100))
    address_number: Mapped[str | None] = mapped_column(String(40))


class MentionScored(Base):
    """That a record's mention was resolved, when, and by which engine (with no candidate
    found, this row is all there is: the mention stays unlinked until the next run)."""

    __tablename__ = "mention_scored"

    record_id: Mapped[str] = mapped_column(ForeignKey("record.id"), primary_key=True)
    method: Mapped[str] = mapped_column(String(20))
    candidates: Mapped[int] = mapped_column(Integer)
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime)
