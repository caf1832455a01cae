"""The verifiable random draw (双随机): candidates, commitment, stratified subjects, inspectors.

Everything here is pure: inputs in, result out, no database and no clock. The algorithm is
specified in ``docs/inspection.md`` ("The draw, exactly") so that anyone can re-implement it
without this code; ``tests/inspection/reference_draw.py`` is such a re-implementation in plain
Python, and the tests check both agree.

In short:

* the **canonical candidate list** is one line ``KEY\\tSTRATUM\\n`` per candidate, sorted by the
  UTF-8 bytes of KEY; ``candidates_hash`` is its SHA-256;
* the **seed** is 64 hex characters; the **commitment** is the SHA-256 of the seed's ASCII text;
* in each stratum, candidate *i* (its rank in the list among that stratum's candidates) gets the
  number ``mix64(base(seed, "stratum:" + S) + i)``; the ``ceil(N × ratio)`` candidates with the
  smallest numbers are drawn (ties: the smaller *i*);
* for visit *v* (the rank of the drawn subject in the list) and inspector *j* (the rank of the
  inspector's code), ``mix64(base(seed, "assign") + v × 2^24 + j)`` orders the eligible
  inspectors; the ``k`` smallest are assigned.

``mix64`` is SplitMix64's output function; all arithmetic is modulo 2^64.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import numpy as np
import numpy.typing as npt

ALGORITHM = "lookthrough-draw-v1"
STRATA = ("A", "B", "C", "D", "U")  # credit classes A–D, and U: unclassified
MAX_INSPECTORS = 1 << 24  # inspector ranks must fit below the visit's shift
MAX_VISITS = 1 << 39  # v × 2^24 must stay below 2^63

U64 = npt.NDArray[np.uint64]


class DrawInputError(ValueError):
    """The inputs cannot be drawn from (duplicate keys, forbidden characters, unknown stratum)."""


def mix64(x: U64) -> U64:
    """SplitMix64's output function over an array of unsigned 64-bit integers (mod 2^64)."""
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    result: U64 = z ^ (z >> np.uint64(31))
    return result


def new_seed() -> str:
    """A fresh secret seed: 32 random bytes as 64 lowercase hex characters."""
    return secrets.token_hex(32)


def commitment(seed: str) -> str:
    """What is published before the draw: SHA-256 of the seed's text. It binds the seed
    without revealing it (the seed has 256 random bits, so it cannot be guessed back)."""
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def base(seed: str, label: str) -> int:
    """The first 8 bytes (big-endian) of SHA-256 of ``seed|label``: one stream per purpose."""
    digest = hashlib.sha256(f"{seed}|{label}".encode("ascii")).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass(frozen=True)
class Candidates:
    """The canonical candidate list: keys sorted by their UTF-8 bytes, one stratum each."""

    keys: npt.NDArray[np.bytes_]  # fixed-width bytes, sorted, unique
    strata: npt.NDArray[np.uint8]  # ASCII code of each key's stratum letter

    def __len__(self) -> int:
        return int(self.keys.shape[0])

    def key(self, index: int) -> str:
        return bytes(self.keys[index]).decode("utf-8")

    def stratum(self, index: int) -> str:
        return chr(int(self.strata[index]))

    def counts(self) -> dict[str, int]:
        return {s: int(np.count_nonzero(self.strata == ord(s))) for s in STRATA}

    def position(self, key: str) -> int | None:
        """Where a key lies in the list, or None."""
        probe = np.array([key.encode("utf-8")], dtype=self.keys.dtype)
        at = int(np.searchsorted(self.keys, probe[0]))
        return at if at < len(self) and self.keys[at] == probe[0] else None


def canonical(
    keys: Sequence[str] | npt.NDArray[np.bytes_], strata: Sequence[str] | npt.NDArray[np.uint8]
) -> Candidates:
    """Sort the candidates into the canonical list; refuse what would make it ambiguous."""
    return canonical_order(keys, strata)[0]


