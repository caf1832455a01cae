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


# What the registry's own columns mean (record columns take theirs from the payload's fields).
TARGET_NOTES = {
    "entity": {
        "name": "经营主体名称，与营业执照一致",
        "entity_type": "主体类型，如 有限责任公司、个体工商户",
        "address": "住所（经营场所）",
        "legal_rep": "法定代表人、负责人或经营者姓名",
        "phone": "联系电话",
        "industry_code": "国民经济行业代码（GB/T 4754），如 H6210",
        "registered_on": "成立日期，格式 YYYY-MM-DD",
        "capital_wan": "注册资本，单位万元，只填数字",
        "status": "登记状态，如 存续、注销、吊销；不填视为存续",
    },
    "subject": {
        "subject_identifier": "监管对象编号：电梯注册代码、气瓶编号、批次编号或店铺编号",
        "name": "监管对象名称；不填时以对象编号为名",
        "uscc": "所属（使用）单位的统一社会信用代码，该主体须已导入",
    },
    "relation": {
        "from_uscc": "关系起点经营主体的统一社会信用代码，该主体须已导入",
        "from_person": "起点为自然人时，其在本数据中的编号（区分同名者）",
        "from_person_name": "起点自然人的姓名",
        "from_subject": "起点为监管对象时，填 类别:编号，如 电梯:3110340100201800（或 elevator:…）",
        "to_uscc": "关系终点经营主体的统一社会信用代码，该主体须已导入",
        "to_person": "终点为自然人时，其在本数据中的编号（区分同名者）",
        "to_person_name": "终点自然人的姓名",
        "to_subject": "终点为监管对象时，填 类别:编号，如 电梯:3110340100201800（或 elevator:…）",
    },
}
OTHER_NOTES = {
    "attributes": '其他属性，JSON 对象，如 {"品牌": "某某"}；可不填',
    "subject_identifier": "关联的监管对象编号（如电梯注册代码），该对象须已导入",
}


def required_columns(mapping: mappings.Mapping) -> set[str]:
    """Columns every row must fill: those a file cannot lack, and payload fields with no default."""
    required = set(required_fields(mapping))
    kind = KINDS.get(mapping.target)
    if kind is not None:
        required |= {n for n, info in kind.payload.model_fields.items() if info.is_required()}
    return (required & set(mapping.columns)) - set(mapping.defaults)


def _key_note(mapping: mappings.Mapping, name: str) -> str:
    others = "、".join(f"“{mapping.header_for(k)}”" for k in mapping.key if k != name)
    note = (f"与{others}组合后" if others else "") + (
        "每条唯一：再次导入相同编号视为重复，内容不同则更正原记录"
    )
    if mapping.parent is not None and name in mapping.parent.key:
        note += f"；也用于挂到所属的{KINDS[mapping.parent.kind].label}记录"
    return note


def _payload_note(target: str, name: str) -> str:
    kind = KINDS.get(target)
    if kind is None or name not in kind.payload.model_fields:
        return ""
    info = kind.payload.model_fields[name]
    allowed = typing.get_args(info.annotation)
    literals = [str(a) for a in allowed if isinstance(a, str)]
    nested = [str(v) for a in allowed for v in typing.get_args(a) if isinstance(v, str)]
    choices = literals or nested
    return (info.description or "") + (f"；可选：{'、'.join(choices)}" if choices else "")


def _notes(mapping: mappings.Mapping, name: str) -> str:
    target = mapping.target
    if name in TARGET_NOTES.get(target, {}):
        return TARGET_NOTES[target][name]
    if name in COMMON_NOTES:
        return COMMON_NOTES[name]
    note = _payload_note(target, name) or OTHER_NOTES.get(name, "")
    if mapping.values.get(name):  # the words bureaus use, translated on import
        note += "；也可填：" + "、".join(mapping.values[name])
    if name in mapping.key:
        note = (note or "记录编号") + "，" + _key_note(mapping, name)
    return note


def workbook(target: str) -> bytes:
    """The template for a target: its columns on the first sheet, what each means on the second."""
    mapping = mappings.builtin(target)
    required = required_columns(mapping)
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
                _notes(mapping, name),
                "、".join(spellings[1:]),
            ],
        )
    guide.set_column(0, 0, 24)
    guide.set_column(2, 2, 60)
    guide.set_column(3, 3, 40)
    book.close()
    return buffer.getvalue()
