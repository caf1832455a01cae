"""问题的识别口径 (signature): which regulatory records make up a common problem.

A problem in the problems list is proposed from records and kept with the rule that found them,
so it can be refreshed as new records arrive and so penetration knows which subjects show it. A
signature says what kind of record counts (a finding, a failing sampling item, an incident type,
an IoT alarm type, a list entry, or text containing given terms) and what the problem is counted
over: businesses (``entity``) or a kind of regulated object (``elevator`` …).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.orm import Session, aliased

from lookthrough.core.actor import Actor
from lookthrough.core.scope import (
    business_clause,
    region_prefix_clause,
    require_business_reader,
)
from lookthrough.records.models import Record, RecordSubject
from lookthrough.registry.models import Subject
from lookthrough.resolution import service as resolution_service

SignatureKind = Literal[
    "finding", "sampling_item", "incident", "iot_alarm", "list_entry", "text_terms"
]
SIGNATURE_LABELS: dict[str, str] = {
    "finding": "检查发现问题",
    "sampling_item": "抽检不合格项目",
    "incident": "事故类型",
    "iot_alarm": "物联网报警类型",
    "list_entry": "名录列入",
    "text_terms": "文本关键词",
}
UNIT_LABELS: dict[str, str] = {
    "entity": "经营主体",
    "elevator": "电梯",
    "gas_cylinder": "气瓶",
    "product_lot": "产品批次",
    "shop": "网店",
    "premises": "经营场所",
}
LIST_KINDS = ("abnormal_list", "dishonesty_list")
# Where each kind of record keeps the words people wrote.
TEXT_FIELDS: dict[str, str] = {
    "complaint": "text",
    "public_opinion": "text",
    "finding": "description",
    "incident": "description",
    "penalty": "violation",
}
DEFAULT_TEXT_KINDS = ("complaint", "public_opinion", "finding")
# 《广告法》第九条第（三）项禁止的“国家级”“最高级”“最佳”等用语及直播中常见的变体。
ABSOLUTE_TERMS = (
    "国家级",
    "最高级",
    "最佳",
    "最低价",
    "全网最低",
    "第一品牌",
    "绝对化用语",
    "顶级",
    "万能",
    "最好",
    "全网第一",
    "销量第一",
)


class Signature(BaseModel):
    """问题识别口径。"""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: SignatureKind
    values: list[str] = Field(min_length=1, max_length=50, description="取值或关键词")
    record_kinds: list[str] = Field(default_factory=list, description="文本关键词所查的信息类别")
    unit: str = Field("entity", description="统计对象：经营主体或某类监管对象")
    min_terms: int = Field(1, ge=1, le=10, description="文本至少包含几个关键词")

    @model_validator(mode="after")
    def _check(self) -> Signature:
        if self.unit not in UNIT_LABELS:
            raise ValueError(f"统计对象“{self.unit}”不存在")
        if any(not v or len(v) > 100 for v in self.values):
            raise ValueError("取值不能为空，且每项不超过 100 字")
        if self.kind == "list_entry" and not set(self.values) <= set(LIST_KINDS):
            raise ValueError("名录列入的取值应为 abnormal_list 或 dishonesty_list")
        if self.kind == "text_terms":
            unknown = set(self.record_kinds) - set(TEXT_FIELDS)
            if unknown:
                raise ValueError(f"这些信息类别没有文本：{'、'.join(sorted(unknown))}")
        return self

    @property
    def kinds(self) -> tuple[str, ...]:
        """The record kinds this signature reads."""
        if self.kind == "list_entry":
            return tuple(self.values)
        if self.kind == "text_terms":
            return tuple(self.record_kinds or DEFAULT_TEXT_KINDS)
        return {
            "finding": ("finding",),
            "sampling_item": ("sampling",),
            "incident": ("incident",),
            "iot_alarm": ("iot_alarm",),
        }[self.kind]

    def describe(self) -> str:
        """一句话说明口径（显示在问题清单上）。"""
        values = "、".join(self.values[:6]) + ("等" if len(self.values) > 6 else "")
        return f"{SIGNATURE_LABELS[self.kind]}：{values}（按{UNIT_LABELS[self.unit]}统计）"


def record_text(kind: str, payload: dict[str, Any]) -> str:
    """The free text of a record, if its kind has any."""
    field = TEXT_FIELDS.get(kind)
    value = payload.get(field) if field else None
    return value if isinstance(value, str) else ""


def failing_items(payload: dict[str, Any]) -> list[str]:
    """Names of a sampling record's items that failed."""
    items = payload.get("items") or []
    return [str(i.get("item")) for i in items if isinstance(i, dict) and i.get("passed") is False]


