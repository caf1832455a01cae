"""Candidate generation (blocking): which businesses a mention is compared with at all.

Comparing every mention with every business of a county is millions of comparisons per batch, so
candidates come from shared *keys* inside the mention's region, joined in polars:

* ``D`` keys — the name core and the core with one character deleted (SymSpell's deletion
  neighbourhood). Two cores one typo apart (德城粮油 / 德成粮油) always share one: this finds every
  exact and one-character match without comparing strings.
* ``T`` keys — the 字号 and the first two and three characters of the core, so that a mention
  that gives only the 字号 (味悦店) meets 味悦超市.
* ``S`` keys — the core by sound (衡齐五金 → heng qi wu jin), so that a homophone slip (恒齐五金)
  meets the business meant even when the deletion it shares with it (齐五金) is one of dozens.
* ``A`` keys — the road and house number of an address (团结路683号), so that a complaint that
  says where the business is meets the businesses there even when every name key it shares
  with them is too common to compare (a slip in a popular 字号, a bare 字号).

Keys are paired with the block: the county when the record names one, else its city, else the
province. A key shared by more than ``cap`` businesses of a block says too little to compare them
all (a real province has hundreds of 鑫源…); those businesses are still found through their other
keys.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from lookthrough.resolution.names import (
    ROAD_NUMBER_POLARS,
    NameParts,
    normalise_address,
    normalise_name,
)
from lookthrough.resolution.sounds import sounds

NAME_COLUMNS = ("clean", "core", "trade", "industry", "forms", "branch", "regions", "person")
ALT_COLUMNS = ("alt_core", "alt_trade", "alt_industry", "alt_regions")
ADDRESS_COLUMNS = ("address_clean", "address_road", "address_number")
DEFAULT_CAP = 60  # bench/RESULTS.md: 30 is 2.4x faster at province scale, at 0.976 precision


def address_columns(addresses: list[str | None]) -> dict[str, list[str]]:
    """The normalised parts of many addresses (``names.normalise_address``), as columns; an
    empty address gives empty parts."""
    columns: dict[str, list[str]] = {c: [] for c in ADDRESS_COLUMNS}
    for raw in addresses:
        parts = normalise_address(raw) if raw else None
        columns["address_clean"].append(parts.clean if parts else "")
        columns["address_road"].append(parts.road if parts else "")
        columns["address_number"].append(parts.number if parts else "")
    return columns


def name_columns(names: list[str], *, alternatives: bool = False) -> dict[str, list[str]]:
    """The normalised parts of many names, as columns (regions joined with ``|``)."""
    columns: dict[str, list[str]] = {c: [] for c in NAME_COLUMNS}
    if alternatives:
        columns |= {c: [] for c in ALT_COLUMNS}
    for raw in names:
        parts = normalise_name(raw or "")
        columns["clean"].append(parts.clean)
        columns["core"].append(parts.core)
        columns["trade"].append(parts.trade)
        columns["industry"].append(parts.industry)
        columns["forms"].append("|".join(parts.forms))
        columns["branch"].append(parts.branch)
        columns["regions"].append("|".join(parts.regions))
        columns["person"].append(parts.person)
        if alternatives:
            alt = parts.alternative
            columns["alt_core"].append(alt.core if alt else "")
            columns["alt_trade"].append(alt.trade if alt else "")
            columns["alt_industry"].append(alt.industry if alt else "")
            columns["alt_regions"].append("|".join(alt.regions) if alt else "")
    return columns


def parts_from(row: dict[str, str | None], *, raw: str = "", alt: bool = False) -> NameParts:
    """A name's parts rebuilt from its stored columns (no second normalisation)."""
    alternative = None
    if alt and row.get("alt_core"):
        alternative = NameParts(
            raw=raw,
            clean=row.get("clean") or "",
            core=row.get("alt_core") or "",
            trade=row.get("alt_trade") or "",
            industry=row.get("alt_industry") or "",
            forms=tuple(f for f in (row.get("forms") or "").split("|") if f),
            branch=row.get("branch") or "",
            regions=tuple(r for r in (row.get("alt_regions") or "").split("|") if r),
        )
    return NameParts(
        raw=raw,
        clean=row.get("clean") or "",
        core=row.get("core") or "",
        trade=row.get("trade") or "",
        industry=row.get("industry") or "",
        forms=tuple(f for f in (row.get("forms") or "").split("|") if f),
        branch=row.get("branch") or "",
        regions=tuple(r for r in (row.get("regions") or "").split("|") if r),
        person=row.get("person") or "",
        alternative=alternative,
    )


