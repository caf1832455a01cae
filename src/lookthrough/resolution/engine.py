"""Matching many mentions at once: the engine seam and the rule engine behind it.

An engine takes a table of businesses and a table of mentions (polars frames, whatever they were
read from: the database, a synthetic province's files, a spreadsheet) and returns each mention's
scored candidates. Two engines sit behind the seam: ``rules`` (blocking in polars, then the
rules of ``rules.py`` on every candidate, computed in bulk by ``bulk.py``) and ``splink``
(``splink_engine.py``: Splink's probabilistic model, on DuckDB by default or on Spark).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import polars as pl
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cpdist

from lookthrough.resolution.blocking import (
    ADDRESS_COLUMNS,
    ALT_COLUMNS,
    DEFAULT_CAP,
    NAME_COLUMNS,
    Blocker,
    address_columns,
    name_columns,
)
from lookthrough.resolution.bulk import score_pairs
from lookthrough.resolution.names import AddressParts, address_in_text
from lookthrough.resolution.places import shipped
from lookthrough.resolution.rules import Scored, Thresholds
from lookthrough.resolution.topics import business_field, topic_fields

KEEP = 5  # candidates kept per mention (the review page shows them)
ENTITY_FIELDS = ("entity_id", "region_code", "name", "address", "phone", "legal_rep")
MENTION_FIELDS = ("key", "name", "region", "address", "phone", "legal_rep")
Progress = Callable[[int], None]  # called with the number of mentions just finished


def with_entity_names(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the normalised name and address columns to a table of businesses (when not already
    there), and each one's supervised field when the table has its industry code."""
    if "industry_code" in frame.columns and "field" not in frame.columns:
        codes = frame["industry_code"].fill_null("")
        distinct = codes.unique().to_list()
        fields = {c: business_field(c) for c in distinct}
        frame = frame.with_columns(
            field=codes.replace_strict(fields, return_dtype=pl.String, default="")
        )
    if "address" in frame.columns and "address_clean" not in frame.columns:
        parts = address_columns(frame["address"].to_list())
        frame = frame.with_columns(
            pl.DataFrame(parts, schema=dict.fromkeys(ADDRESS_COLUMNS, pl.String))
        )
    if "core" in frame.columns:
        return frame
    return frame.with_columns(
        pl.DataFrame(
            name_columns(frame["name"].to_list()), schema=dict.fromkeys(NAME_COLUMNS, pl.String)
        )
    )


def with_mention_names(frame: pl.DataFrame) -> pl.DataFrame:
    """Normalise the mention names and choose where to search for each. When the records'
    ``text`` is there, a mention with no address of its own takes the one the text gives, and
    the text's topics (``topics``) are kept; the text itself is dropped."""
    if "text" in frame.columns:
        topics = [topic_fields(t, n) for t, n in zip(frame["text"], frame["name"], strict=True)]
        frame = with_text_addresses(frame).with_columns(topics=pl.Series(topics, dtype=pl.String))
    columns = name_columns(frame["name"].to_list(), alternatives=True)
    names = pl.DataFrame(columns, schema=dict.fromkeys((*NAME_COLUMNS, *ALT_COLUMNS), pl.String))
    frame = frame.with_columns(names)
    return frame.with_columns(
        search_region=pl.struct("region", "regions").map_elements(
            lambda row: search_region(row["region"], row["regions"]), return_dtype=pl.String
        )
    )


def with_text_addresses(frame: pl.DataFrame) -> pl.DataFrame:
    """Fill empty addresses with the road and house number written in the text, and drop it."""
    given = frame["address"].to_list() if "address" in frame.columns else [None] * frame.height
    texts = frame["text"].to_list()
    filled = [a if a else address_in_text(t) for a, t in zip(given, texts, strict=True)]
    return frame.drop("text").with_columns(address=pl.Series(filled, dtype=pl.String))


def search_region(region: str | None, named: str | None) -> str:
    """Where to look: the record's region, narrowed to the one place the name itself names
    when that lies inside it (a province-level record about “郎溪县德成粮油店”)."""
    base = region or "34"
    places = [p for p in (named or "").split("|") if p]
    inside = [p for p in places if p.startswith(base) and len(p) > len(base)]
    counties = {p[:6] for p in inside if len(p) >= 6}
    if len(counties) == 1:
        return counties.pop()
    cities = {p[:4] for p in inside}
    if len(cities) == 1 and len(base) < 4:
        return cities.pop()
    return base


