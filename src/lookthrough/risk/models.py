"""Risk tables: indicator versions, models, current assessments with level history, "1+N"
credit classes with history, scoring runs, alerts.

``risk_assessment`` keeps one current row per business (what other domains ask for);
``risk_level_change`` keeps every change of level, which is the history trends and alerts read.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from lookthrough.accounts import models as accounts_models  # alerts are assigned to users
from lookthrough.core.db import Base, UTCDateTime
from lookthrough.records.models import Record

# Incremental re-scoring finds the records that arrived since the last run by ``first_seen``
# (and the newest ``first_seen`` as its next watermark). Imports append in time order, so the
# index grows at its right edge only. It lives on ``record`` but is declared here, beside the one
# use that needs it.
RECORD_FIRST_SEEN = Index("ix_record_first_seen", Record.__table__.c.first_seen)


class Indicator(Base):
    """One version of an indicator definition. Editing makes a new draft; publishing a draft
    retires the version published before it."""

    __tablename__ = "risk_indicator"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))  # draft | published | retired
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RiskModel(Base):
    """A trained scorer, saved as data: weights or coefficients and the calibration as JSON,
    a LightGBM booster as its text format. Never a pickle."""

    __tablename__ = "risk_model"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    algorithm: Mapped[str] = mapped_column(String(20))  # scorecard | logistic | lightgbm
    status: Mapped[str] = mapped_column(String(10), index=True)  # active | retired
    indicators: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{code, version}]
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    booster: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    trained_as_of: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Assessment(Base):
    """The current risk assessment of a business (风险评估): probability × consequence → level,
    with the indicators that drove it. ``region_code`` is the business's, copied so that
    dashboards count by region and level from this table alone."""

    __tablename__ = "risk_assessment"
    __table_args__ = (Index("ix_risk_assessment_region_level", "region_code", "level"),)

    # No foreign key: written in bulk (7.5 M rows) only from businesses just read.
    entity_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12))
    field: Mapped[str] = mapped_column(String(30))
    model_id: Mapped[str] = mapped_column(String(60))
    # The run that last wrote this row. A full run rewrites only the rows whose content
    # changed, so the day and time a row stands for are those of the later of this run and the
    # last full run (``service.stamp``), not a copy kept in every row.
    run_id: Mapped[int] = mapped_column(Integer)
    # A hash of what the row says (level, probability, reasons …): how a full run tells which
    # rows changed without reading them back.
    digest: Mapped[int] = mapped_column(BigInteger)
    probability: Mapped[float] = mapped_column(Float)
    consequence: Mapped[float] = mapped_column(Float)
    level: Mapped[int] = mapped_column(Integer)
    # The indicators that drove it: [{code, name, value, points}], largest contribution first.
    top: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class LevelChange(Base):
    """A business's level changed (or was first set): the history of assessments."""

    __tablename__ = "risk_level_change"
    __table_args__ = (Index("ix_risk_level_change_entity_at", "entity_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No foreign key: a first run writes a row per business (7.5 M), each checked one by one
    # against ``entity``; they come only from businesses the run has just read.
    entity_id: Mapped[int] = mapped_column(Integer)
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    model_id: Mapped[str] = mapped_column(String(60))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    as_of: Mapped[date] = mapped_column(Date)
    from_level: Mapped[int | None] = mapped_column(Integer)
    to_level: Mapped[int] = mapped_column(Integer)
    probability: Mapped[float] = mapped_column(Float)


class CreditClass(Base):
    """The current "1+N" credit-risk class: ``domain`` is ``general`` (the 1) or a field
    domain (the N: food, special_equipment, industrial_products, online_trade)."""

    __tablename__ = "risk_credit_class"
    __table_args__ = (Index("ix_risk_credit_class_region", "region_code", "domain", "grade"),)

    entity_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # bulk-written: no FK
    domain: Mapped[str] = mapped_column(String(30), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12))
    grade: Mapped[str] = mapped_column(String(1))  # A | B | C | D
    probability: Mapped[float] = mapped_column(Float)
    model_id: Mapped[str] = mapped_column(String(60))
    run_id: Mapped[int] = mapped_column(Integer)  # as in ``Assessment``
    digest: Mapped[int] = mapped_column(BigInteger)


class CreditClassChange(Base):
    """A credit class was first given or changed: the classification's history."""

    __tablename__ = "risk_credit_class_change"
    __table_args__ = (Index("ix_risk_credit_class_change_entity", "entity_id", "domain"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(Integer)  # no foreign key, as in ``LevelChange``
    domain: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    as_of: Mapped[date] = mapped_column(Date)
    from_grade: Mapped[str | None] = mapped_column(String(1))
    to_grade: Mapped[str] = mapped_column(String(1))


class ScoringRun(Base):
    """One full or incremental re-score; the last one's ``watermark`` is where the next
    incremental run starts reading new records."""

    __tablename__ = "risk_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # full | incremental
    model_id: Mapped[str] = mapped_column(String(60))
    as_of: Mapped[date] = mapped_column(Date)
    watermark: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    entities: Mapped[int] = mapped_column(Integer)
    events: Mapped[int] = mapped_column(Integer)
    alerts: Mapped[int] = mapped_column(Integer)
    # {"seconds": {step: s}, "cuts": {domain: [ab, bc, cd]}}: the credit-class cut-offs of a
    # full run are what the incremental runs after it grade by.
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(100))


class Alert(Base):
    """An early warning (预警) about one business, routed to its region, worked in the inbox."""

    __tablename__ = "risk_alert"
    __table_args__ = (
        Index("ix_risk_alert_region_state", "region_code", "state"),
        Index("ix_risk_alert_dedup", "dedup_key", "raised_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # rules.ALERT_KINDS
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(12))
    indicator_code: Mapped[str | None] = mapped_column(String(40))
    level: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    dedup_key: Mapped[str] = mapped_column(String(120))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(12))  # open | acknowledged | assigned | closed
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey(accounts_models.User.id))
    note: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(100))


class Snapshot(Base):
    """Counts of businesses by county, field and level after each full re-score: the trend
    lines on the dashboard, without keeping 7.5 M rows per run."""

    __tablename__ = "risk_snapshot"
    __table_args__ = (Index("ix_risk_snapshot_region_as_of", "region_code", "as_of"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("risk_run.id"))
    as_of: Mapped[date] = mapped_column(Date)
    region_code: Mapped[str] = mapped_column(String(12))  # county (6 digits) or shorter
    field: Mapped[str] = mapped_column(String(30))
    level: Mapped[int] = mapped_column(Integer)
    entities: Mapped[int] = mapped_column(Integer)
