"""What a row becomes: the fields of each target, the candidate or its problems, and cells
converted to the shapes payloads take (pure; the reader from `rows.row_reader` reads them)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from lookthrough.core.errors import FileRejected
from lookthrough.ingest.mapping import Mapping
from lookthrough.ingest.readers import Cells

CHINA = ZoneInfo("Asia/Shanghai")  # dates in bureau files are local dates
REFERENCE_FIELDS = frozenset(
    {
        "uscc",
        "entity_key",
        "entity_name",
        "region_code",
        "occurred_at",
        "title",
        "subject_kind",
        "subject_identifier",
        "parent_key",
    }
)
ENTITY_FIELDS = (
    "uscc",
    "entity_key",
    "name",
    "entity_type",
    "region_code",
    "address",
    "legal_rep",
    "phone",
    "industry_code",
    "registered_on",
    "capital_wan",
    "status",
)
SUBJECT_FIELDS = (
    "subject_kind",
    "subject_identifier",
    "name",
    "uscc",
    "entity_key",
    "region_code",
    "attributes",
)
RELATION_FIELDS = (
    "relation_kind",
    "from_uscc",
    "from_entity_key",
    "from_person",
    "from_person_name",
    "from_subject",
    "to_uscc",
    "to_entity_key",
    "to_person",
    "to_person_name",
    "to_subject",
    "attributes",
)
RELATION_KINDS = {
    "supplies": "供货",
    "maintains": "维保",
    "controls": "实际控制",
    "same_legal_rep": "同一法定代表人",
    "same_address": "同一地址",
    "sells_on": "入驻平台",
    "produced_by": "生产",
    "uses": "使用",
    "legal_rep_of": "法定代表人",
}
SUBJECT_KINDS = {
    "elevator": "电梯",
    "gas_cylinder": "气瓶",
    "product_lot": "产品批次",
    "shop": "网店",
    "premises": "经营场所",
}


@dataclass(frozen=True, slots=True)
class Problem:
    column: str
    rule: str
    value: str | None
    reason: str

    def as_dict(self) -> dict[str, str | None]:
        return {
            "column": self.column,
            "rule": self.rule,
            "value": self.value,
            "reason": self.reason,
        }


@dataclass(slots=True)
class Candidate:
    """A row that passed the row rules; references still to be resolved against the database."""

    target: str
    row_no: int
    key: str  # record: source key; entity/subject: natural key; relation: its id
    values: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    raw: Cells | None = None  # the source cells, kept for the quarantine

    def __reduce__(self) -> tuple[Any, ...]:
        # Chunks cross a process boundary; the default (per-field __setstate__ in Python)
        # costs four times the pickling. The constructor is cheaper.
        return (
            Candidate,
            (self.target, self.row_no, self.key, self.values, self.problems, self.raw),
        )


@dataclass(frozen=True, slots=True)
class Prepared:
    mapping: Mapping
    headers: dict[str, str]  # target field → header present in the file
    columns: dict[str, str]  # target field → header to show in problems (present or expected)
    index: dict[str, int]  # target field → position of its column in a row


def required_fields(mapping: Mapping) -> tuple[str, ...]:
    if mapping.is_record:
        return ("occurred_at",)
    return {
        "entity": ("name",),
        "subject": ("subject_kind", "subject_identifier"),
        "relation": ("relation_kind",),
    }[mapping.target]


def prepare(mapping: Mapping, headers: list[str]) -> Prepared:
    """Match the file's headers to the mapping; refuse a file that lacks required columns."""
    found = mapping.resolve_headers(headers)
    missing = [
        mapping.header_for(f)
        for f in required_fields(mapping)
        if f not in found and f not in mapping.defaults
    ]
    if mapping.target == "entity" and not (
        {"uscc", "entity_key"} & (found.keys() | set(mapping.defaults))
    ):
        missing.append(
            mapping.header_for("uscc") if "uscc" in mapping.columns else "统一社会信用代码"
        )
    if missing:
        raise FileRejected(
            "文件缺少必需的列：" + "、".join(missing) + "。请使用标准模板或调整映射文件。",
            missing=missing,
        )
    columns = {f: found.get(f, spellings[0]) for f, spellings in mapping.columns.items()}
    position = {h: i for i, h in enumerate(headers)}
    return Prepared(mapping, found, columns, {f: position[h] for f, h in found.items()})


def parse_date(value: str, formats: tuple[str, ...]) -> datetime | None:
    """A local date or time from a bureau file, as an aware UTC instant."""
    for fmt in formats:
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        return parsed.replace(tzinfo=CHINA).astimezone(UTC)
    try:  # ISO 8601, including what our own XLSX reader produces
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=CHINA)).astimezone(UTC)


_BOOLEANS = {
    "是": True,
    "否": False,
    "合格": True,
    "不合格": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
}


def convert_cell(raw: str, how: str, separator: str | None) -> Any:
    """A cell's text in the shape the payload field takes (pydantic does the rest)."""
    if how == "split" and separator is not None:
        return [part.strip() for part in raw.split(separator) if part.strip()]
    if how == "json" and raw.startswith("["):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    if how == "bool":
        return _BOOLEANS.get(raw.lower(), raw)
    return raw


def json_object(raw: str | None) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return {"note": raw}
    return value if isinstance(value, dict) else {"value": value}


def payload_reason(model: Any, name: str, item: Any) -> str:
    info = model.model_fields.get(name)
    label = info.description if info is not None and info.description else name
    kind = str(item.get("type", ""))
    if kind == "missing":
        return f"缺少“{label}”"
    if kind == "literal_error":
        return f"“{label}”的取值不在允许范围内：{item.get('ctx', {}).get('expected', '')}"
    if kind == "extra_forbidden":
        return f"映射了未知字段“{name}”"
    if kind in {"string_too_long", "too_long"}:
        return f"“{label}”过长"
    if kind.startswith(("decimal", "int", "float", "greater", "less")):
        return f"“{label}”应为合理的数值"
    if kind.startswith("date"):
        return f"“{label}”不是有效日期"
    return f"“{label}”不符合要求：{item.get('msg', '')}"


def as_date(value: datetime | None) -> date | None:
    return value.astimezone(CHINA).date() if value else None
