"""The Chinese business-name normaliser: what of a name to compare, and what it says besides.

Pure functions. ``normalise_name("安徽省郎溪县德成粮油店")`` and ``normalise_name("德城粮油")`` both
come down to a *core* (字号 + 行业: 德成粮油 / 德城粮油) that the scorer compares; the rest of the
name is kept as evidence — the places it names (region codes), its organisational forms, a
branch (…长江路店, …合肥分公司) and, for a 个体工商户 registered under the operator's name, that
person. Full- and half-width characters, brackets and punctuation are folded first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from lookthrough.resolution.lexicon import (
    BRACKET_FORMS,
    BRANCH_MARKERS,
    FILLERS,
    FORMS,
    INDUSTRIES,
)
from lookthrough.resolution.places import Places, shipped

_BRACKETS = str.maketrans("【】〔〕[]{}「」『』〈〉<>", "()()()()()()()()")
_NOISE = re.compile(r"[\s·•・.,、。'\"“”‘’`~!?:;*_\-—–/\\|+#&＆]")
_GROUP = re.compile(r"\(([^()]*)\)")
_CODE_PREFIX = re.compile(r"^(\d{6}|\d{9})(?:的)?")
_COMPANY = re.compile(r"股份有限公司|有限责任公司|有限公司")
_ROAD_END = re.compile(r"[\u4e00-\u9fff]{1,6}(?:大道|路|街|巷|广场|大厦|商场|市场|村)")
_FILLER_FIRST = frozenset(f[0] for f in FILLERS)
_ROAD_CHARS = frozenset("道路街巷场厦村")
_CJK_PERSON = re.compile(r"^[\u4e00-\u9fff]{2,3}$")
_MIN_CORE = 2  # a 字号 has at least two characters (企业名称登记管理规定 第八条)
_LONGEST_INDUSTRY = max(len(w) for w in INDUSTRIES)
_FORMS_BY_LAST: dict[str, tuple[str, ...]] = {
    last: tuple(f for f in FORMS if f.endswith(last)) for last in {f[-1] for f in FORMS}
}


@dataclass(frozen=True, slots=True)
class NameParts:
    """A name taken apart. ``core`` is what the scorer compares; the rest is evidence."""

    raw: str
    clean: str  # folded: NFKC, upper case, no spaces, punctuation or brackets
    core: str  # 字号 + 行业 without places and organisational forms
    trade: str  # 字号 (a guess when no 行业 word is known)
    industry: str  # 行业 word, "" when none is recognised
    forms: tuple[str, ...] = ()  # organisational forms, outermost first
    branch: str = ""  # the branch a name points to (长江路 for …长江路店)
    regions: tuple[str, ...] = ()  # region codes the name itself names
    person: str = ""  # a 个体工商户 named after its operator
    alternative: NameParts | None = None  # reading a leading county stem as a place


def fold(text: str) -> str:
    """全角转半角、大写、统一括号，去掉空白和标点（括号保留，供后续拆分）。"""
    folded = unicodedata.normalize("NFKC", text).upper().translate(_BRACKETS)
    return _NOISE.sub("", folded)


def _strip_fillers(text: str) -> str:
    if not _FILLER_FIRST.intersection(text[:1]):
        return text
    changed = True
    while changed:
        changed = False
        for filler in FILLERS:
            if text.startswith(filler) and len(text) - len(filler) >= _MIN_CORE:
                text, changed = text[len(filler) :], True
    return text


def _brackets(text: str, places: Places) -> tuple[str, list[str], list[str], str]:
    """Take bracketed forms, places and branches out; keep any other bracketed words inline."""
    forms: list[str] = []
    regions: list[str] = []
    branch = ""

    def take(match: re.Match[str]) -> str:
        nonlocal branch
        inside = match.group(1)
        if inside in BRACKET_FORMS:
            forms.append("个体工商户" if inside == "个体" else inside)
            return ""
        if inside == "中国" or places.codes(inside):
            regions.extend(places.codes(inside))
            return ""
        for marker in BRANCH_MARKERS:
            if inside.endswith(marker) and len(inside) > len(marker):
                branch = inside[: -len(marker)]
                return ""
        return inside

    if "(" not in text and ")" not in text:
        return text, forms, regions, branch
    text = _GROUP.sub(take, text)
    return text.replace("(", "").replace(")", ""), forms, regions, branch


def _leading_places(text: str, places: Places) -> tuple[str, list[str]]:
    regions: list[str] = []
    while True:
        found = places.leading(text)
        if not found or len(text) - len(found[0]) < _MIN_CORE:
            return text, regions
        regions.extend(found[1])
        text = _strip_fillers(text[len(found[0]) :])


def _place_at_end(head: str, places: Places) -> str:
    """The place or street a branch is named after: 蜀山 in 鑫源超市蜀山店, 长江路 in …长江路店."""
    for size in range(min(10, len(head) - _MIN_CORE), 1, -1):
        tail = head[-size:]
        if places.codes(tail) or tail in places.stems:
            return tail
    # A street is only taken when what is before it ends in a 行业 word (鑫源超市|长江路).
    if not _ROAD_CHARS.intersection(head):
        return ""
    for cut in range(_MIN_CORE, len(head) - 1):
        if _ROAD_END.fullmatch(head[cut:]) and any(
            head[:cut].endswith(word) for word in INDUSTRIES if len(word) <= cut - 1
        ):
            return head[cut:]
    return ""


def _bare(tail: str) -> str:
    """A branch tail without its own forms and markers (…有限公司 alone is no branch)."""
    changed = True
    while changed and tail:
        changed = False
        for word in (*BRANCH_MARKERS, *FORMS):
            if tail.endswith(word):
                tail, changed = tail[: -len(word)], True
                break
    return tail


def _branch(text: str, places: Places) -> tuple[str, str]:
    """Split off a branch: after the parent's form (…有限公司长江路店), or a place before a
    marker (…蜀山店)."""
    for company in _COMPANY.finditer(text):
        tail = _bare(text[company.end() :])
        if tail:
            return text[: company.end()], tail
    for marker in BRANCH_MARKERS:
        if text.endswith(marker):
            head = text[: -len(marker)]
            place = _place_at_end(head, places)
            if place:
                return head[: -len(place)], place
    return text, ""


def _strip_forms(text: str) -> tuple[str, list[str]]:
    forms: list[str] = []
    while True:
        for form in _FORMS_BY_LAST.get(text[-1:], ()):
            if text.endswith(form) and len(text) - len(form) >= _MIN_CORE:
                forms.append(form)
                text = text[: -len(form)]
                break
        else:
            return text, forms


def split_industry(core: str) -> tuple[str, str]:
    """字号 and 行业: the longest known 行业 word that ends the core
    (鑫源粮油批发 → 鑫源, 粮油批发)."""
    for size in range(min(_LONGEST_INDUSTRY, len(core) - 1), 0, -1):
        if core[-size:] in INDUSTRIES:
            return core[:-size], core[-size:]
    return (core[:2] if len(core) >= 4 else core), ""


def normalise_name(raw: str, places: Places | None = None) -> NameParts:
    """把名称拆成可比较的核心（字号+行业）和其余证据（地名、组织形式、分支机构、经营者）。"""
    places = places or shipped()
    text = fold(raw or "")
    regions: list[str] = []
    code = _CODE_PREFIX.match(text)
    if code and code.group(1) in places.valid_codes and len(text) - code.end() >= _MIN_CORE:
        regions.append(code.group(1))
        text = text[code.end() :]
    clean = text.replace("(", "").replace(")", "")
    text, forms, bracket_regions, branch = _brackets(text, places)
    if text.startswith("个体工商户") and len(text) > len("个体工商户") + 1:
        forms.append("个体工商户")
        text = text[len("个体工商户") :]
    text, leading = _leading_places(_strip_fillers(text), places)
    text, tail_branch = _branch(text, places)
    text, stripped = _strip_forms(text)
    text, more_regions = _leading_places(text, places)  # 有限公司 after a place: rare but seen
    core = text or clean
    trade, industry = split_industry(core)
    all_forms = tuple(dict.fromkeys([*stripped, *forms]))
    person = core if "个体工商户" in all_forms and not industry and _CJK_PERSON.match(core) else ""
    parts = NameParts(
        raw=raw,
        clean=clean,
        core=core,
        trade=trade,
        industry=industry,
        forms=all_forms,
        branch=branch or tail_branch,
        regions=tuple(dict.fromkeys([*regions, *leading, *bracket_regions, *more_regions])),
        person=person,
    )
    stem = places.leading_stem(core)
    if stem and len(core) - len(stem[0]) >= _MIN_CORE:
        rest = core[len(stem[0]) :]
        rest_trade, rest_industry = split_industry(rest)
        alternative = NameParts(
            raw=raw,
            clean=clean,
            core=rest,
            trade=rest_trade,
            industry=rest_industry,
            forms=parts.forms,
            branch=parts.branch,
            regions=tuple(dict.fromkeys([*parts.regions, *stem[1]])),
        )
        parts = replace(parts, alternative=alternative)
    return parts


# -- addresses, phones, people -----------------------------------------------------------------

_ADDRESS_FILLERS = re.compile(r"(附近|对面|旁边|门口|一带|周边|隔壁|楼下|斜对面)")
_ROAD = re.compile(r"([\u4e00-\u9fff]{1,10}?(?:大道|路|街|巷))")
_NUMBER = re.compile(r"(\d+)号")
# The road right before the house number, by its last two characters and its kind (芜湖路 in
# 甲路镇芜湖路484号, where the town's own 路 would otherwise be read as the road). The same rule
# in polars' syntax makes the blocking's address keys.
_ROAD_NUMBER = re.compile(r"([\u4e00-\u9fff]{2}(?:大道|路|街|巷))(\d+)号")
ROAD_NUMBER_POLARS = r"(\p{Han}{2}(?:大道|路|街|巷))(\d+)号"
# An address written inside a complaint's text (“XX店（文化街351号）卖过期食品”, “长江路88号附近
# 的XX店”): the run of characters up to the first road and house number, from where the run
# starts (a bracket or punctuation ends the run before it).
_ADDRESS_IN_TEXT = re.compile(r"([\u4e00-\u9fff\d]*?(?:大道|路|街|巷)\d+号)")


def address_in_text(text: str | None) -> str | None:
    """诉求内容里写到的地址（须有道路和门牌号），没有则为 None。"""
    if not text:
        return None
    found = _ADDRESS_IN_TEXT.search(fold(text))
    return found.group(1) if found else None


@dataclass(frozen=True, slots=True)
class AddressParts:
    clean: str  # without the leading places and the filler words
    regions: tuple[str, ...]
    road: str
    number: str


def normalise_address(raw: str, places: Places | None = None) -> AddressParts:
    """地址去掉省市县乡前缀和“附近、对面”等词，取出道路和门牌号。"""
    if places is None or places is shipped():
        return _shipped_address(raw or "")
    return _address(raw, places)


@lru_cache(maxsize=1 << 18)
def _shipped_address(raw: str) -> AddressParts:
    """Against the shipped places, remembered: a batch compares each mention's address with
    every candidate's, and a candidate is a candidate of many mentions."""
    return _address(raw, shipped())


def _address(raw: str, places: Places) -> AddressParts:
    text = _ADDRESS_FILLERS.sub("", fold(raw or "").replace("(", "").replace(")", ""))
    numbered = _ROAD_NUMBER.search(text)  # before the places go: 芜湖路 is a road, not 芜湖
    text, regions = _leading_places(text, places)
    if numbered:
        return AddressParts(text, tuple(regions), numbered.group(1), numbered.group(2))
    road = _ROAD.search(text)
    number = _NUMBER.search(text)
    return AddressParts(
        clean=text,
        regions=tuple(regions),
        road=road.group(1) if road else "",
        number=number.group(1) if number else "",
    )


def normalise_phone(raw: str | None) -> str:
    """只留数字，去掉 +86 / 0086 国家码。"""
    digits = re.sub(r"\D", "", raw or "")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) in (11, 12):
            return digits[len(prefix) :]
    return digits


def normalise_person(raw: str | None) -> str:
    """人名：全角半角统一，去掉空格和间隔号。"""
    return fold(raw or "").replace("(", "").replace(")", "")
