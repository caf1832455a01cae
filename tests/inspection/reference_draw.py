"""The draw of docs/inspection.md re-implemented in plain Python, as an outsider would: no
numpy, no code of ours. The tests check that it and ``lookthrough.inspection.draw`` agree."""

from __future__ import annotations

import hashlib
import math
from decimal import Decimal
from fractions import Fraction

M = 2**64


def mix64(x: int) -> int:
    z = (x + 0x9E3779B97F4A7C15) % M
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) % M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) % M
    return z ^ (z >> 31)


def base(seed: str, label: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}|{label}".encode()).digest()[:8], "big")


def candidates_hash(candidates: list[tuple[str, str]]) -> str:
    lines = sorted(candidates, key=lambda c: c[0].encode("utf-8"))
    return hashlib.sha256("".join(f"{k}\t{s}\n" for k, s in lines).encode("utf-8")).hexdigest()


def draw(candidates: list[tuple[str, str]], seed: str, ratios: dict[str, str]) -> list[str]:
    """The drawn keys, in canonical order."""
    ordered = sorted(candidates, key=lambda c: c[0].encode("utf-8"))
    drawn: set[str] = set()
    for stratum in "ABCDU":
        members = [k for k, s in ordered if s == stratum]
        wanted = math.ceil(len(members) * Fraction(Decimal(ratios.get(stratum, "0"))))
        start = base(seed, f"stratum:{stratum}")
        numbered = sorted((mix64((start + i) % M), i) for i in range(len(members)))
        drawn.update(members[i] for _, i in numbered[:wanted])
    return [k for k, _ in ordered if k in drawn]


def team(
    seed: str, visit: int, eligible: list[int], excluded: set[int], size: int
) -> list[int] | None:
    """Inspector ranks for one visit and department, or None when too few are eligible."""
    start = base(seed, "assign")
    free = [j for j in eligible if j not in excluded]
    numbered = sorted((mix64((start + visit * 2**24 + j) % M), j) for j in free)
    if len(numbered) < size:
        return None
    return sorted(j for _, j in numbered[:size])
