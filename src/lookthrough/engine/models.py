"""The analytics copy of the records (Parquet files under the data folder): which files make
the current copy. The list lives in the operational database so that it commits or rolls back
with the run that extended it; a file no committed row names is never read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lookthrough.core.db import Base, UTCDateTime


class MirrorPart(Base):
    """One file of the records' analytics copy: the first of a generation holds every record
    up to its watermark, each later one the records that arrived after the previous part, and
    the ids of the records they supersede."""

    __tablename__ = "engine_mirror_part"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, index=True)
    # {"kinds": [...], "payload": {field: [kinds]}}: what the files hold.
    signature: Mapped[dict[str, Any]] = mapped_column(JSON)
    events_path: Mapped[str] = mapped_column(String(500))  # records of a business
    mentions_path: Mapped[str] = mapped_column(String(500))  # records naming one in words
    removed_path: Mapped[str | None] = mapped_column(String(500))
    watermark: Mapped[datetime] = mapped_column(UTCDateTime)  # newest first_seen included
    rows: Mapped[int] = mapped_column(Integer)
    removed: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
