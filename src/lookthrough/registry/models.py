"""Businesses (经营主体) keyed by their unified social credit code."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lookthrough.core.db import Base, UTCDateTime


class Entity(Base):
    __tablename__ = "entity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("region.code"), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    legal_rep: Mapped[str | None] = mapped_column(String(100))  # personal data: masked
    phone: Mapped[str | None] = mapped_column(String(40))  # personal data: masked
    industry_code: Mapped[str | None] = mapped_column(String(8))
    registered_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="存续")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
