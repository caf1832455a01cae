"""Which characters sound alike: most slips in a typed name are homophones (同音字).

People type Chinese by pinyin and pick a character from the input method's list; the wrong pick
is a character of the same sound (德城 for 德成, 鑫源 for 新源). A one-character difference
between homophones is therefore far likelier to be the same business misspelt than one between
characters that sound different. Readings come from pypinyin's bundled dictionary (no network),
without tones, every reading of a polyphonic character counted.
"""

from __future__ import annotations

from functools import lru_cache

import polars as pl
from pypinyin import Style, pinyin


@lru_cache(maxsize=65_536)
def readings(char: str) -> frozenset[str]:
    """The toneless readings of one character (itself when it is not a Han character)."""
    found = pinyin(char, style=Style.NORMAL, heteronym=True, errors=lambda c: c)
    return frozenset(found[0]) if found else frozenset({char})


def sounds_alike(a: str, b: str) -> bool:
    """Two names of the same length that differ in exactly one character, the two characters
    sharing a reading (鑫源 / 新源: xin)."""
    if len(a) != len(b) or a == b:
        return False
    differ = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return len(differ) == 1 and bool(readings(differ[0][0]) & readings(differ[0][1]))


@lru_cache(maxsize=65_536)
def reading(char: str) -> str:
    """The character's usual toneless reading (齐 → qi, not ji)."""
    found = pinyin(char, style=Style.NORMAL, heteronym=False, errors=lambda c: c)
    return found[0][0] if found and found[0] else char


def sound_of(text: str) -> str:
    """A name by sound: each character's usual reading (衡齐五金 → heng qi wu jin), so that names
    one homophone apart (恒旗五金) share it."""
    return " ".join(reading(c) for c in text)


def sounds(values: pl.Series) -> pl.Series:
    """``sound_of`` over a column, each distinct character looked up once."""
    chars = values.str.split("").explode().drop_nulls().unique().to_list()
    table = {c: sound_of(c) for c in chars}
    return (
        values.str.split("")
        .list.eval(pl.element().replace_strict(table, default=pl.element()))
        .list.join(" ")
    )
