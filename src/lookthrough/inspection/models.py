"""Inspection tables: the list 一单 (items), the two pools 两库 (subjects are the registry's
businesses; inspectors here), plans with their draw, visits, screening manuals and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lookthrough.core.db import Base, UTCDateTime


class InspectionItem(Base):
    """One inspection item (抽查事项): what is checked, by which department, needing which
    qualification, for which industries, by which screening manual (matter)."""

    __tablename__ = "inspection_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(60))
    qualification: Mapped[str | None] = mapped_column(String(60))
    matter: Mapped[str | None] = mapped_column(String(60))
    industry_prefixes: Mapped[list[str]] = mapped_column(JSON, default=list)
    basis: Mapped[str | None] = mapped_column(String(500))
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("region.code"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Inspector(Base):
    """An inspector of the pool 执法人员库. ``conflicts`` lists the credit codes (or registry
    keys) of businesses the inspector must not inspect (declared conflicts of interest)."""

    __tablename__ = "inspector"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # 执法证号
    name: Mapped[str] = mapped_column(String(60))  # personal data: not published
    department: Mapped[str] = mapped_column(String(60))
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("region.code"), index=True)
    qualifications: Mapped[list[str]] = mapped_column(JSON, default=list)
    conflicts: Mapped[list[str]] = mapped_column(JSON, default=list)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


# What a plan says when no business has a credit class (neither a table nor the risk domain's).
CLASSES_MISSING = "未提供信用风险分类：全部主体按未分类处理"


class InspectionPlan(Base):
    """A 双随机 plan and its draw: committed (hash and commitment published), then drawn (seed
    revealed). ``seed_secret`` is held from commitment to reveal; ``seed`` is the revealed one."""

    __tablename__ = "inspection_plan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("region.code"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    classes: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # key → [class, risk level]
    classes_source: Mapped[str] = mapped_column(String(200), default="")
    candidates_hash: Mapped[str | None] = mapped_column(String(64))
    commitment: Mapped[str | None] = mapped_column(String(64))
    seed_secret: Mapped[str | None] = mapped_column(String(64))
    seed: Mapped[str | None] = mapped_column(String(64))
    candidates_gz: Mapped[bytes | None] = mapped_column(LargeBinary)  # canonical list, gzip
    candidate_count: Mapped[int] = mapped_column(Integer, default=0)
    strata: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    excluded: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    summary: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    published: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the file, less candidates
    results_due: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def classes_missing(self) -> bool:
        """No candidate had a credit class: every business was drawn as unclassified."""
        return self.classes_source.startswith(CLASSES_MISSING)


class InspectionTask(Base):
    """One visit of a plan (综合查一次): a drawn business, every item that applies to it."""

    __tablename__ = "inspection_task"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plan.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    subject_key: Mapped[str] = mapped_column(String(120))
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("region.code"), index=True)
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    departments: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20))  # assigned | unassigned | done
    note: Mapped[str | None] = mapped_column(String(300))
    result: Mapped[str | None] = mapped_column(String(20))
    record_id: Mapped[str | None] = mapped_column(String(40))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TaskInspector(Base):
    __tablename__ = "inspection_task_inspector"

    task_id: Mapped[int] = mapped_column(ForeignKey("inspection_task.id"), primary_key=True)
    inspector_id: Mapped[int] = mapped_column(
        ForeignKey("inspector.id"), primary_key=True, index=True
    )
    department: Mapped[str] = mapped_column(String(60))


class ScreeningManual(Base):
    """A screening manual (排查指导手册) for one matter (a field name, e.g. 电梯安全)."""

    __tablename__ = "screening_manual"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    matter: Mapped[str] = mapped_column(String(60), index=True)
    title: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("region.code"))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ScreeningItem(Base):
    """One checklist item: content, key points, method, cautions and typical cases."""

    __tablename__ = "screening_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    manual_id: Mapped[int] = mapped_column(ForeignKey("screening_manual.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(String(500))
    key_points: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(Text, default="")
    cautions: Mapped[str] = mapped_column(Text, default="")
    typical_cases: Mapped[str] = mapped_column(Text, default="")


class TaskAnswer(Base):
    """What an inspector found for one checklist item on site."""

    __tablename__ = "inspection_task_answer"

    task_id: Mapped[int] = mapped_column(ForeignKey("inspection_task.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("screening_item.id"), primary_key=True)
    result: Mapped[str] = mapped_column(String(10))  # 符合 | 不符合 | 不适用
    severity: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(String(1000))
