"""Businesses (经营主体), the things regulated about them (监管对象), people, and relations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from lookthrough.core.db import Base, UTCDateTime


class Provenance:
    """Where a row came from: file or feed, batch, row, and when it was first and last seen."""

    source: Mapped[str] = mapped_column(String(100))
    batch_id: Mapped[str | None] = mapped_column(String(40), index=True)
    source_row: Mapped[int | None] = mapped_column(Integer)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)


class Entity(Provenance, Base):
    """A business. ``key`` is ``uscc:<code>`` when it has a unified social credit code, else
    ``<source>:<id>`` (a foreign data set's own identifier)."""

    __tablename__ = "entity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    uscc_status: Mapped[str] = mapped_column(String(10), default="valid")
    name: Mapped[str] = mapped_column(String(200), index=True)
    entity_type: Mapped[str | None] = mapped_column(String(30))
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("region.code"), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    legal_rep: Mapped[str | None] = mapped_column(String(100))  # personal data: masked
    phone: Mapped[str | None] = mapped_column(String(40))  # personal data: masked
    industry_code: Mapped[str | None] = mapped_column(String(8))
    registered_on: Mapped[date | None] = mapped_column(Date)
    capital_wan: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    status: Mapped[str] = mapped_column(String(20), default="存续")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Person(Provenance, Base):
    """A natural person behind businesses (legal representative, actual controller)."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(100))  # personal data: masked
    id_number_masked: Mapped[str | None] = mapped_column(String(20))


class Subject(Provenance, Base):
    """Something regulated: an elevator, a gas cylinder, a product lot, a shop, a premises."""

    __tablename__ = "subject"
    __table_args__ = (Index("ix_subject_kind_identifier", "kind", "identifier"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)  # <kind>:<identifier>
    kind: Mapped[str] = mapped_column(String(20))
    identifier: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entity.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("region.code"), index=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Relation(Provenance, Base):
    """An edge used to see through: supplies, maintains, controls, same address, sells on …

    Ends are typed (``entity``, ``subject``, ``person``) so one table holds every edge."""

    __tablename__ = "relation"
    __table_args__ = (
        Index("ix_relation_from", "from_type", "from_id"),
        Index("ix_relation_to", "to_type", "to_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # from kind and both keys
    kind: Mapped[str] = mapped_column(String(30), index=True)
    from_type: Mapped[str] = mapped_column(String(10))
    from_id: Mapped[int] = mapped_column(Integer)
    to_type: Mapped[str] = mapped_column(String(10))
    to_id: Mapped[int] = mapped_column(Integer)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