def address_key(address: pl.Expr) -> pl.Expr:
    """``A`` + road + number of an address, null when it has no numbered road."""
    found = address.str.extract_groups(ROAD_NUMBER_POLARS)
    road, number = found.struct.field("1"), found.struct.field("2")
    return pl.when(road.is_not_null() & number.is_not_null()).then(
        pl.concat_str(pl.lit("A"), road, number)
    )


def _deletions(core: pl.Expr, longest: int) -> list[pl.Expr]:
    keys = [pl.concat_str(pl.lit("D"), core)]
    for i in range(longest):
        dropped = pl.concat_str(core.str.slice(0, i), core.str.slice(i + 1))
        keys.append(
            pl.when(core.str.len_chars() > max(i, 2)).then(pl.concat_str(pl.lit("D"), dropped))
        )
    return keys


def _longest(values: pl.Series) -> int:
    found = values.str.len_chars().max()
    return int(found) if isinstance(found, int) else 0


def _exploded(frame: pl.DataFrame, keys: list[pl.Expr], idx: str) -> pl.DataFrame:
    # Hashed before the rows are made unique: comparing 64-bit hashes is cheaper than strings,
    # and the keys are joined on their hashes anyway. A record has one block, so (record, key)
    # is unique when (record, block, key) is.
    return (
        frame.select(idx, "block", key=pl.concat_list(keys))
        .explode("key")
        .drop_nulls("key")
        .with_columns(pl.col("key").hash())
        .unique(subset=[idx, "key"])
    )


def _in_block(rows: pl.DataFrame, idx: str, level: int) -> pl.DataFrame:
    """(idx, key) with the key made block-specific (its hash mixed with the block's): one
    64-bit column to count and join on instead of a hash and a string."""
    block = pl.col("block").str.slice(0, level).hash()
    return rows.select(idx, key=pl.col("key") ^ block)


def entity_key_rows(entities: pl.DataFrame) -> pl.DataFrame:
    """(key, block, e) rows for businesses, ``block`` being the whole region code: a business
    has one region, so the rows of any block level are these with the code cut short."""
    longest = _longest(entities["core"])
    core = pl.col("core")
    keys = [
        *_deletions(core, longest),
        pl.concat_str(pl.lit("T"), pl.col("trade")),
        pl.concat_str(pl.lit("T"), core.str.slice(0, 2)),
        pl.when(core.str.len_chars() > 3).then(pl.concat_str(pl.lit("T"), core.str.slice(0, 3))),
        address_key(pl.col("address")),
        pl.when(core.str.len_chars() > 2).then(pl.concat_str(pl.lit("S"), pl.col("sound"))),
    ]
    framed = entities.select("e", "core", "trade", "address", block=pl.col("region_code"))
    framed = framed.with_columns(sound=sounds(entities["core"]))
    return _exploded(framed, keys, "e")


def entity_keys(
    entities: pl.DataFrame, *, level: int, rows: pl.DataFrame | None = None
) -> pl.DataFrame:
    """(key, block, e) rows for businesses; ``level`` is the block's code length (6, 4 or 2)."""
    rows = entity_key_rows(entities) if rows is None else rows
    return rows.with_columns(pl.col("block").str.slice(0, level))


