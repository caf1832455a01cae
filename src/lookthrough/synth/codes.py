"""Vectorised unified social credit codes (GB 32100-2015) for millions of businesses."""

from __future__ import annotations

import numpy as np
import polars as pl

from lookthrough.registry.uscc import CHARSET, ORG_WEIGHTS, WEIGHTS

_USCC_VALUE = np.zeros(128, dtype=np.int64)
for _i, _c in enumerate(CHARSET):
    _USCC_VALUE[ord(_c)] = _i
_ORG_VALUE = np.zeros(128, dtype=np.int64)
for _c in CHARSET:
    _ORG_VALUE[ord(_c)] = int(_c) if _c.isdigit() else ord(_c) - ord("A") + 10
_CHARS = np.array([ord(c) for c in CHARSET], dtype=np.uint8)


def serial_bodies(serials: np.ndarray) -> np.ndarray:
    """Eight-character organisation-code bodies "MA" + six base-31 digits (unique per serial)."""
    digits = np.empty((len(serials), 6), dtype=np.int64)
    rest = serials.astype(np.int64).copy()
    for position in range(5, -1, -1):
        digits[:, position] = rest % 31
        rest //= 31
    body = np.empty((len(serials), 8), dtype=np.uint8)
    body[:, 0], body[:, 1] = ord("M"), ord("A")
    body[:, 2:] = _CHARS[digits]
    return body


def make_codes(prefix2: np.ndarray, region6: np.ndarray, body8: np.ndarray) -> pl.Series:
    """Valid codes from parts given as uint8 character arrays (n×2, n×6, n×8)."""
    n = len(body8)
    chars = np.empty((n, 18), dtype=np.uint8)
    chars[:, :2], chars[:, 2:8], chars[:, 8:16] = prefix2, region6, body8
    org = (_ORG_VALUE[body8] * np.array(ORG_WEIGHTS)).sum(axis=1) % 11
    remainder = 11 - org
    check9 = np.where(
        remainder == 10, ord("X"), np.where(remainder == 11, ord("0"), remainder + ord("0"))
    )
    chars[:, 16] = check9
    total = (_USCC_VALUE[chars[:, :17]] * np.array(WEIGHTS)).sum(axis=1) % 31
    chars[:, 17] = _CHARS[(31 - total) % 31]
    return pl.Series(chars.view("S18").ravel()).cast(pl.String)


def ascii_matrix(values: list[str] | np.ndarray, width: int) -> np.ndarray:
    """Fixed-width ASCII strings as an n×width uint8 array."""
    return np.frombuffer("".join(values).encode("ascii"), dtype=np.uint8).reshape(-1, width)
