"""Fictional names, phones and addresses, vectorised."""

from __future__ import annotations

import numpy as np
import polars as pl

from lookthrough.synth.vocab import GIVEN, ROAD_KIND, ROADS, SURNAMES


def person_names(rng: np.random.Generator, n: int) -> pl.Series:
    surname = np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)]
    first = np.array(GIVEN)[rng.integers(0, len(GIVEN), n)]
    second = np.array(GIVEN)[rng.integers(0, len(GIVEN), n)]
    two = rng.random(n) < 0.7
    return pl.Series(np.char.add(np.char.add(surname, first), np.where(two, second, "")))


def phones(rng: np.random.Generator, n: int) -> pl.Series:
    second = rng.choice(np.array(["3", "5", "7", "8", "9"]), n)
    rest = rng.integers(0, 10**9, n)
    return pl.Series(np.char.add(np.char.add("1", second), np.char.zfill(rest.astype(str), 9)))


def addresses(rng: np.random.Generator, places: np.ndarray) -> pl.Series:
    """places: "安徽省合肥市蜀山区三里庵街道" style prefixes, one per row."""
    n = len(places)
    road = np.char.add(
        np.array(ROADS)[rng.integers(0, len(ROADS), n)],
        np.array(ROAD_KIND)[rng.integers(0, len(ROAD_KIND), n)],
    )
    number = np.char.add(rng.integers(1, 999, n).astype(str), "号")
    return pl.Series(np.char.add(np.char.add(places.astype(str), road), number))
