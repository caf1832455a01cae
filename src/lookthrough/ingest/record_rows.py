"""Reading a row into a record (an inspection, a complaint, a licence…): its payload checked
against the kind's model, its title, its business or region, and an id from its source key."""

from __future__ import annotations

import hashlib
import string
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from lookthrough.ingest.readers import Cells
from lookthrough.ingest.row_checks import SUBJECT_CODES, RowReader
from lookthrough.ingest.shapes import (
    Candidate,
    Prepared,
    Problem,
    convert_cell,
    payload_reason,
)
from lookthrough.records.kinds import KINDS

_FORMATTER = string.Formatter()


class _Blank(dict[str, str]):
    """Fields for a title template: an empty cell reads as empty text."""

    def __missing__(self, key: str) -> str:
        return ""


class RecordRows(RowReader):
    """Rows of a file mapped to a record kind."""

    def __init__(self, prepared: Prepared, *, regions: set[str], source: str) -> None:
        super().__init__(prepared, regions=regions, source=source)
        self._isos: dict[datetime, str] = {}
        self.kind = KINDS[self.mapping.target]
        self._payload_fields: list[tuple[str, str]] = []  # (field, how: list|bool|json|text)
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
        self._title_fields = [
            name for _, name, _, _ in _FORMATTER.parse(self.mapping.title or "") if name
        ]

    def read(self, row_no: int, row: Cells) -> Candidate:
        f = self.fields(row)
        kind = self.kind
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
