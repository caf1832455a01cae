"""A penetration run over a problem, kept with its factors so the chain page can show it and a
root cause can cite it. Labels are written for the run's region: viewers of a wider region see
the same names; viewers of a narrower one cannot open the run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lookthrough.core.db import Base, UTCDateTime


class PenetrationRun(Base):
    __tablename__ = "penetration_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("region.code"), index=True)
    unit: Mapped[str] = mapped_column(String(20))
    universe: Mapped[int] = mapped_column(Integer)
    affected: Mapped[int] = mapped_column(Integer)
    affected_outside: Mapped[int] = mapped_column(Integer)
    factors_considered: Mapped[int] = mapped_column(Integer)
    tests: Mapped[int] = mapped_column(Integer)
    alpha: Mapped[float] = mapped_column(Float)
    population: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PenetrationFactor(Base):
    __tablename__ = "penetration_factor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("penetration_run.id"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    factor_type: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(300))
    members: Mapped[int] = mapped_column(Integer)
    affected: Mapped[int] = mapped_column(Integer)
    rate: Mapped[float] = mapped_column(Float)
    rest_rate: Mapped[float] = mapped_column(Float)
    relative_risk: Mapped[float] = mapped_column(Float)
    odds_ratio: Mapped[float] = mapped_column(Float)
    or_low: Mapped[float] = mapped_column(Float)
    or_high: Mapped[float] = mapped_column(Float)
    p_value: Mapped[float] = mapped_column(Float)
    p_conditional: Mapped[float] = mapped_column(Float)
    q_value: Mapped[float] = mapped_column(Float)
    significant: Mapped[bool] = mapped_column(Boolean)
    explained_by: Mapped[int | None] = mapped_column(Integer)  # rank of the explaining factor
    chains: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