def matches(signature: Signature, kind: str, payload: dict[str, Any]) -> bool:
    """一条监管信息是否属于这个问题（纯函数）。

    Findings match their description exactly (or their code); sampling records match when a
    failing item's name contains a value (“酸价” matches “酸价(KOH)”); incidents and alarms
    match their type; list entries match their list; text matches when it contains any term.
    """
    if kind not in signature.kinds:
        return False
    values = signature.values
    if signature.kind == "finding":
        return payload.get("description") in values or payload.get("code") in values
    if signature.kind == "sampling_item":
        return any(v in item for item in failing_items(payload) for v in values)
    if signature.kind == "incident":
        return payload.get("incident_type") in values
    if signature.kind == "iot_alarm":
        return payload.get("alarm_type") in values
    if signature.kind == "list_entry":
        return True
    text = record_text(kind, payload)
    return sum(term in text for term in values) >= signature.min_terms


@dataclass(frozen=True, slots=True)
class Hit:
    """One record of the problem and the unit it is counted for (None: not linked to one)."""

    record_id: str
    kind: str
    unit_id: int | None
    occurred_at: datetime
    region_code: str


def current_records() -> ColumnElement[bool]:
    """Records not superseded by a correction (a correction names the record it replaces)."""
    newer = aliased(Record)
    return ~exists().where(newer.supersedes_id == Record.id)


def records_of(
    session: Session,
    *,
    actor: Actor,
    kinds: tuple[str, ...],
    unit: str = "entity",
    region: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[tuple[Hit, dict[str, Any]]]:
    """Current records of ``kinds`` in the actor's scope, each with the unit it counts for.

    A complaint counts for a business when its ``entity_id`` is that business or when entity
    resolution links its mention to it — read in the same query, through resolution's bulk
    sub-select of linked mentions.
    """
    require_business_reader(actor)
    if unit == "entity":
        links = resolution_service.linked_mentions()
        stmt = select(
            Record.id, Record.kind, Record.entity_id, links.c.entity_id, Record.occurred_at,
            Record.region_code, Record.payload,
        ).outerjoin(links, links.c.record_id == Record.id)  # fmt: skip
    else:
        stmt = (
            select(
                Record.id, Record.kind, Subject.id, Subject.id, Record.occurred_at,
                Record.region_code, Record.payload,
            )
            .join(RecordSubject, RecordSubject.record_id == Record.id)
            .join(Subject, and_(Subject.id == RecordSubject.subject_id, Subject.kind == unit))
        )  # fmt: skip
    stmt = stmt.where(
        Record.kind.in_(kinds),
        business_clause(actor, region_column=Record.region_code, entity_column=Record.entity_id),
        current_records(),
    )
    if region:
        stmt = stmt.where(region_prefix_clause(Record.region_code, region))
    if since is not None:
        stmt = stmt.where(Record.occurred_at >= since)
    if until is not None:
        stmt = stmt.where(Record.occurred_at < until)
    for rid, kind, own, linked, at, code, payload in session.execute(stmt):
        yield Hit(rid, kind, own if own is not None else linked, at, code), payload or {}


def hits(
    session: Session,
    *,
    actor: Actor,
    signature: Signature,
    since: datetime | None = None,
    until: datetime | None = None,
    region: str | None = None,
) -> Iterator[Hit]:
    """The records in the actor's scope that belong to the problem, with their units."""
    for hit, payload in records_of(
        session, actor=actor, kinds=signature.kinds, unit=signature.unit, region=region,
        since=since, until=until,
    ):  # fmt: skip
        if matches(signature, hit.kind, payload):
            yield hit


def units_of(found: Iterable[Hit]) -> set[int]:
    return {h.unit_id for h in found if h.unit_id is not None}
