"""Fictional names, phones and addresses, vectorised with polars (compact UTF-8 strings)."""

from __future__ import annotations

import numpy as np
import polars as pl

from lookthrough.synth.vocab import GIVEN, ROAD_KIND, ROADS, SURNAMES


def pick(rng: np.random.Generator, words: list[str], n: int) -> pl.Series:
    """n words drawn uniformly from a vocabulary."""
    return pl.Series(words).gather(rng.integers(0, len(words), n))


def person_names(rng: np.random.Generator, n: int) -> pl.Series:
    two = pl.Series(rng.random(n) < 0.7)
    frame = pl.DataFrame(
        {
            "s": pick(rng, SURNAMES, n),
            "a": pick(rng, GIVEN, n),
            "b": pick(rng, GIVEN, n),
            "two": two,
        }
    )
    name = pl.concat_str("s", "a", pl.when("two").then("b").otherwise(pl.lit("")))
    return frame.select(name).to_series().alias("name")


def phones(rng: np.random.Generator, n: int) -> pl.Series:
    frame = pl.DataFrame(
        {
            "p": pick(rng, ["13", "15", "17", "18", "19"], n),
            "r": pl.Series(rng.integers(0, 10**9, n)).cast(pl.String),
        }
    )
    return frame.select(pl.concat_str("p", pl.col("r").str.zfill(9))).to_series().alias("phone")


def addresses(rng: np.random.Generator, places: pl.Series) -> pl.Series:
    """places: "安徽省合肥市蜀山区三里庵街道" style prefixes, one per row."""
    n = len(places)
    frame = pl.DataFrame(
        {
            "place": places,
            "road": pick(rng, ROADS, n),
            "kind": pick(rng, ROAD_KIND, n),
            "no": pl.Series(rng.integers(1, 999, n)).cast(pl.String),
        }
    )
    return frame.select(pl.concat_str("place", "road", "kind", "no", pl.lit("号"))).to_series()
