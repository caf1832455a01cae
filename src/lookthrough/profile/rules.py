"""Pure decisions of the file: what a timeline row says, who may see which payload field, how a
search query is read, whether a list entry still stands. No I/O; ``today`` is passed in."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from lookthrough.core.masking import mask_name, mask_phone


class Audience(StrEnum):
    """Who reads the file: an official, or the business itself (经营主体用户)."""

    OFFICIAL = "official"
    ENTERPRISE = "enterprise"


# Payload fields that identify a complainant (个人信息保护法 §28-29; 投诉举报处理办法 §8: the
# complainant's identity is kept confidential from the business complained about).
COMPLAINANT_FIELDS = ("complainant_name", "complainant_phone")


def visible_payload(kind: str, payload: Mapping[str, Any], audience: Audience) -> dict[str, Any]:
    """投诉举报人信息：经营主体看不到投诉人的姓名和电话；监管人员看到的是脱敏后的值。"""
    shown = dict(payload)
    if kind != "complaint":
        return shown
    if audience is Audience.ENTERPRISE:
        for name in COMPLAINANT_FIELDS:
            shown.pop(name, None)
        return shown
    shown["complainant_name"] = mask_name(shown.get("complainant_name"))
    shown["complainant_phone"] = mask_phone(shown.get("complainant_phone"))
    return {k: v for k, v in shown.items() if v is not None}


def _cut(text: Any, width: int = 120) -> str:
    value = str(text or "").strip()
    return value if len(value) <= width else value[: width - 1] + "…"


def _money(value: Any) -> str:
    try:
        amount = float(value)
    except (TypeError, ValueError):
        return ""
    return f"{amount:,.0f} 元" if amount else ""


def row_summary(kind: str, payload: Mapping[str, Any]) -> str:
    """时间轴上每条监管信息的摘要：取该类信息最要紧的几项，如抽检结论与不合格项目、罚款金额。"""
    p = payload
    parts: list[str]
    if kind == "inspection":
        parts = [p.get("inspection_type") or "", p.get("result") or ""]
        if p.get("score") is not None:
            parts.append(f"评分 {p['score']}")
    elif kind == "finding":
        parts = [f"[{p.get('severity') or '一般'}]", _cut(p.get("description"))]
    elif kind == "sampling":
        failed = [i.get("item", "") for i in p.get("items") or [] if not i.get("passed", True)]
        parts = [p.get("product") or "", p.get("conclusion") or ""]
        if failed:
            parts.append("不合格项目：" + "、".join(failed))
    elif kind == "penalty":
        parts = [p.get("case_no") or "", _cut(p.get("violation"), 80), _money(p.get("fine_yuan"))]
    elif kind in ("complaint", "public_opinion"):
        parts = [p.get("channel") or p.get("platform") or "", _cut(p.get("text"))]
    elif kind == "licence":
        period = "—".join(str(p[k]) for k in ("valid_from", "valid_to") if p.get(k))
        parts = [p.get("licence_type") or "", p.get("licence_no") or "", period]
    elif kind in ("abnormal_list", "dishonesty_list"):
        parts = [_cut(p.get("reason"), 80)]
        if p.get("removed_on"):
            parts.append(f"已于 {p['removed_on']} 移出")
    elif kind == "iot_alarm":
        parts = [
            p.get("alarm_type") or "",
            p.get("value") or "",
            "已消除" if p.get("cleared") else "",
        ]
    elif kind == "incident":
        parts = [p.get("incident_type") or "", p.get("level") or "", _cut(p.get("description"), 80)]
    elif kind == "commitment":
        parts = [_cut(p.get("content"))]
    elif kind == "shipment":
        amount = f"{p.get('quantity') or ''}{p.get('unit') or ''}"
        parts = [
            p.get("product") or "",
            amount,
            f"收货方：{p['receiver']}" if p.get("receiver") else "",
        ]
    else:
        parts = []
    return " · ".join(str(part) for part in parts if str(part).strip())


# Payload fields a timeline's text filter looks in, besides the title (never personal fields).
TEXT_FIELDS = ("text", "description", "violation", "reason", "product", "content", "mention")


@dataclass(frozen=True, slots=True)
class ListStatus:
    listed: bool
    label: str


def list_status(removed_on: date | None, today: date) -> ListStatus:
    """名录状态：移出日期已到即为“已移出”，否则“在列”。"""
    if removed_on is not None and removed_on <= today:
        return ListStatus(False, f"已移出（{removed_on.isoformat()}）")
    return ListStatus(True, "在列")


def parse_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


# --- search -------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_CODE = re.compile(r"^[0-9A-Z]{4,18}$")
_PERSON = re.compile(r"^[\u4e00-\u9fff·]{2,5}$")
# Leading place names (安徽省合肥市蜀山区…): most names start with their county, which makes two
# unrelated shops of one county look alike.
_PLACES = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,6}?(?:省|市|县|区|旗)|[\u4e00-\u9fff]{2,14}?(?:开发区|园区|新区))+"
)  # 合肥高新技术产业开发区 and the like too
# Organisational forms and shop words that almost every name ends with: they make fuzzy matching
# slow (their trigrams are in millions of rows) and say nothing about which business is meant.
ORG_FORMS = (
    "股份有限公司", "有限责任公司", "有限公司", "分公司", "集团", "个体工商户", "合作社",
    "经营部", "商行", "门店", "店",
)  # fmt: skip


def normalise_query(text: str) -> str:
    """Full-width letters, digits and brackets to half-width (NFKC), spaces dropped, codes upper."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).upper()


@dataclass(frozen=True, slots=True)
class Query:
    text: str  # normalised
    code: str | None  # a credit code or the start of one
    person: bool  # could be a person's full name (a legal representative)
    core: str  # the name without its place names and organisational form


def read_query(text: str) -> Query:
    """查询词的理解：18 位以内的字母数字视为统一社会信用代码（或其开头）；2—5 个汉字还可能是
    法定代表人的姓名（须为全名才会命中）；名称去掉开头的省市县区名和结尾的“有限公司”“店”等
    组织形式后，剩下的字号部分（至少 3 个字）出现在名称中也算命中，并用于查找相近名称。"""
    q = normalise_query(text)
    core = q
    for form in ORG_FORMS:
        if core.endswith(form) and len(core) > len(form) + 1:
            core = core[: -len(form)]
            break
    place = _PLACES.match(core)
    if place and len(core) - place.end() >= 2:
        core = core[place.end() :]
    return Query(
        text=q,
        code=q if _CODE.match(q) and any(c.isdigit() for c in q) else None,
        person=bool(_PERSON.match(q)),
        core=core,
    )


def bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def name_similarity(query: str, name: str) -> float:
    """名称相近程度（0—1）：查询词的相邻两字组合在名称中出现的比例，容得下错别字和省略。"""
    wanted = bigrams(query)
    return len(wanted & bigrams(name)) / len(wanted) if wanted else 0.0
