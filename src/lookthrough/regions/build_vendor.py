"""Front-end files for ``static/vendor/``: htmx, ECharts, Tabler and its icons, with licences."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

from lookthrough.regions.build_files import (
    BuildError,
    json_bytes,
    package_dir,
    package_version,
    read_package_file,
)

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

# Browsers pick the first source they support and every browser Tabler supports reads woff2, so the
# icon font's woff/ttf fallbacks (2.6 MB) are dropped from the @font-face rule.
_FONT_SRC = re.compile(r'src:(url\("\./fonts/[^"]+\.woff2[^"]*"\) format\("woff2"\))[^;}]*')
_CSS_URL = re.compile(r'url\("?(\./[^")?#]+)')
# A map comment pointing at a file we do not ship only makes devtools log 404s.
_SOURCE_MAP = re.compile(rb"\n?/[*/]# sourceMappingURL=[^\n]*\s*$")


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
    files["VERSIONS.json"] = json_bytes(dict(sorted(versions.items())), indent=2)
    return files, versions
