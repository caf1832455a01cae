"""Businesses: codes, names, places, people, industries and each one's hidden propensity."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from lookthrough.synth import people
from lookthrough.synth.codes import ascii_matrix, make_codes, serial_bodies
from lookthrough.synth.geography import Geography
from lookthrough.synth.scales import Scale
from lookthrough.synth.vocab import FIELDS, FIRST_TRADE_COUNT, FORMS_COMPANY, TRADE, trade_weights

GENERAL_SHARE = 1.0 - sum(f.share for f in FIELDS.values())
COOPERATIVE = "种养殖专业合作社"
TYPE_LABEL = {"91": "有限责任公司", "92": "个体工商户", "93": "农民专业合作社"}


EPOCH = date(1970, 1, 1).toordinal()


def days_to_dates(ordinals: np.ndarray) -> pl.Series:
    """Proleptic ordinals as a polars Date column (vectorised)."""
    return pl.Series((ordinals - EPOCH).astype(np.int32)).cast(pl.Date)


def field_shares() -> tuple[list[str], np.ndarray]:
    names = list(FIELDS)
    shares = np.array([FIELDS[f].share or GENERAL_SHARE for f in names])
    return names, shares / shares.sum()


def _trade_text(codes: np.ndarray) -> pl.Series:
    chars = pl.Series(TRADE)
    return pl.DataFrame({"a": chars.gather(codes[:, 0]), "b": chars.gather(codes[:, 1])}).select(
        pl.concat_str("a", "b")
    )["a"]


def _dense_ids(values: pl.Series) -> np.ndarray:
    return values.rank("dense").fill_null(0).cast(pl.Int64).to_numpy()


class _Taken:
    """Name keys already given out: a sorted array and the few added since (searched alike)."""

    def __init__(self, keys: np.ndarray) -> None:
        self.base = np.sort(keys)
        self.added = np.empty(0, dtype=np.int64)

    def has(self, keys: np.ndarray) -> np.ndarray:
        found = np.zeros(keys.size, dtype=bool)
        for known in (self.base, self.added):
            if known.size:
                at = np.minimum(np.searchsorted(known, keys), known.size - 1)
                found |= known[at] == keys
        return found

    def add(self, keys: np.ndarray) -> None:
        self.added = np.sort(np.concatenate([self.added, keys]))


def unique_names(
    frame: pl.DataFrame,
    codes: np.ndarray,
    rng: np.random.Generator,
    *,
    suffix: pl.Expr,
    company_suffix: pl.Expr,
    rounds: int = 200,
) -> pl.DataFrame:
    """Re-draw the 字号 of every business whose name is taken, until none is (企业名称登记管理规定:
    no two businesses of one registration authority share a name). 字号 + industry word is
    unique in the county, and 字号 + word + legal form in the city for companies registered
    with the city's name only. After a few rounds of the usual characters, the rest draw from
    all characters alike (rare 字号 are where free names are left).

    A name is a key of integers (place, words, 字号 code), so only the businesses still without
    a name are drawn and checked again, against sorted arrays of the keys given out."""
    width = np.int64(len(TRADE) ** 2)
    words = frame.select(
        county=pl.col("county_idx_").cast(pl.Int64),
        city=pl.col("city_name").rank("dense").cast(pl.Int64),
        suffix=suffix.str.strip_suffix("店"),  # 鑫源粮油店 and 鑫源粮油(有限公司) are one name
        company=pl.when((pl.col("kind") == 0) & pl.col("city_only")).then(company_suffix),
    )
    suffixes, companies = _dense_ids(words["suffix"]), _dense_ids(words["company"])
    assert suffixes.max() < 4096 and companies.max() < 65536
    short_base = (words["county"].to_numpy() * 4096 + suffixes) * width
    company = words["company"].is_not_null().to_numpy()
    company_base = (words["city"].to_numpy() * 65536 + companies) * width
    weights = trade_weights()

    def keys(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        code = codes[rows, 0].astype(np.int64) * len(TRADE) + codes[rows, 1]
        return short_base[rows] + code, np.where(company[rows], company_base[rows] + code, -1)

    def first(values: np.ndarray) -> np.ndarray:
        once = np.zeros(values.size, dtype=bool)
        once[np.unique(values, return_index=True)[1]] = True
        return once

    every = np.arange(len(frame))
    short_key, company_key = keys(every)
    ok = first(short_key) & (first(company_key) | ~company)
    taken_short, taken_company = _Taken(short_key[ok]), _Taken(company_key[ok & company])
    again = every[~ok]
    for round_ in range(rounds):
        if not again.size:
            return frame.with_columns(trade=_trade_text(codes))
        p = weights if round_ < 8 else None
        codes[again] = rng.choice(len(TRADE), size=(again.size, 2), p=p)
        short_key, company_key = keys(again)
        free = ~taken_short.has(short_key) & ~(company[again] & taken_company.has(company_key))
        free &= first(short_key) & (first(company_key) | ~company[again])
        taken_short.add(short_key[free])
        taken_company.add(company_key[free & company[again]])
        again = again[~free]
    raise RuntimeError(f"{again.size} businesses found no free name in {rounds} rounds")


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
    # The first provinces drew 字号 here from 64 characters; the draws are still made (and not
    # used) so that everything drawn after them is as it was. The 字号 now come from their own
    # stream, made unique where a name is registered (``unique_names``).
    rng.integers(0, FIRST_TRADE_COUNT, n)
    rng.integers(0, FIRST_TRADE_COUNT, n)
    trade_rng = np.random.default_rng(rng.bit_generator.seed_seq.spawn(1)[0])  # type: ignore[attr-defined]
    trade_codes = trade_rng.choice(len(TRADE), size=(n, 2), p=trade_weights()).astype(np.int16)
    frame = pl.DataFrame(
        {
            "idx": np.arange(n, dtype=np.int64),
            "uscc": codes,
            "kind": kind,
            "county_name": pl.Series(geo.county_names).gather(county_index),
            "city_name": pl.Series(geo.city_names).gather(county_index),
            "town_name": town_names.gather(town_index),
            "trade": _trade_text(trade_codes),
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
    # What follows the 字号 in the name people use (a cooperative is called by its full form).
    suffix = (
        pl.when(pl.col("kind") == 1)
        .then(shop_word)
        .when(pl.col("kind") == 2)
        .then(pl.lit(COOPERATIVE))
        .otherwise(pl.col("word"))
    )
    short_name = pl.concat_str("trade", suffix)
    full_name = (
        pl.when(pl.col("kind") == 0)
        .then(company)
        .otherwise(pl.concat_str("county_name", "trade", suffix))
    )
    frame = unique_names(
        frame.with_columns(county_idx_=pl.Series(county_index)),
        trade_codes,
        trade_rng,
        suffix=suffix.str.strip_suffix("店"),  # 鑫源粮油店 and 鑫源粮油(有限公司) are one name
        company_suffix=pl.concat_str(pl.col("word").str.strip_suffix("店"), "form"),
    ).drop("county_idx_")
    frame = frame.with_columns(
        name=full_name,
        # The name without place and legal form: how people refer to a business.
        short_name=short_name,
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
