"""How people write business names: short names, missing suffixes, typos (for mentions)."""

from __future__ import annotations

import numpy as np

from lookthrough.synth.vocab import TRADE_GROUPS

# Characters people mistype for each other: the others of the same sound group.
SOUND_ALIKE = {c: group.replace(c, "") for group in TRADE_GROUPS for c in group if len(group) > 1}


def typo(name: str, rng: np.random.Generator) -> str:
    """Replace one trade-name character (of the first two) with a sound-alike. One draw, made
    whether or not there is anything to replace, so the stream of later draws never shifts."""
    k = int(rng.integers(0, 2 * 60))  # 60: divisible by every group's count of sound-alikes
    spots = [i for i, c in enumerate(name[:2]) if c in SOUND_ALIKE]
    if not spots:
        return name
    i = spots[k % len(spots)]
    alike = SOUND_ALIKE[name[i]]
    return name[:i] + alike[(k // len(spots)) % len(alike)] + name[i + 1 :]


def mentions(
    names: list[str], shorts: list[str], counties: list[str], rng: np.random.Generator
) -> tuple[list[str], list[str]]:
    """The way a complainant names each business, and which way it was (for the truth)."""
    roll = rng.random(len(names))
    written: list[str] = []
    how: list[str] = []
    for i, (full, short, county) in enumerate(zip(names, shorts, counties, strict=True)):
        r = roll[i]
        if r < 0.35:
            written.append(str(full))
            how.append("full")
        elif r < 0.65:
            written.append(str(short))
            how.append("short")
        elif r < 0.78:
            written.append(str(short)[:2] + ("店" if r < 0.72 else ""))
            how.append("trade_only")
        elif r < 0.92:
            written.append(typo(str(short), rng))
            how.append("typo")
        else:
            written.append(f"{county}的{short}")
            how.append("with_place")
    return written, how
