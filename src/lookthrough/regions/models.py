"""Administrative divisions (行政区划) and grids (网格)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lookthrough.core.db import Base, UTCDateTime


class Region(Base):
    """One division: province (2-digit code), city (4), county (6), town (9) or grid (12).

    Codes are GB/T 2260 (province, city, county) and the statistics bureau's 统计用区划代码
    (development zones, towns), kept short so that a jurisdiction is a code prefix. Grids are
    drawn by bureaus under a town; their code is the town's plus three digits.
    """

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(10), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    parent_code: Mapped[str | None] = mapped_column(
        String(12), ForeignKey("region.code"), index=True
    )
    gbt2260: Mapped[bool] = mapped_column(Boolean, default=False)
    has_boundary: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(40))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