def canonical_order(
    keys: Sequence[str] | npt.NDArray[np.bytes_], strata: Sequence[str] | npt.NDArray[np.uint8]
) -> tuple[Candidates, npt.NDArray[np.int64]]:
    """The canonical list and, for each of its entries, where it was in the input."""
    if isinstance(keys, np.ndarray):
        raw = keys
    else:
        encoded = [k.encode("utf-8") for k in keys]
        for k in encoded:
            if not k or any(b in k for b in (b"\t", b"\n", b"\r", b"\0")):
                raise DrawInputError(f"候选主体标识不能为空或含制表符、换行符：{k!r}")
        raw = np.array(encoded, dtype=f"S{max((len(k) for k in encoded), default=1)}")
    if isinstance(strata, np.ndarray):
        codes = strata.astype(np.uint8)
    else:
        codes = np.frombuffer("".join(strata).encode("ascii"), dtype=np.uint8).copy()
    if codes.shape[0] != raw.shape[0]:
        raise DrawInputError("候选主体与分类数量不一致")
    allowed = np.frombuffer("".join(STRATA).encode(), dtype=np.uint8)
    if codes.size and not np.isin(codes, allowed).all():
        raise DrawInputError(f"分类只能是 {'、'.join(STRATA)}")
    order = np.argsort(raw, kind="stable")
    sorted_keys = raw[order]
    if sorted_keys.size > 1 and (sorted_keys[1:] == sorted_keys[:-1]).any():
        at = int(np.flatnonzero(sorted_keys[1:] == sorted_keys[:-1])[0])
        raise DrawInputError(f"候选主体重复：{bytes(sorted_keys[at]).decode('utf-8')}")
    return Candidates(sorted_keys, codes[order]), order.astype(np.int64)


def canonical_bytes(candidates: Candidates) -> bytes:
    """``KEY\\tSTRATUM\\n`` per candidate, in order (built without a Python loop: the province
    has 7.5M of them). Keys hold no NUL byte, so the fixed-width padding can be dropped."""
    n = len(candidates)
    if n == 0:
        return b""
    width = candidates.keys.dtype.itemsize
    matrix = np.zeros((n, width + 3), dtype=np.uint8)
    matrix[:, :width] = candidates.keys.view(np.uint8).reshape(n, width)
    lengths = np.count_nonzero(matrix[:, :width], axis=1)
    rows = np.arange(n)
    matrix[rows, lengths] = ord("\t")
    matrix[rows, lengths + 1] = candidates.strata
    matrix[rows, lengths + 2] = ord("\n")
    flat = matrix.ravel()
    result: bytes = flat[flat != 0].tobytes()
    return result


def candidates_hash(candidates: Candidates) -> str:
    return hashlib.sha256(canonical_bytes(candidates)).hexdigest()


def parse_ratio(value: str | float | Decimal) -> Fraction:
    """A sampling ratio between 0 and 1, exact (given as text or a decimal, never a float sum)."""
    ratio = Fraction(Decimal(str(value)))
    if not 0 <= ratio <= 1:
        raise DrawInputError(f"抽查比例须在 0 到 1 之间：{value}")
    return ratio


def quota(count: int, ratio: Fraction) -> int:
    """How many of a stratum's ``count`` candidates are drawn: ``ceil(count × ratio)``."""
    return math.ceil(count * ratio)


def draw_subjects(
    candidates: Candidates, seed: str, ratios: Mapping[str, Fraction]
) -> npt.NDArray[np.int64]:
    """The drawn candidates' positions in the canonical list, ascending."""
    chosen: list[npt.NDArray[np.int64]] = []
    for stratum in STRATA:
        members = np.flatnonzero(candidates.strata == ord(stratum)).astype(np.int64)
        wanted = quota(members.size, ratios.get(stratum, Fraction(0)))
        if wanted == 0:
            continue
        ranks = np.arange(members.size, dtype=np.uint64)
        numbers = mix64(ranks + np.uint64(base(seed, f"stratum:{stratum}")))
        if wanted < members.size:
            # Stable sort on the numbers = ties broken by rank; argpartition first keeps the
            # sort small (only the drawn part is ordered).
            cut = np.argpartition(numbers, wanted - 1)[:wanted]
            threshold = numbers[cut].max()
            below = np.flatnonzero(numbers <= threshold)
            below = below[np.argsort(numbers[below], kind="stable")][:wanted]
            chosen.append(members[below])
        else:
            chosen.append(members)
    if not chosen:
        return np.empty(0, dtype=np.int64)
    return np.sort(np.concatenate(chosen))


