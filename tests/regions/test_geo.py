"""Map boundaries written by the build into web/static/geo (run `make assets` first)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from lookthrough.regions.divisions import Division, load_divisions

GEO = resources.files("lookthrough.web").joinpath("static", "geo")


def read_map(code: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(GEO.joinpath(f"{code}.json").read_text(encoding="utf-8"))
    return data


def codes_of(collection: dict[str, Any]) -> list[str]:
    return [f["properties"]["code"] for f in collection["features"]]


@pytest.fixture(scope="module")
def divisions() -> dict[str, Division]:
    return {d.code: d for d in load_divisions()}


def test_province_map_has_the_sixteen_cities(divisions: dict[str, Division]) -> None:
    cities = {code for code, d in divisions.items() if d.level == "city"}
    codes = codes_of(read_map("34"))
    assert len(codes) == 16
    assert set(codes) == cities


def test_province_map_is_small() -> None:
    assert len(GEO.joinpath("34.json").read_bytes()) < 400 * 1024


def test_every_state_county_is_on_its_city_map(divisions: dict[str, Division]) -> None:
    counties = [d for d in divisions.values() if d.level == "county" and d.gbt2260]
    assert len(counties) == 104
    for county in counties:
        assert county.parent_code is not None
        assert county.code in codes_of(read_map(county.parent_code)), county
        assert codes_of(read_map(county.code)) == [county.code]


def test_dev_zones_have_no_map(divisions: dict[str, Division]) -> None:
    for d in divisions.values():
        if d.kind == "dev_zone":
            assert not GEO.joinpath(f"{d.code}.json").is_file()


def test_every_feature_matches_the_division_table(divisions: dict[str, Division]) -> None:
    files = [f for f in GEO.iterdir() if f.name.endswith(".json")]
    assert len(files) == 1 + 16 + 104
    for file in files:
        collection = json.loads(file.read_text(encoding="utf-8"))
        assert collection["type"] == "FeatureCollection"
        for feature in collection["features"]:
            props = feature["properties"]
            assert set(props) == {"name", "code"}
            assert props["name"] == divisions[props["code"]].name, file.name
            assert props["code"].startswith(file.name.removesuffix(".json"))
            assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
