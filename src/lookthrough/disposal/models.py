"""Disposal tables: graded measures with their history, and quick incident reports (早报快报)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lookthrough.core.db import Base, UTCDateTime


class Measure(Base):
    """A disposal measure (处置措施) on one business: 提醒 / 警示 / 约谈 / 检查 / 立案."""

    __tablename__ = "disposal_measure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("region.code"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), index=True)
    probability: Mapped[int] = mapped_column(Integer)
    consequence: Mapped[int] = mapped_column(Integer)
    risk_level: Mapped[str] = mapped_column(String(4))
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))  # manual | assessment | alert
    source_ref: Mapped[str | None] = mapped_column(String(80))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    deadline: Mapped[date] = mapped_column(Date)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("disposal_measure.id"))
    notice_no: Mapped[str | None] = mapped_column(String(60))
    outcome_record_id: Mapped[str | None] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MeasureEvent(Base):
    """One step in a measure's life (its timeline): who moved it, from which state to which."""

    __tablename__ = "disposal_measure_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("disposal_measure.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(1000))


class IncidentReport(Base):
    """An incident or major event reported upward (早报快报), from the county where it happened."""

    __tablename__ = "incident_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("region.code"), index=True)
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entity.id"))
    title: Mapped[str] = mapped_column(String(200))
    incident_type: Mapped[str] = mapped_column(String(60))
    level: Mapped[str] = mapped_column(String(10))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    learned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(300))
    deaths: Mapped[int] = mapped_column(Integer, default=0)
    injuries: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | closed
    record_id: Mapped[str | None] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IncidentUpdate(Base):
    """A report sent up: the first report (首报), a follow-up (续报) or the final one (终报)."""

    __tablename__ = "incident_update"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("incident_report.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # first | followup | final
    text: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_by: Mapped[str] = mapped_column(String(100))


class IncidentAck(Base):
    """One level above acknowledging an update (city, then province)."""

    __tablename__ = "incident_ack"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("incident_update.id"), index=True)
    level: Mapped[str] = mapped_column(String(10))  # city | province
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("region.code"))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # set when the level below acks
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
