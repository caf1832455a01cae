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
    """One row per business, with the hidden columns (field, propensity) the truth keeps."""
    n = scale.entities
    names, shares = field_shares()
    field_index = rng.choice(len(names), size=n, p=shares)
    # Guarantee every field of the policy exists even in a tiny province.
    for position, name in enumerate(names):
        if name != "general" and not (field_index == position).any():
            field_index[rng.integers(0, n)] = position
    fields = np.array(names)[field_index]
    individual_share = np.array([FIELDS[f].individual for f in names])[field_index]
    roll = rng.random(n)
    prefix = np.where(roll < individual_share, "92", np.where(roll > 0.995, "93", "91"))
    county_index, towns = geo.place(rng, n)
    counties = geo.counties[county_index]
    codes = make_codes(
        ascii_matrix(prefix.tolist(), 2),
        ascii_matrix(counties.tolist(), 6),
        serial_bodies(np.arange(n) + 1000),
    )
    trade = np.char.add(
        np.array(TRADE)[rng.integers(0, len(TRADE), n)],
        np.array(TRADE)[rng.integers(0, len(TRADE), n)],
    )
    word = np.empty(n, dtype=object)
    code = np.empty(n, dtype=object)
    for position, name in enumerate(names):
        where = np.flatnonzero(field_index == position)
        words, codes_of = FIELDS[name].words, FIELDS[name].codes
        word[where] = np.array(words)[rng.integers(0, len(words), len(where))]
        code[where] = np.array(codes_of)[rng.integers(0, len(codes_of), len(where))]
    word = word.astype(str)
    county_names = geo.county_names[county_index]
    city_names = geo.city_names[county_index]
    form = np.array(FORMS_COMPANY)[rng.integers(0, len(FORMS_COMPANY), n)]
    company_place = np.where(rng.random(n) < 0.5, city_names, np.char.add(city_names, county_names))
    company = np.char.add(np.char.add(np.char.add(company_place, trade), word), form)
    shop_like = (
        np.char.endswith(word, "店") | np.char.endswith(word, "部") | np.char.endswith(word, "馆")
    )
    shop_word = np.where(shop_like, word, np.char.add(word, "店"))
    individual = np.char.add(np.char.add(county_names, trade), shop_word)
    coop = np.char.add(np.char.add(county_names, trade), "种养殖专业合作社")
    name_col = np.where(prefix == "92", individual, np.where(prefix == "93", coop, company))
    # The name without place and legal form: how people refer to a business.
    short = np.char.add(trade, np.where(prefix == "92", shop_word, word))
    places = np.char.add(
        np.char.add(np.char.add("安徽省", city_names), county_names),
        np.vectorize(geo.town_names.get, otypes=[str])(towns),
    )
    size = rng.choice(np.array(["小", "中", "大"]), size=n, p=[0.85, 0.13, 0.02])
    capital = np.round(
        np.where(prefix == "92", rng.lognormal(2.0, 0.8, n), rng.lognormal(5.0, 1.2, n))
        * np.where(size == "大", 20, 1),
        2,
    )
    start_ord = date(2000, 1, 1).toordinal()
    registered = rng.integers(start_ord, scale.end.toordinal() - 30, n)
    # Hidden propensity to violate: most businesses rarely do, a few often (beta tail).
    propensity = rng.beta(1.3, 9.0, n)
    return pl.DataFrame(
        {
            "idx": np.arange(n, dtype=np.int64),
            "uscc": codes,
            "name": name_col,
            "short_name": short,
            "entity_type": np.vectorize(TYPE_LABEL.get, otypes=[str])(prefix),
            "region": towns,
            "county": counties,
            "industry_code": code.astype(str),
            "field": fields,
            "address": people.addresses(rng, places),
            "legal_rep": people.person_names(rng, n),
            "phone": people.phones(rng, n),
            "capital_wan": capital,
            "registered_on": days_to_dates(registered),
            "size": size,
            "propensity": propensity,
        }
    )
