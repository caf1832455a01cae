"""Downloadable Excel templates: one per target, with the headers bureaus use and a guide."""

from __future__ import annotations

import io
import typing

import xlsxwriter

from lookthrough.ingest import mapping as mappings
from lookthrough.ingest.shapes import RELATION_KINDS, SUBJECT_KINDS, required_fields
from lookthrough.records.kinds import KINDS

TARGET_LABELS = {
    "entity": "经营主体登记信息",
    "subject": "监管对象",
    "relation": "关联关系",
    **{code: kind.label for code, kind in KINDS.items()},
}
COMMON_NOTES = {
    "uscc": "18 位统一社会信用代码（GB 32100-2015），系统校验两位校验码",
    "entity_key": "无统一社会信用代码时，填写本系统内唯一的主体编号",
    "region_code": "GB/T 2260 区划代码或统计用区划代码，如 340104（蜀山区）、340104001",
    "occurred_at": "日期，格式 YYYY-MM-DD",
    "subject_kind": "、".join(SUBJECT_KINDS.values()),
    "relation_kind": "、".join(RELATION_KINDS.values()),
}


def _notes(target: str, name: str) -> str:
    if name in COMMON_NOTES:
        return COMMON_NOTES[name]
    kind = KINDS.get(target)
    if kind is None or name not in kind.payload.model_fields:
        return ""
    info = kind.payload.model_fields[name]
    allowed = typing.get_args(info.annotation)
    literals = [str(a) for a in allowed if isinstance(a, str)]
    nested = [str(v) for a in allowed for v in typing.get_args(a) if isinstance(v, str)]
    choices = literals or nested
    return (info.description or "") + (f"；可选：{'、'.join(choices)}" if choices else "")


def workbook(target: str) -> bytes:
    """The template for a target: its columns on the first sheet, what each means on the second."""
    mapping = mappings.builtin(target)
    required = set(required_fields(mapping))
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    data = book.add_worksheet("数据")
    guide = book.add_worksheet("填写说明")
    head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    must = book.add_format({"bold": True, "bg_color": "#FDE2E1", "border": 1})
    text = book.add_format({"num_format": "@"})  # keep codes like 0551… as text
    for col, name in enumerate(mapping.columns):
        header = mapping.header_for(name)
        data.write_string(0, col, header, must if name in required else head)
        data.set_column(col, col, max(12, len(header) * 2 + 2), text)
    data.freeze_panes(1, 0)
    guide.write_row(0, 0, ["列名", "必填", "说明", "也可使用的列名"], head)
    for row, name in enumerate(mapping.columns, start=1):
        spellings = mapping.columns[name]
        guide.write_row(
            row,
            0,
            [
                spellings[0],
                "是" if name in required else "",
                _notes(target, name),
                "、".join(spellings[1:]),
            ],
        )
    guide.set_column(0, 0, 24)
    guide.set_column(2, 2, 60)
    guide.set_column(3, 3, 40)
    book.close()
    return buffer.getvalue()
