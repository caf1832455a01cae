"""How people write business names: short names, missing suffixes, typos (for mentions)."""

from __future__ import annotations

import numpy as np

from lookthrough.synth.vocab import TRADE

# Characters people mistype for each other (same or similar sound).
SOUND_ALIKE = dict(
    zip(
        "鑫源华盛泰隆恒达兴佳康福德瑞丰顺金安宏昌汇通诚信新天美百万和益嘉永利祥发富贵荣兆旺星辰光明正大中欣悦合众润泽晟弘博远捷品味鲜",
        "欣园化胜太龙衡大新家慷富得锐风舜今按洪常会同城心欣添每佰方合亿佳勇力翔法福桂容照王兴晨广名政达忠新越和重闰则盛宏搏源杰聘未先",
        strict=True,
    )
)
assert set(SOUND_ALIKE) == set(TRADE)


def typo(name: str, rng: np.random.Generator) -> str:
    """Replace one trade-name character with a sound-alike."""
    spots = [i for i, c in enumerate(name) if c in SOUND_ALIKE]
    if not spots:
        return name
    i = spots[int(rng.integers(0, len(spots)))]
    return name[:i] + SOUND_ALIKE[name[i]] + name[i + 1 :]


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