@dataclass(frozen=True)
class InspectorPool:
    """The inspectors a draw may assign, in canonical order (by code)."""

    codes: tuple[str, ...]
    departments: tuple[str, ...]
    regions: tuple[str, ...]
    qualifications: tuple[frozenset[str], ...]

    @classmethod
    def of(cls, rows: Iterable[tuple[str, str, str, Iterable[str]]]) -> InspectorPool:
        ordered = sorted(rows, key=lambda r: r[0].encode("utf-8"))
        codes = tuple(r[0] for r in ordered)
        if len(set(codes)) != len(codes):
            raise DrawInputError("执法人员编号重复")
        if len(codes) >= MAX_INSPECTORS:
            raise DrawInputError("执法人员过多")
        return cls(
            codes,
            tuple(r[1] for r in ordered),
            tuple(r[2] for r in ordered),
            tuple(frozenset(r[3]) for r in ordered),
        )

    def index(self) -> dict[str, int]:
        return {code: j for j, code in enumerate(self.codes)}


@dataclass(frozen=True)
class Visit:
    """One drawn subject to visit: its region, what each department must check (the
    qualifications that department's inspectors need), and inspectors it must not get."""

    region: str
    needs: tuple[tuple[str, frozenset[str]], ...]  # (department, qualifications), by department
    excluded: frozenset[int] = field(default_factory=frozenset)  # inspector ranks


@dataclass(frozen=True)
class Assignment:
    """Inspectors (ranks, ascending) per department of a visit; a department whose team could not
    be made names why instead."""

    teams: dict[str, tuple[int, ...]]
    unassigned: dict[str, str]


def _region_prefixes(code: str) -> list[str]:
    return [code[:n] for n in (2, 4, 6, 9, 12) if n <= len(code)]


def assign(
    visits: Sequence[Visit], pool: InspectorPool, seed: str, team_size: int
) -> list[Assignment]:
    """Random teams of ``team_size`` per visit and department, from the inspectors who belong
    to that department, work in a region containing the subject's, hold every qualification
    needed, and are not excluded (conflict of interest, or on the business's last visit)."""
    if team_size < 1:
        raise DrawInputError("每组执法人员至少 1 人")
    if len(visits) >= MAX_VISITS:
        raise DrawInputError("检查户数过多")
    by_place: dict[tuple[str, str], list[int]] = {}
    for j, (dept, region) in enumerate(zip(pool.departments, pool.regions, strict=True)):
        by_place.setdefault((dept, region), []).append(j)
    groups: dict[tuple[str, str, frozenset[str]], list[int]] = {}
    for v, visit in enumerate(visits):
        for dept, quals in visit.needs:
            groups.setdefault((visit.region, dept, quals), []).append(v)
    results = [Assignment({}, {}) for _ in visits]
    start = np.uint64(base(seed, "assign"))
    shift = np.uint64(24)
    for (region, dept, quals), members in groups.items():
        eligible = sorted(
            j
            for prefix in _region_prefixes(region)
            for j in by_place.get((dept, prefix), ())
            if quals <= pool.qualifications[j]
        )
        rows = np.array(members, dtype=np.uint64)
        cols = np.array(eligible, dtype=np.uint64)
        numbers = mix64(start + (rows[:, None] << shift) + cols[None, :])
        valid = np.ones(numbers.shape, dtype=bool)
        for r, v in enumerate(members):
            excluded = visits[v].excluded
            if excluded:
                valid[r] = [j not in excluded for j in eligible]
        order = np.argsort(numbers, axis=1, kind="stable")
        valid_sorted = np.take_along_axis(valid, order, axis=1)
        taken = valid_sorted & (np.cumsum(valid_sorted, axis=1) <= team_size)
        full = taken.sum(axis=1) == team_size
        if full.any():
            picked = np.sort(cols[order[full][taken[full]].reshape(-1, team_size)], axis=1)
            for visit_no, team in zip(
                np.array(members)[full].tolist(), picked.tolist(), strict=True
            ):
                results[visit_no].teams[dept] = tuple(team)
        for r in np.flatnonzero(~full).tolist():
            results[members[r]].unassigned[dept] = _shortage(
                len(eligible), int(valid[r].sum()), team_size
            )
    return results


def _shortage(eligible: int, free: int, team_size: int) -> str:
    if free < eligible:
        return f"符合条件的执法人员 {eligible} 名，回避后剩 {free} 名，不足 {team_size} 名"
    return f"符合部门、区域和资格条件的执法人员仅 {eligible} 名，不足 {team_size} 名"
