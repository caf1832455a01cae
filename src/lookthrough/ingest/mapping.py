"""Column mappings: data files (YAML) that say how a bureau's spreadsheet becomes facts.

A mapping names the target (a record kind, or ``entity``, ``subject``, ``relation``), the source
key columns, and for each target field the column header(s) bureaus use (several spellings may be
listed; the first present in the file wins). Value maps, list splitting, date formats, defaults
and a title template complete it. Shipped mappings live in ``ingest/mappings/<target>.yaml``;
a foreign schema needs only a new mapping file, no code.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from lookthrough.core.errors import MappingInvalid
from lookthrough.records.kinds import KINDS

REGISTRY_TARGETS = ("entity", "subject", "relation")
DEFAULT_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y%m%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y年%m月%d日",
)


@dataclass(frozen=True, slots=True)
class ParentLink:
    """How a child row (e.g. a finding) finds its parent record."""

    kind: str
    key: tuple[str, ...] = ()  # parent's source-key fields, built from this row's fields
    match: tuple[str, ...] = ()  # or: same entity and same value of these fields (e.g. date)


@dataclass(frozen=True, slots=True)
class Mapping:
    target: str  # a record kind, or entity / subject / relation
    source: str
    key: tuple[str, ...]
    columns: dict[str, tuple[str, ...]]
    defaults: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    split: dict[str, str] = field(default_factory=dict)
    dates: dict[str, tuple[str, ...]] = field(default_factory=dict)
    title: str | None = None
    parent: ParentLink | None = None
    sheet: str | None = None
    encoding: str | None = None  # a foreign file's declared encoding (CSV); else sniffed
    depends_on: tuple[str, ...] = ()
    digest: str = ""

    @property
    def is_record(self) -> bool:
        return self.target in KINDS

    def header_for(self, target_field: str) -> str:
        """The header a template shows for a field (the first spelling)."""
        return self.columns[target_field][0]

    def resolve_headers(self, headers: list[str]) -> dict[str, str]:
        """target field → the header present in this file (first listed spelling that exists)."""
        present = {h.strip(): h for h in headers}
        found: dict[str, str] = {}
        for target_field, spellings in self.columns.items():
            for spelling in spellings:
                if spelling in present:
                    found[target_field] = present[spelling]
                    break
        return found

    def date_formats(self, target_field: str) -> tuple[str, ...]:
        return self.dates.get(target_field, DEFAULT_DATE_FORMATS)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise MappingInvalid(f"映射文件中“{where}”应为文字或文字列表")


def parse(data: Any, *, origin: str = "映射") -> Mapping:
    """A mapping from its YAML data, with Chinese errors that name the wrong entry."""
    if not isinstance(data, dict):
        raise MappingInvalid(f"{origin}：顶层应为键值对")
    target = data.get("target") or data.get("kind")
    if target not in KINDS and target not in REGISTRY_TARGETS:
        allowed = "、".join([*REGISTRY_TARGETS, *KINDS])
        raise MappingInvalid(f"{origin}：target“{target}”不存在，可选：{allowed}")
    columns_raw = data.get("columns")
    if not isinstance(columns_raw, dict) or not columns_raw:
        raise MappingInvalid(f"{origin}：缺少 columns（目标字段与表头的对应）")
    columns = {str(k): _strings(v, f"columns.{k}") for k, v in columns_raw.items()}
    key = _strings(data.get("key", []) or [], "key") if data.get("key") else ()
    for name in key:
        if name not in columns and name not in (data.get("defaults") or {}):
            raise MappingInvalid(f"{origin}：key 中的字段“{name}”未在 columns 中定义")
    parent = None
    if isinstance(data.get("parent"), dict):
        raw = data["parent"]
        if raw.get("kind") not in KINDS:
            raise MappingInvalid(f"{origin}：parent.kind“{raw.get('kind')}”不是记录类别")
        parent = ParentLink(
            kind=raw["kind"],
            key=_strings(raw["key"], "parent.key") if raw.get("key") else (),
            match=_strings(raw["match"], "parent.match") if raw.get("match") else (),
        )
    values = {
        str(k): {str(a): str(b) for a, b in v.items()}
        for k, v in (data.get("values") or {}).items()
        if isinstance(v, dict)
    }
    digest = hashlib.sha256(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=True).encode()
    ).hexdigest()[:16]
    return Mapping(
        target=str(target),
        source=str(data.get("source") or target),
        key=key,
        columns=columns,
        defaults={str(k): str(v) for k, v in (data.get("defaults") or {}).items()},
        values=values,
        split={str(k): str(v) for k, v in (data.get("split") or {}).items()},
        dates={str(k): _strings(v, f"dates.{k}") for k, v in (data.get("dates") or {}).items()},
        title=data.get("title"),
        parent=parent,
        sheet=data.get("sheet"),
        encoding=_encoding(data.get("encoding"), origin),
        depends_on=_strings(data["depends_on"], "depends_on") if data.get("depends_on") else (),
        digest=digest,
    )


def _encoding(value: Any, origin: str) -> str | None:
    if value is None:
        return None
    import codecs

    try:
        return codecs.lookup(str(value)).name
    except LookupError:
        raise MappingInvalid(f"{origin}：encoding“{value}”不是已知的字符编码") from None


def load(path: Path) -> Mapping:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise MappingInvalid(f"无法读取映射文件 {path.name}：{error}") from error
    return parse(data, origin=path.name)


def builtin(target: str) -> Mapping:
    """The shipped mapping for a target, with the Chinese headers bureaus use."""
    item = resources.files("lookthrough.ingest") / "mappings" / f"{target}.yaml"
    # ``target`` comes from upload forms: a known name only, never a path like ``../../x``.
    if (target not in KINDS and target not in REGISTRY_TARGETS) or not item.is_file():
        raise MappingInvalid(f"没有“{target}”的内置映射，请用 --mapping 指定映射文件")
    return parse(yaml.safe_load(item.read_text(encoding="utf-8")), origin=f"{target}.yaml")
