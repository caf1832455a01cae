"""From a spreadsheet row to a candidate fact, or to the reasons it cannot be one (pure).

Nothing here touches the database: references to businesses, subjects and parents are carried as
keys and resolved in chunks by the writers. Every problem names the column, the rule, the value
and a reason in Chinese, so a person can fix the row.
"""

from __future__ import annotations

import hashlib
import json
import string
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from lookthrough.core.errors import FileRejected
from lookthrough.core.ids import make_id
from lookthrough.ingest.mapping import Mapping
from lookthrough.ingest.readers import Cells
from lookthrough.records.kinds import KINDS
from lookthrough.registry import uscc as uscc_rules

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


_FORMATTER = string.Formatter()


class _Blank(dict[str, str]):
    """Fields for a title template: an empty cell reads as empty text."""

    def __missing__(self, key: str) -> str:
        return ""


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


def _convert(raw: str, how: str, separator: str | None) -> Any:
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


class RowReader:
    """Turns rows of one file into candidates, given the prepared mapping and the region table."""

    def __init__(self, prepared: Prepared, *, regions: set[str], source: str) -> None:
        self.prepared = prepared
        self.mapping = prepared.mapping
        self.regions = regions
        self.source = source
        # Codes and dates repeat across rows (a business has many records): check each once.
        self._usccs: dict[str, uscc_rules.UsccCheck] = {}
        self._dates: dict[tuple[str, str], datetime | None] = {}
        self._isos: dict[datetime, str] = {}
        self.kind = KINDS.get(self.mapping.target)
        self._payload_fields: list[tuple[str, str]] = []  # (field, how: list|bool|json|text)
        if self.kind is not None:
            for name, info in self.kind.payload.model_fields.items():
                if name in self.mapping.columns or name in self.mapping.defaults:
                    annotation = str(info.annotation)
                    how = (
                        "split"
                        if name in self.mapping.split
                        else "json"
                        if "list" in annotation
                        else "bool"
                        if "bool" in annotation
                        else "text"
                    )
                    self._payload_fields.append((name, how))
        # One pass over the mapped columns per row: (field, position, default, value map).
        self._plan = [
            (
                name,
                prepared.index.get(name),
                self.mapping.defaults.get(name),
                self.mapping.values.get(name),
            )
            for name in dict.fromkeys([*self.mapping.columns, *self.mapping.defaults])
        ]
        self._title_fields = [
            name for _, name, _, _ in _FORMATTER.parse(self.mapping.title or "") if name
        ]

    def column(self, name: str) -> str:
        return self.prepared.columns.get(name, name)

    def problem(self, name: str, rule: str, value: str | None, reason: str) -> Problem:
        return Problem(self.column(name), rule, value, reason)

    def fields(self, row: Cells) -> dict[str, str]:
        """Every mapped field of a row: trimmed, defaulted, mapped through its value table."""
        width = len(row)
        found: dict[str, str] = {}
        for name, index, default, table in self._plan:
            value = row[index] if index is not None and index < width else None
            if value is None:
                value = default
                if value is None:
                    continue
            value = value.strip()
            if not value:
                continue
            found[name] = table.get(value, value) if table is not None else value
        return found

    def read(self, row_no: int, row: Cells) -> Candidate:
        target = self.mapping.target
        if self.mapping.is_record:
            return self._record(row_no, row)
        if target == "entity":
            return self._entity(row_no, row)
        if target == "subject":
            return self._subject(row_no, row)
        return self._relation(row_no, row)

    # -- shared pieces -------------------------------------------------------------------

    def _region(self, raw: str | None, problems: list[Problem], *, required: bool) -> str | None:
        if raw is None:
            if required:
                problems.append(self.problem("region_code", "required", None, "缺少所属区划代码"))
            return None
        code = raw.rstrip("0") if len(raw) == 6 and raw.endswith("0000") else raw
        code = code[:4] if len(code) == 6 and code.endswith("00") else code
        if code not in self.regions:
            problems.append(
                self.problem("region_code", "region_unknown", raw, f"区划代码“{raw}”不在区划表中")
            )
            return None
        return code

    def _uscc(self, name: str, raw: str | None, problems: list[Problem]) -> str | None:
        if raw is None:
            return None
        result = self._usccs.get(raw)
        if result is None:
            result = uscc_rules.check(raw, region_exists=self.regions.__contains__)
            self._usccs[raw] = result
        if result.verdict is uscc_rules.Verdict.INVALID:
            problems.append(
                self.problem(name, "uscc_invalid", raw, f"统一社会信用代码无效：{result.reason}")
            )
            return None
        if result.verdict is uscc_rules.Verdict.REVIEW:
            problems.append(
                self.problem(
                    name, "uscc_review", raw, f"统一社会信用代码待人工核实：{result.reason}"
                )
            )
            return None
        return result.code

    def _when(
        self, name: str, raw: str | None, problems: list[Problem], *, required: bool
    ) -> datetime | None:
        if raw is None:
            if required:
                problems.append(self.problem(name, "required", None, "缺少日期"))
            return None
        memo = (name, raw)
        if memo in self._dates:
            parsed = self._dates[memo]
        else:
            parsed = self._dates[memo] = parse_date(raw, self.mapping.date_formats(name))
        if parsed is None:
            problems.append(
                self.problem(
                    name, "date_invalid", raw, f"日期“{raw}”无法识别，请使用 YYYY-MM-DD 格式"
                )
            )
        return parsed

    def _source_key(self, f: dict[str, str]) -> str | None:
        if not self.mapping.key:
            return None
        parts = [f.get(name) or "" for name in self.mapping.key]
        return "|".join(parts) if any(parts) else None

    # -- records -------------------------------------------------------------------------

    def _record(self, row_no: int, row: Cells) -> Candidate:
        f = self.fields(row)
        kind = self.kind
        assert kind is not None
        problems: list[Problem] = []
        occurred = self._when("occurred_at", f.get("occurred_at"), problems, required=True)
        uscc = self._uscc("uscc", f.get("uscc"), problems)
        entity_key = f.get("entity_key")
        region = self._region(f.get("region_code"), problems, required=False)
        payload_in: dict[str, Any] = {}
        for name, how in self._payload_fields:
            raw = f.get(name)
            if raw is not None:
                payload_in[name] = (
                    raw if how == "text" else _convert(raw, how, self.mapping.split.get(name))
                )
        payload_json = "{}"
        try:
            model = kind.payload.__pydantic_validator__.validate_python(payload_in)
            payload_json = kind.payload.__pydantic_serializer__.to_json(
                model, exclude_none=True
            ).decode()
        except ValidationError as error:
            for item in error.errors():
                name = str(item["loc"][0]) if item["loc"] else ""
                shown = payload_in.get(name)
                problems.append(
                    self.problem(
                        name,
                        f"payload_{item['type']}",
                        None if shown is None else str(shown),
                        _payload_reason(kind.payload, name, item),
                    )
                )
        subject = None
        subject_id = f.get("subject_identifier")
        if subject_id:
            subject = f"{f.get('subject_kind') or 'elevator'}:{subject_id}"
        title = self._title(f, kind.label, payload_in)
        parent_key = None
        if self.mapping.parent and self.mapping.parent.key:
            parent_key = "|".join(f.get(n) or "" for n in self.mapping.parent.key)
        if uscc is None and entity_key is None and region is None and not problems:
            problems.append(
                self.problem(
                    "region_code",
                    "required",
                    None,
                    "缺少所属区划代码或经营主体（统一社会信用代码）",
                )
            )
        entity_ref = f"{self.source}:{entity_key}" if entity_key else None
        content = "\x1f".join(
            (
                kind.code,
                self._iso(occurred),
                uscc or "",
                entity_ref or "",
                region or "",
                title,
                payload_json,
                subject or "",
                parent_key or "",
            )
        )
        source_key = self._source_key(f)
        if source_key is None:  # no key columns: the content is the key
            source_key = hashlib.sha256(content.encode()).hexdigest()[:32]
        values = {
            "id": hashlib.sha256(
                f"{self.source}\x1f{kind.code}\x1f{source_key}\x1f{content}".encode()
            ).hexdigest()[:24],  # = make_id(source, kind, source_key, content), inlined: hot
            "kind": kind.code,
            "occurred_at": occurred,
            "uscc": uscc,
            "entity_key": entity_ref,
            "region_code": region,
            "title": title,
            "payload_json": payload_json,
            "subject": subject,
            "parent_key": parent_key,
        }
        return Candidate("record", row_no, source_key, values, problems)

    def _iso(self, when: datetime | None) -> str:
        if when is None:
            return ""
        text = self._isos.get(when)
        if text is None:
            text = self._isos[when] = when.isoformat()
        return text

    def _title(self, f: dict[str, str], label: str, payload: dict[str, Any]) -> str:
        if self._title_fields:
            try:
                return (self.mapping.title or "").format_map(_Blank(f))[:300]
            except (IndexError, ValueError):
                pass
        detail = next((v for v in payload.values() if isinstance(v, str) and v), "")
        return f"{label}：{detail}"[:300] if detail else label

    # -- registry --------------------------------------------------------------------------

    def _entity(self, row_no: int, row: Cells) -> Candidate:
        f = self.fields(row)
        problems: list[Problem] = []
        raw_uscc = f.get("uscc")
        uscc = self._uscc("uscc", raw_uscc, problems)
        foreign = f.get("entity_key")
        name = f.get("name")
        if not name:
            problems.append(self.problem("name", "required", None, "缺少主体名称"))
        region = self._region(f.get("region_code"), problems, required=False)
        if region is None and uscc and not any(p.rule == "region_unknown" for p in problems):
            derived = uscc_rules.check(uscc).region
            region = derived if derived in self.regions else None
        if region is None and not any(p.column == self.column("region_code") for p in problems):
            problems.append(
                self.problem(
                    "region_code",
                    "required",
                    None,
                    "缺少所属区划代码，且无法从统一社会信用代码推出",
                )
            )
        if uscc is None and raw_uscc is None and foreign is None:
            problems.append(self.problem("uscc", "required", None, "缺少统一社会信用代码"))
        capital = f.get("capital_wan")
        capital_value = None
        if capital is not None:
            try:
                capital_value = Decimal(capital.replace(",", "").replace("万元", "").strip())
            except InvalidOperation:
                problems.append(
                    self.problem(
                        "capital_wan",
                        "number_invalid",
                        capital,
                        f"注册资本“{capital}”不是数字（单位：万元）",
                    )
                )
        registered = self._when("registered_on", f.get("registered_on"), problems, required=False)
        key = f"uscc:{uscc}" if uscc else f"{self.source}:{foreign}" if foreign else ""
        values = {
            "key": key,
            "uscc": uscc,
            "name": (name or "")[:200],
            "entity_type": f.get("entity_type"),
            "region_code": region,
            "address": f.get("address"),
            "legal_rep": f.get("legal_rep"),
            "phone": f.get("phone"),
            "industry_code": f.get("industry_code"),
            "registered_on": registered.astimezone(CHINA).date() if registered else None,
            "capital_wan": capital_value,
            "status": f.get("status") or "存续",
        }
        return Candidate("entity", row_no, key, values, problems)

    def _owner(self, prefix: str, f: dict[str, str], problems: list[Problem]) -> str | None:
        uscc = self._uscc(f"{prefix}uscc", f.get(f"{prefix}uscc"), problems)
        if uscc:
            return f"uscc:{uscc}"
        foreign = f.get(f"{prefix}entity_key")
        return f"{self.source}:{foreign}" if foreign else None

    def _subject(self, row_no: int, row: Cells) -> Candidate:
        f = self.fields(row)
        problems: list[Problem] = []
        kind = f.get("subject_kind")
        kind = {v: k for k, v in SUBJECT_KINDS.items()}.get(kind or "", kind)
        if kind not in SUBJECT_KINDS:
            problems.append(
                self.problem(
                    "subject_kind",
                    "enum",
                    kind,
                    "监管对象类别须为：" + "、".join(SUBJECT_KINDS.values()),
                )
            )
        identifier = f.get("subject_identifier")
        if not identifier:
            problems.append(
                self.problem("subject_identifier", "required", None, "缺少监管对象编号")
            )
        owner = self._owner("", f, problems)
        region = self._region(f.get("region_code"), problems, required=False)
        attributes = _json_object(f.get("attributes"))
        key = f"{kind}:{identifier}"
        values = {
            "key": key,
            "kind": kind,
            "identifier": identifier,
            "name": (f.get("name") or identifier or "")[:200],
            "owner": owner,
            "region_code": region,
            "attributes": attributes,
        }
        if owner is None and region is None:
            problems.append(
                self.problem("region_code", "required", None, "缺少所属区划代码或所属经营主体")
            )
        return Candidate("subject", row_no, key, values, problems)

    def _end(
        self, prefix: str, f: dict[str, str], problems: list[Problem]
    ) -> tuple[str, str] | None:
        person = f.get(f"{prefix}person")
        if person:
            return ("person", f"{self.source}:{person}")
        subject = f.get(f"{prefix}subject")
        if subject:
            return ("subject", subject)
        owner = self._owner(prefix, f, problems)
        return ("entity", owner) if owner else None

    def _relation(self, row_no: int, row: Cells) -> Candidate:
        f = self.fields(row)
        problems: list[Problem] = []
        kind = f.get("relation_kind")
        kind = {v: k for k, v in RELATION_KINDS.items()}.get(kind or "", kind)
        if kind not in RELATION_KINDS:
            problems.append(
                self.problem(
                    "relation_kind",
                    "enum",
                    kind,
                    "关系类别须为：" + "、".join(RELATION_KINDS.values()),
                )
            )
        start, end = self._end("from_", f, problems), self._end("to_", f, problems)
        if start is None:
            problems.append(self.problem("from_uscc", "required", None, "缺少关系的起点"))
        if end is None:
            problems.append(self.problem("to_uscc", "required", None, "缺少关系的终点"))
        key = make_id(kind, start, end) if start and end else ""
        values = {
            "kind": kind,
            "from": start,
            "to": end,
            "from_person_name": f.get("from_person_name"),
            "to_person_name": f.get("to_person_name"),
            "attributes": _json_object(f.get("attributes")),
        }
        return Candidate("relation", row_no, key, values, problems)


def _json_object(raw: str | None) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return {"note": raw}
    return value if isinstance(value, dict) else {"value": value}


def _payload_reason(model: Any, name: str, item: Any) -> str:
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
