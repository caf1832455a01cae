"""The current link of each mention to a business.

``mention_link`` is a derived view: it is rebuilt from the automatic scores and from people's
judgements (append-only), so it can be dropped and recomputed at any time. Records themselves are
never edited; a complaint that names "德城粮油店" keeps ``entity_id`` empty and gains a row here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String
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
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
