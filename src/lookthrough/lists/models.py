"""The four lists as tables: matters (versioned), problems with their evidence, causes found by
dissection, rectification tasks with their history, and the guidelines written from the chain.

Every row carries the region it belongs to (a matter's jurisdiction), so every query can be
scoped by region prefix like business data.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from lookthrough.core.db import Base, UTCDateTime


class Matter(Base):
    """事项清单: a supervised field in a jurisdiction with its key risk points (current version)."""

    __tablename__ = "matter"
    __table_args__ = (UniqueConstraint("region_code", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40))  # stable within the region: elevator_safety
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("region.code"), index=True)
    field: Mapped[str] = mapped_column(String(30))  # template: food, special_equipment …
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    # [{"code", "name", "description", "indicators": [indicator codes]}]
    risk_points: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # {"unit", "industry_prefixes", "subject_kinds"}: the businesses or objects it covers
    population: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | retired
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MatterVersion(Base):
    """Dynamic management: each version of a matter as it was, who made it, when and why."""

    __tablename__ = "matter_version"
    __table_args__ = (UniqueConstraint("matter_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matter.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed: Mapped[list[str]] = mapped_column(JSON, default=list)  # fields changed
    note: Mapped[str] = mapped_column(String(500), default="")
    changed_by: Mapped[str] = mapped_column(String(80))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Problem(Base):
    """问题清单: a common problem of a matter — proposed from records, then confirmed, merged
    into another, or rejected by an official."""

    __tablename__ = "problem"
    __table_args__ = (UniqueConstraint("matter_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matter.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("region.code"), index=True)
    key: Mapped[str] = mapped_column(String(40))  # from the signatures: proposals dedupe on it
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20))  # finding | sampling_item | complaint_topic …
    signatures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    manifestations: Mapped[list[str]] = mapped_column(JSON, default=list)  # 表现形式
    severity: Mapped[str] = mapped_column(String(10), default="一般")  # 一般 | 较重 | 严重
    records: Mapped[int] = mapped_column(Integer, default=0)
    businesses: Mapped[int] = mapped_column(Integer, default=0)
    trend: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # year → records
    status: Mapped[str] = mapped_column(String(10), default="proposed")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("problem.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProblemEvidence(Base):
    """The records a confirmed problem rests on, and the unit each counts for."""

    __tablename__ = "problem_evidence"

    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id"), primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("record.id"), primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(Integer, index=True)  # entity or subject id
    region_code: Mapped[str] = mapped_column(String(12))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Dissection(Base):
    """解剖会商: a joint session on a problem with regulators, technical institutions and
    research institutes, about chosen representative subjects."""

    __tablename__ = "dissection"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("region.code"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    # [{"name", "organisation", "kind": regulator | technical | research}]
    participants: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # [{"entity_id", "reason"}]: the representative subjects dissected
    subjects: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RootCause(Base):
    """成因清单: a root cause of a problem, by category, linked to its evidence."""

    __tablename__ = "root_cause"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id"), index=True)
    dissection_id: Mapped[int | None] = mapped_column(ForeignKey("dissection.id"))
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("region.code"), index=True)
    category: Mapped[str] = mapped_column(String(10))  # 管理制度 | 设施设备 | 能力建设 | 责任落实
    description: Mapped[str] = mapped_column(Text)
    evidence_records: Mapped[list[str]] = mapped_column(JSON, default=list)
    factor: Mapped[str | None] = mapped_column(String(200))  # a penetration factor: type:ref
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Rectification(Base):
    """整改清单: a task for one business or the whole class (一类一策). Each business it targets
    moves through the state machine on its own; ``state`` is the least advanced of theirs."""

    __tablename__ = "rectification"
    __table_args__ = (Index("ix_rectification_state_deadline", "state", "deadline"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id"), index=True)
    cause_id: Mapped[int | None] = mapped_column(ForeignKey("root_cause.id"))
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("region.code"), index=True)
    scope: Mapped[str] = mapped_column(String(10))  # one | class
    title: Mapped[str] = mapped_column(String(200))
    measures: Mapped[str] = mapped_column(Text)
    policy: Mapped[str] = mapped_column(Text, default="")  # 一类一策: the policy for the class
    responsible: Mapped[str] = mapped_column(String(100))
    deadline: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(12), default="open")
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RectificationTarget(Base):
    """A business a task targets, with its own place in the state machine and the follow-up
    inspection or sampling record that verified it."""

    __tablename__ = "rectification_target"
    __table_args__ = (
        UniqueConstraint("rectification_id", "entity_id"),
        Index("ix_rectification_target_state", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rectification_id: Mapped[int] = mapped_column(ForeignKey("rectification.id"), index=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(12))  # the business's, for scoping
    state: Mapped[str] = mapped_column(String(12), default="open")
    verification_record_id: Mapped[str | None] = mapped_column(ForeignKey("record.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RectificationEvent(Base):
    """One move of a target through its states, with who made it and what they sent."""

    __tablename__ = "rectification_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rectification_id: Mapped[int] = mapped_column(ForeignKey("rectification.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("rectification_target.id"), index=True)
    action: Mapped[str] = mapped_column(String(12))
    from_state: Mapped[str] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    record_id: Mapped[str | None] = mapped_column(ForeignKey("record.id"))  # verification
    actor: Mapped[str] = mapped_column(String(80))
    actor_role: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class RectificationEvidence(Base):
    """整改材料: what a business (or an official on its behalf) sends to show the fix — a
    description and, optionally, one file (a photo, a scanned record, a PDF)."""

    __tablename__ = "rectification_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("rectification_target.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    file_name: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str | None] = mapped_column(String(64))
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    submitted_by: Mapped[str] = mapped_column(String(80))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Guideline(Base):
    """A supervision work guideline (officials) or compliance guideline (businesses), written
    from a matter's chain and edited by officials. Publishing copies the current version to the
    public pages; later edits stay internal until it is published again."""

    __tablename__ = "guideline"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matter.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("region.code"), index=True)
    audience: Mapped[str] = mapped_column(String(10))  # official | business
    title: Mapped[str] = mapped_column(String(200))
    sections: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # heading, body
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The published copy (None: not on the public pages).
    published_version: Mapped[int | None] = mapped_column(Integer)
    published_title: Mapped[str | None] = mapped_column(String(200))
    published_sections: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