def mention_keys(mentions: pl.DataFrame, *, level: int) -> pl.DataFrame:
    """(key, block, m) rows for mentions whose region is given to ``level`` digits or more."""
    longest = _longest(pl.concat([mentions["core"], mentions["alt_core"]]))
    keys: list[pl.Expr] = []
    for core_name, industry in (("core", "industry"), ("alt_core", "alt_industry")):
        core = pl.col(core_name)
        keys += [pl.when(core != "").then(k) for k in _deletions(core, longest)]
        keys.append(
            pl.when((core != "") & (pl.col(industry) == "")).then(pl.concat_str(pl.lit("T"), core))
        )
        keys.append(
            pl.when(core.str.len_chars() > 2).then(
                pl.concat_str(pl.lit("S"), pl.col(f"{core_name}_sound"))
            )
        )
    keys.append(address_key(pl.col("address")))
    framed = mentions.select(
        "m", "core", "alt_core", "industry", "alt_industry", "address",
        block=pl.col("search_region").str.slice(0, level),
    )  # fmt: skip
    framed = framed.with_columns(
        core_sound=sounds(mentions["core"]), alt_core_sound=sounds(mentions["alt_core"])
    )
    return _exploded(framed, keys, "m")


@dataclass(frozen=True, slots=True)
class Pairs:
    pairs: pl.DataFrame  # m, e
    widened: pl.Series  # the mentions searched city-wide because their county had no candidate


class Blocker:
    """The businesses' keys, made once per block level and reused for every batch of mentions.

    ``entities``: e, region_code, core, trade, address. Keys shared by more than ``cap``
    businesses of a block are dropped here, once.
    """

    def __init__(self, entities: pl.DataFrame, *, cap: int = DEFAULT_CAP) -> None:
        self.entities = entities
        self.cap = cap
        self._keys: dict[int, pl.DataFrame] = {}
        self._rows: pl.DataFrame | None = None

    def keys(self, level: int) -> pl.DataFrame:
        if level not in self._keys:
            if self._rows is None:
                self._rows = entity_key_rows(self.entities)
            e_keys = _in_block(self._rows, "e", level)
            crowded = e_keys.group_by("key").len().filter(pl.col("len") > self.cap)
            self._keys[level] = e_keys.join(crowded, on="key", how="anti")
        return self._keys[level]

    def pairs(self, mentions: pl.DataFrame) -> Pairs:
        """Every (mention, business) pair sharing a key inside the mention's block.

        ``mentions``: m, search_region, core, industry, alt_core, alt_industry, address.
        Mentions with no candidate in their county are searched again in their city (a
        complaint handled by the neighbouring county).
        """
        found: list[pl.DataFrame] = []
        length = mentions["search_region"].str.len_chars()
        for level, chosen in ((6, length >= 6), (4, (length >= 4) & (length < 6)), (2, length < 4)):
            part = mentions.filter(chosen)
            if part.height:
                found.append(self._join(part, level=level))
        pairs = pl.concat(found) if found else pl.DataFrame(schema={"m": pl.Int64, "e": pl.Int64})
        county = mentions.filter(length >= 6)
        lonely = county.filter(~pl.col("m").is_in(pairs["m"].implode()))
        if lonely.height:
            pairs = pl.concat([pairs, self._join(lonely, level=4)])
        return Pairs(pairs=pairs.unique(), widened=lonely["m"])

    def _join(self, mentions: pl.DataFrame, *, level: int) -> pl.DataFrame:
        return (
            _in_block(mention_keys(mentions, level=level), "m", level)
            .join(self.keys(level), on="key", how="inner")
            .select(pl.col("m").cast(pl.Int64), pl.col("e").cast(pl.Int64))
            .unique()
        )


def candidate_pairs(
    entities: pl.DataFrame, mentions: pl.DataFrame, *, cap: int = DEFAULT_CAP
) -> Pairs:
    """``Blocker(entities).pairs(mentions)`` for a single batch."""
    return Blocker(entities, cap=cap).pairs(mentions)
