"""统一社会信用代码 (GB 32100-2015): structure and both check characters.

An 18-character code: registration authority (1) · entity type (1) · registration region
(6, GB/T 2260) · organisation code (9, GB 11714: eight body characters and a check character)
· overall check character (1). Pure functions; the region table is passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

# GB 32100-2015 §4: the 31 characters a code may use (no I, O, S, V, Z).
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {char: index for index, char in enumerate(CHARSET)}
# Weight of position i (1-based) for the 18th character is 3^(i-1) mod 31.
WEIGHTS = [pow(3, i, 31) for i in range(17)]
# GB 11714-1997: weights of the eight body characters of the organisation code.
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# GB 32100-2015 附录 A: registration authorities and the entity types each may register.
AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": (
        "机构编制",
        {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    ),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {
            "1": "外国旅游部门常驻代表机构",
            "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
            "9": "其他",
        },
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商（市场监管）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": (
        "农业",
        {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    ),
    "Y": ("其他", {"1": "其他"}),
}

# The province-level codes of GB/T 2260, for codes registered outside the shipped province.
# Also 10 (100000): businesses registered by the State Administration itself (国家级).
PROVINCES = frozenset(
    {
        "10",
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    }
)


class Verdict(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    REVIEW = "review"  # legacy code failing only the organisation-code check: a person decides


@dataclass(frozen=True, slots=True)
class UsccCheck:
    code: str
    verdict: Verdict
    reason: str
    authority: str | None = None
    entity_type: str | None = None
    region: str | None = None

    @property
    def valid(self) -> bool:
        return self.verdict is Verdict.VALID


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (GB 32100-2015 §5.2)."""
    total = sum(VALUE[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def org_check_character(body8: str) -> str:
    """The organisation code's check character for its eight body characters (GB 11714)."""
    total = sum(_org_value(char) * weight for char, weight in zip(body8, ORG_WEIGHTS, strict=True))
    remainder = 11 - total % 11
    return "X" if remainder == 10 else "0" if remainder == 11 else str(remainder)


def _org_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def normalise(code: str) -> str:
    """Upper case, without spaces and full-width forms (people paste codes from many places)."""
    table = {ord(f): ord(h) for f, h in zip("０１２３４５６７８９", "0123456789", strict=True)}
    cleaned = code.translate(table).strip().replace(" ", "").replace("\u3000", "").upper()
    return "".join(chr(ord(c) - 0xFEE0) if "Ａ" <= c <= "Ｚ" else c for c in cleaned)


def check(code: str, *, region_exists: Callable[[str], bool] | None = None) -> UsccCheck:
    """校验统一社会信用代码：结构、登记管理部门与机构类别、登记管理机关行政区划码、组织机构代码校验位、总校验位。

    ``region_exists`` answers whether a short region code (``34``, ``3401``, ``340104``) is in
    the region table; codes of other provinces are checked against the province list only.
    """
    code = normalise(code)
    if len(code) != 18:
        return UsccCheck(code, Verdict.INVALID, f"长度应为 18 位，实际为 {len(code)} 位")
    bad = [f"第 {i + 1} 位“{c}”" for i, c in enumerate(code) if c not in VALUE]
    if bad:
        return UsccCheck(
            code, Verdict.INVALID, "含有不允许的字符（不使用 I、O、S、V、Z）：" + "、".join(bad[:3])
        )
    authority = AUTHORITIES.get(code[0])
    if authority is None:
        return UsccCheck(code, Verdict.INVALID, f"第 1 位登记管理部门代码“{code[0]}”不存在")
    types = authority[1]
    if code[1] not in types:
        return UsccCheck(
            code, Verdict.INVALID, f"第 2 位机构类别代码“{code[1]}”不属于{authority[0]}登记的类别"
        )
    region_problem, region = _region(code[2:8], region_exists)
    info = {"authority": authority[0], "entity_type": types[code[1]], "region": region}
    if region_problem:
        return UsccCheck(code, Verdict.INVALID, region_problem, **info)
    expected = check_character(code[:17])
    if code[17] != expected:
        return UsccCheck(
            code, Verdict.INVALID, f"第 18 位校验码应为“{expected}”，实际为“{code[17]}”", **info
        )
    org_expected = org_check_character(code[8:16])
    if code[16] != org_expected:
        return UsccCheck(
            code,
            Verdict.REVIEW,
            f"组织机构代码校验位（第 17 位）应为“{org_expected}”，实际为“{code[16]}”；"
            "可能为存量换发代码，需人工核实",
            **info,
        )
    if region_exists is not None and code[2:4] == "34" and not region_exists(region):
        # The region part is fixed at registration; a code of a since-merged county is real.
        return UsccCheck(
            code,
            Verdict.REVIEW,
            f"第 3–8 位行政区划码“{code[2:8]}”不在现行区划表中（可能为已撤并区划的历史代码），"
            "需人工核实",
            **info,
        )
    return UsccCheck(code, Verdict.VALID, "校验通过", **info)


def _region(six: str, region_exists: Callable[[str], bool] | None) -> tuple[str | None, str]:
    if not six.isdigit():
        return f"第 3–8 位登记管理机关行政区划码“{six}”应为 6 位数字", six
    short = six[:2] if six.endswith("0000") else six[:4] if six.endswith("00") else six
    if six[:2] not in PROVINCES:
        return f"第 3–8 位行政区划码“{six}”的省级代码“{six[:2]}”不存在", short
    return None, short


def make(authority_type: str, region6: str, org_body8: str) -> str:
    """Build a valid code from its parts (synthetic data and tests)."""
    first16 = authority_type + region6 + org_body8
    first17 = first16 + org_check_character(org_body8)
    return first17 + check_character(first17)
