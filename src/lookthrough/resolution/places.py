"""Place names inside business names and addresses, from the shipped division table.

Built once from the divisions (no database): every province, city, county and town name, plus
the short forms people write for the province and its cities (安徽, 皖, 合肥). County stems
(郎溪 for 郎溪县) are kept apart: they may also be a trade name (明光 is both a 县级市 and a 字号),
so the normaliser only tries them as an alternative reading.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from lookthrough.regions.divisions import Division, load_divisions

_SUFFIXES = ("省", "市", "县", "区")
PROVINCE_SHORT = {"34": ("安徽", "皖")}  # GB/T 2260 province abbreviations people write


@dataclass(frozen=True)
class Places:
    """Names → region codes (a town name such as 城关镇 may mean several places)."""

    codes_by_name: dict[str, tuple[str, ...]]
    stems: dict[str, tuple[str, ...]]  # 郎溪 → 341821: a county or city name without its suffix
    valid_codes: frozenset[str] = field(repr=False)
    # first character → the lengths of the names that start with it, longest first: a prefix
    # lookup is a few dictionary probes instead of a 2,000-way regular expression.
    _lengths: dict[str, tuple[int, ...]] = field(repr=False, default_factory=dict)
    _stem_lengths: dict[str, tuple[int, ...]] = field(repr=False, default_factory=dict)

    @classmethod
    def of(cls, divisions: Iterable[Division]) -> Places:
        names: dict[str, set[str]] = defaultdict(set)
        stems: dict[str, set[str]] = defaultdict(set)
        codes = set()
        for d in divisions:
            if d.level == "grid":
                continue
            codes.add(d.code)
            names[d.name].add(d.code)
            for short in PROVINCE_SHORT.get(d.code, ()):
                names[short].add(d.code)
            if d.level == "city" and d.name.endswith("市"):
                names[d.name[:-1]].add(d.code)  # 合肥 for 合肥市: never a lawful 字号
            if d.level == "county" and d.name.endswith(_SUFFIXES) and len(d.name) >= 3:
                stems[d.name[:-1]].add(d.code)
        for name in names:
            stems.pop(name, None)
        return cls(
            codes_by_name={k: tuple(sorted(v)) for k, v in names.items()},
            stems={k: tuple(sorted(v)) for k, v in stems.items()},
            valid_codes=frozenset(codes),
            _lengths=_first_char_lengths(names),
            _stem_lengths=_first_char_lengths(stems),
        )

    def leading(self, text: str) -> tuple[str, tuple[str, ...]] | None:
        """The place name that ``text`` starts with (longest), and the codes it may mean."""
        found = _longest_prefix(text, self._lengths, self.codes_by_name)
        return None if found is None else (found, self.codes_by_name[found])

    def leading_stem(self, text: str) -> tuple[str, tuple[str, ...]] | None:
        found = _longest_prefix(text, self._stem_lengths, self.stems)
        return None if found is None else (found, self.stems[found])

    def codes(self, name: str) -> tuple[str, ...]:
        return self.codes_by_name.get(name, ())


def _first_char_lengths(names: Iterable[str]) -> dict[str, tuple[int, ...]]:
    lengths: dict[str, set[int]] = defaultdict(set)
    for name in names:
        lengths[name[0]].add(len(name))
    return {c: tuple(sorted(v, reverse=True)) for c, v in lengths.items()}


def _longest_prefix(
    text: str, lengths: dict[str, tuple[int, ...]], names: dict[str, tuple[str, ...]]
) -> str | None:
    """The longest name ``text`` starts with (合肥市 before 合肥)."""
    for size in lengths.get(text[:1], ()):
        if size <= len(text) and text[:size] in names:
            return text[:size]
    return None


@lru_cache(maxsize=1)
def shipped() -> Places:
    """The places of the shipped division table (read once per process)."""
    return Places.of(load_divisions())
