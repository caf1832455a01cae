"""The built table against the public division tables in ../shared/data/regions (Anhui only)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from lookthrough.regions.divisions import load_divisions

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "regions"

pytestmark = pytest.mark.shared

# (file, the column holding the parent's code) per level; provinces have no parent.
FILES = {
    "province": ("provinces.csv", None),
    "city": ("cities.csv", "provinceCode"),
    "county": ("areas.csv", "cityCode"),
    "town": ("streets.csv", "areaCode"),
}
EXPECTED_COUNTS = {"province": 1, "city": 16, "county": 119, "town": 1685}


def shared_rows(level: str) -> set[tuple[str, str, str | None]]:
    if not SHARED.is_dir():
        pytest.skip("../shared/data/regions not present")
    name, parent_column = FILES[level]
    with (SHARED / name).open(encoding="utf-8", newline="") as f:
        return {
            (r["code"], r["name"], r[parent_column] if parent_column else None)
            for r in csv.DictReader(f)
            if r["code"].startswith("34")
        }


@pytest.mark.parametrize("level", list(FILES))
def test_same_codes_names_and_parents(level: str) -> None:
    expected = shared_rows(level)
    built = {(d.code, d.name, d.parent_code) for d in load_divisions() if d.level == level}
    print(f"{level}: built {len(built)}, shared {len(expected)}")
    assert built == expected
    assert len(built) == EXPECTED_COUNTS[level]
