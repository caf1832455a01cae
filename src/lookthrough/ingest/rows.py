"""From a spreadsheet row to a candidate fact, or to the reasons it cannot be one (pure).

Nothing here touches the database: references to businesses, subjects and parents are carried as
keys and resolved in chunks by the writers. Every problem names the column, the rule, the value
and a reason in Chinese, so a person can fix the row.
"""

from __future__ import annotations

import hashlib
import string
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from lookthrough.core.ids import make_id
from lookthrough.ingest.readers import Cells
from lookthrough.ingest.shapes import (
    CHINA,
    RELATION_KINDS,
    SUBJECT_KINDS,
    Candidate,
    Prepared,
    Problem,
    convert_cell,
    json_object,
    parse_date,
    payload_reason,
)
from lookthrough.records.kinds import KINDS
from lookthrough.registry import uscc as uscc_rules

_FORMATTER = string.Formatter()
SUBJECT_CODES = {label: code for code, label in SUBJECT_KINDS.items()}  # 电梯 → elevator


class _Blank(dict[str, str]):
    """Fields for a title template: an empty cell reads as empty text."""

    def __missing__(self, key: str) -> str:
        return ""


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
                    raw if how == "text" else convert_cell(raw, how, self.mapping.split.get(name))
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
                        payload_reason(kind.payload, name, item),
                    )
                )
        subject = None
        subject_id = f.get("subject_identifier")
        if subject_id:
            named = f.get("subject_kind") or "elevator"  # the label (电梯) or the code
            subject = f"{SUBJECT_CODES.get(named, named)}:{subject_id}"
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
        kind = SUBJECT_CODES.get(kind or "", kind)
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
        attributes = json_object(f.get("attributes"))
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
        if subject:  # 电梯:编号 as well as elevator:编号
            named, colon, identifier = subject.partition(":")
            if colon and named in SUBJECT_CODES:
                subject = f"{SUBJECT_CODES[named]}:{identifier}"
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
            "attributes": json_object(f.get("attributes")),
        }
        return Candidate("relation", row_no, key, values, problems)