class Engine(Protocol):
    name: str

    def match(
        self,
        entities: pl.DataFrame,
        mentions: pl.DataFrame,
        thresholds: Thresholds,
        *,
        progress: Progress | None = None,
    ) -> dict[int, list[Scored]]:
        """Scored candidates (best first, at most KEEP) for each mention row number ``m``."""
        ...


@dataclass
class RulesEngine:
    """Blocking in polars, then the rules of ``rules.py`` on every candidate pair (in bulk:
    ``bulk.py``)."""

    cap: int = DEFAULT_CAP
    name: str = "rules"
    batch: int = 50_000  # mentions blocked and scored at a time (bounds the pairs in memory)

    def match(
        self,
        entities: pl.DataFrame,
        mentions: pl.DataFrame,
        thresholds: Thresholds,
        *,
        progress: Progress | None = None,
    ) -> dict[int, list[Scored]]:
        entities = entities.with_row_index("e")
        mentions = mentions.with_row_index("m")
        blocker = Blocker(entities, cap=self.cap)
        places = shipped()
        results: dict[int, list[Scored]] = {}
        addresses: dict[str, AddressParts] = {}  # normalised once per match, not per batch
        for start in range(0, mentions.height, self.batch):
            part = mentions.slice(start, self.batch)
            pairs = promising(blocker.pairs(part).pairs, entities, part)
            results |= score_pairs(pairs, entities, part, outside_share=thresholds.outside_share,
                                   keep=KEEP, places=places, addresses=addresses)  # fmt: skip
            if progress:
                progress(part.height)
        return results


LOOSE_KEEP = 10  # pairs kept for a mention that has no candidate agreeing on 字号 or better


def promising(pairs: pl.DataFrame, entities: pl.DataFrame, mentions: pl.DataFrame) -> pl.DataFrame:
    """The pairs worth the full comparison, chosen in bulk.

    A pair whose name agrees at least on the 字号 (same core, one character apart, or the
    mention being the 字号) is kept; the rest of a mention's pairs agree only loosely (名称相近)
    and weigh next to nothing beside those, so they are kept only for mentions with no such
    pair — the ten closest.
    """
    if not pairs.height:
        return pairs
    joined = pairs.join(
        mentions.select("m", "clean", "core", "alt_core", "industry", "alt_industry"),
        on="m",
    ).join(entities.select("e", e_clean="clean", e_core="core", e_trade="trade"), on="e")
    lev = cpdist(joined["core"].to_list(), joined["e_core"].to_list(),
                 scorer=Levenshtein.distance, workers=1)  # fmt: skip
    alt_lev = cpdist(joined["alt_core"].to_list(), joined["e_core"].to_list(),
                     scorer=Levenshtein.distance, workers=1)  # fmt: skip

    def trade_only(core: str, industry: str) -> pl.Expr:
        c = pl.col(core)
        return (
            (c != "")
            & (pl.col(industry) == "")
            & ((c == pl.col("e_trade")) | pl.col("e_core").str.starts_with(c))
        )

    close = (
        (pl.col("clean") == pl.col("e_clean"))
        | (pl.col("core") == pl.col("e_core"))
        | (pl.col("alt_core") == pl.col("e_core"))
        | ((pl.col("lev") <= 1) & (pl.col("core").str.len_chars() >= 3))
        | ((pl.col("alt_lev") <= 1) & (pl.col("alt_core").str.len_chars() >= 3))
        | trade_only("core", "industry")
        | trade_only("alt_core", "alt_industry")
    )
    marked = joined.with_columns(lev=pl.Series(lev), alt_lev=pl.Series(alt_lev)).with_columns(
        close=close
    )
    has_close = marked.group_by("m").agg(pl.col("close").any().alias("any_close"))
    marked = marked.join(has_close, on="m")
    kept = marked.filter(pl.col("close"))
    loose = (
        marked.filter(~pl.col("any_close"))
        .sort("m", "lev", "e")
        .group_by("m", maintain_order=True)
        .head(LOOSE_KEEP)
    )
    return pl.concat([kept.select("m", "e"), loose.select("m", "e")])


def engine_named(name: str) -> Engine:
    if name == "rules":
        return RulesEngine()
    if name == "splink":
        from lookthrough.resolution.splink_engine import SplinkEngine

        return SplinkEngine()
    raise ValueError(name)


def best_of(scored: Sequence[Scored]) -> Scored | None:
    return scored[0] if scored else None
