"""Businesses: codes, names, places, people, industries and each one's hidden propensity."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from lookthrough.synth import people
from lookthrough.synth.codes import ascii_matrix, make_codes, serial_bodies
from lookthrough.synth.geography import Geography
from lookthrough.synth.scales import Scale
from lookthrough.synth.vocab import FIELDS, FORMS_COMPANY, TRADE

GENERAL_SHARE = 1.0 - sum(f.share for f in FIELDS.values())
TYPE_LABEL = {"91": "有限责任公司", "92": "个体工商户", "93": "农民专业合作社"}


EPOCH = date(1970, 1, 1).toordinal()


def days_to_dates(ordinals: np.ndarray) -> pl.Series:
    """Proleptic ordinals as a polars Date column (vectorised)."""
    return pl.Series((ordinals - EPOCH).astype(np.int32)).cast(pl.Date)


def field_shares() -> tuple[list[str], np.ndarray]:
    names = list(FIELDS)
    shares = np.array([FIELDS[f].share or GENERAL_SHARE for f in names])
    return names, shares / shares.sum()


def build(rng: np.random.Generator, scale: Scale, geo: Geography) -> pl.DataFrame:
    """One row per business, with the hidden columns (field, propensity) the truth keeps.

    Choices are drawn as integer indices with numpy and turned into text with polars, whose
    UTF-8 strings take a third of numpy's fixed-width ones (7.5M businesses fit in memory).
    """
    n = scale.entities
    names, shares = field_shares()
    field_index = rng.choice(len(names), size=n, p=shares)
    # Guarantee every field of the policy exists even in a tiny province.
    for position, name in enumerate(names):
        if name != "general" and not (field_index == position).any():
            field_index[rng.integers(0, n)] = position
    individual_share = np.array([FIELDS[f].individual for f in names])[field_index]
    roll = rng.random(n)
    kind = np.where(roll < individual_share, 1, np.where(roll > 0.995, 2, 0)).astype(np.int8)
    prefixes = np.array(["91", "92", "93"])
    county_index, town_index = geo.place(rng, n)
    codes = make_codes(
        ascii_matrix(prefixes[kind].tolist(), 2),
        ascii_matrix(geo.counties[county_index].tolist(), 6),
        serial_bodies(np.arange(n) + 1000),
    )
    # Per-field vocabularies flattened into one list; each business picks within its field.
    words_all: list[str] = []
    codes_all: list[str] = []
    word_base, word_len, code_base, code_len = [], [], [], []
    for name in names:
        spec = FIELDS[name]
        word_base.append(len(words_all))
        word_len.append(len(spec.words))
        code_base.append(len(codes_all))
        code_len.append(len(spec.codes))
        words_all += spec.words
        codes_all += spec.codes
    u = rng.random((n, 2))
    word_pick = np.array(word_base)[field_index] + (
        u[:, 0] * np.array(word_len)[field_index]
    ).astype(np.int64)
    code_pick = np.array(code_base)[field_index] + (
        u[:, 1] * np.array(code_len)[field_index]
    ).astype(np.int64)
    town_names = pl.Series([geo.town_names.get(t, "") for t in geo.all_towns])
    towns = pl.Series(geo.all_towns).gather(town_index)
    trade = (
        pl.DataFrame({"a": people.pick(rng, TRADE, n), "b": people.pick(rng, TRADE, n)})
        .select(pl.concat_str("a", "b"))
        .to_series()
    )
    frame = pl.DataFrame(
        {
            "idx": np.arange(n, dtype=np.int64),
            "uscc": codes,
            "kind": kind,
            "county_name": pl.Series(geo.county_names).gather(county_index),
            "city_name": pl.Series(geo.city_names).gather(county_index),
            "town_name": town_names.gather(town_index),
            "trade": trade,
            "word": pl.Series(words_all).gather(word_pick),
            "form": people.pick(rng, FORMS_COMPANY, n),
            "city_only": rng.random(n) < 0.5,
            "region": towns,
            "county": pl.Series(geo.counties).gather(county_index),
            "industry_code": pl.Series(codes_all).gather(code_pick),
            "field": pl.Series(names).gather(field_index),
        }
    )
    shop_word = (
        pl.when(pl.col("word").str.contains("[店部馆]$"))
        .then(pl.col("word"))
        .otherwise(pl.concat_str("word", pl.lit("店")))
    )
    company = pl.concat_str(
        pl.when("city_only").then("city_name").otherwise(pl.concat_str("city_name", "county_name")),
        "trade",
        pl.col("word").str.strip_suffix("店"),  # 五金店 → 五金有限公司
        "form",
    )
    frame = frame.with_columns(
        name=pl.when(pl.col("kind") == 1)
        .then(pl.concat_str("county_name", "trade", shop_word))
        .when(pl.col("kind") == 2)
        .then(pl.concat_str("county_name", "trade", pl.lit("种养殖专业合作社")))
        .otherwise(company),
        # The name without place and legal form: how people refer to a business.
        short_name=pl.concat_str(
            "trade", pl.when(pl.col("kind") == 1).then(shop_word).otherwise(pl.col("word"))
        ),
        entity_type=pl.Series([TYPE_LABEL[p] for p in prefixes]).gather(kind),
        place=pl.concat_str(pl.lit("安徽省"), "city_name", "county_name", "town_name"),
    )
    size = rng.choice(3, size=n, p=[0.85, 0.13, 0.02])
    capital = np.round(
        np.where(kind == 1, rng.lognormal(2.0, 0.8, n), rng.lognormal(5.0, 1.2, n))
        * np.where(size == 2, 20, 1),
        2,
    )
    registered = rng.integers(date(2000, 1, 1).toordinal(), scale.end.toordinal() - 30, n)
    return frame.select(
        "idx",
        "uscc",
        "name",
        "short_name",
        "entity_type",
        "region",
        "county",
        "industry_code",
        "field",
        # Numeric twins of county and field, for the millions-long arrays of later steps.
        county_idx=pl.Series(county_index.astype(np.int16)),
        field_idx=pl.Series(field_index.astype(np.int8)),
        address=people.addresses(rng, frame["place"]),
        legal_rep=people.person_names(rng, n),
        phone=people.phones(rng, n),
        capital_wan=capital,
        registered_on=days_to_dates(registered),
        size=pl.Series(["小", "中", "大"]).gather(size),
        # Hidden propensity to violate: most businesses rarely do, a few often (beta tail).
        propensity=rng.beta(1.3, 9.0, n),
    )
