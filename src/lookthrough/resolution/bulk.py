"""The rules of ``rules.py`` on many (mention, business) pairs at once, in polars.

``compare`` and ``score_comparisons`` decide one candidate at a time in Python: clear, and the
reference, but ~25 µs a pair, and a province's million mentions make tens of millions of pairs.
This module computes the same comparison levels, weights, supports and posteriors as columns
(string equality, prefix and containment in polars, edit distance and similarity in rapidfuzz's
C++ over whole columns), and builds ``Scored`` objects only for the few candidates kept per
mention. Each step cites the rule it mirrors; ``tests/resolution/test_resolution_bulk.py`` checks
the two agree, pair for pair.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import polars as pl
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cpdist

from lookthrough.resolution.blocking import ADDRESS_COLUMNS
from lookthrough.resolution.names import (
    AddressParts,
    normalise_address,
    normalise_person,
    normalise_phone,
)
from lookthrough.resolution.places import Places
from lookthrough.resolution.rules import (
    ADDRESS_WEIGHT,
    BRANCH_WEIGHT,
    CORE_OTHER_FORM,
    FUZZY_MIN,
    LIKELIHOOD,
    OUTSIDE_LIKELIHOOD,
    PERSON_WEIGHT,
    PHONE_WEIGHT,
    REGION_WEIGHT,
    SHOP_FORMS,
    SOUND_ALIKE,
    TOPIC_WEIGHT,
    Agreement,
    Comparison,
    NameLevel,
    Region,
    Scored,
    reasons,
)
from lookthrough.resolution.sounds import sounds_alike

MENTION_TEXT = ("clean", "core", "industry", "forms", "branch", "regions", "person", "alt_core",
                "alt_industry", "alt_regions", "region", "address", "phone",
                "legal_rep", "topics")  # fmt: skip
ENTITY_TEXT = ("clean", "core", "trade", "forms", "branch", "region_code", "address", "phone",
               "legal_rep", "field")  # fmt: skip
OPTIONAL = ("topics", "field")  # read as "" where a table has no such column (a spreadsheet)
ADDRESS_SIMILAR = 80  # rules.address_agreement: fuzz.ratio of the cleaned addresses


def score_pairs(
    pairs: pl.DataFrame,
    entities: pl.DataFrame,
    mentions: pl.DataFrame,
    *,
    outside_share: float,
    keep: int,
    places: Places,
    addresses: dict[str, AddressParts] | None = None,
) -> dict[int, list[Scored]]:
    """Each mention's best ``keep`` candidates among ``pairs`` (m, e), as ``score_comparisons``
    would rank them: by score (rounded to 4 places), then entity id; name disagreeing dropped.

    ``addresses`` remembers normalised addresses between calls (a business is a candidate in
    batch after batch)."""
    if not pairs.height:
        return {}
    frame = joined(pairs, entities, mentions)
    frame = compared(frame, places, {} if addresses is None else addresses)
    frame = weighed(frame, outside_share=outside_share)
    return best(frame, keep=keep)


def joined(pairs: pl.DataFrame, entities: pl.DataFrame, mentions: pl.DataFrame) -> pl.DataFrame:
    """The pairs with the texts both sides are compared on (null read as "", as ``parts_from``)."""

    def text(frame: pl.DataFrame, column: str) -> pl.Expr:
        if column in OPTIONAL and column not in frame.columns:
            return pl.lit("", pl.String).alias(column)
        return pl.col(column).fill_null("")

    m_cols = [text(mentions, c) for c in MENTION_TEXT]
    e_cols = [text(entities, c).alias(f"e_{c}") for c in ENTITY_TEXT]
    if set(ADDRESS_COLUMNS) <= set(entities.columns):  # taken apart already (entity_name_key)
        e_cols += [pl.col(c).fill_null("").alias(f"e_{c}") for c in ADDRESS_COLUMNS]
    return (
        pairs.select("m", "e")
        .join(mentions.select("m", *m_cols), on="m")
        .join(entities.select("e", "entity_id", *e_cols), on="e")
    )


def _distances(frame: pl.DataFrame, a: str, b: str, scorer: Any, **kw: float) -> pl.Series:
    found = cpdist(frame[a].to_list(), frame[b].to_list(), scorer=scorer, workers=1, **kw)  # type: ignore[call-overload]
    return pl.Series(found)


def _name_level(core: str, industry: str, lev: str, ratio: str) -> pl.Expr:
    """rules.name_level, for one reading of the mention's name."""
    a, b = pl.col(core), pl.col("e_core")
    la, lb = a.str.len_chars(), b.str.len_chars()
    shortest = pl.min_horizontal(la, lb)
    clean = pl.col("clean")
    trade = (pl.col(industry) == "") & (la >= 2) & ((a == pl.col("e_trade")) | b.str.starts_with(a))
    contains = b.str.contains(a, literal=True) | a.str.contains(b, literal=True)
    return (
        pl.when((clean != "") & (clean == pl.col("e_clean")))
        .then(int(NameLevel.FULL))
        .when(a == b)
        .then(int(NameLevel.CORE))
        .when((shortest >= 3) & (pl.col(lev) <= 1))
        .then(int(NameLevel.EDIT1))
        .when(trade)
        .then(int(NameLevel.TRADE))
        .when((shortest >= 3) & contains)
        .then(int(NameLevel.CONTAINS))
        .when(pl.col(ratio) >= FUZZY_MIN)
        .then(int(NameLevel.FUZZY))
        .otherwise(int(NameLevel.NONE))
    )


def _name(frame: pl.DataFrame) -> pl.DataFrame:
    """rules.compare's name: as written, or with a leading county stem read as a place when
    that agrees better (then the place reading's regions, and no operator's name)."""
    frame = frame.with_columns(
        lev=_distances(frame, "core", "e_core", Levenshtein.distance, score_cutoff=1),
        alt_lev=_distances(frame, "alt_core", "e_core", Levenshtein.distance, score_cutoff=1),
        ratio=_distances(frame, "core", "e_core", fuzz.ratio, score_cutoff=FUZZY_MIN),
        alt_ratio=_distances(frame, "alt_core", "e_core", fuzz.ratio, score_cutoff=FUZZY_MIN),
    )
    frame = frame.with_columns(
        level=_name_level("core", "industry", "lev", "ratio"),
        alt_level=pl.when(pl.col("alt_core") != "").then(
            _name_level("alt_core", "alt_industry", "alt_lev", "alt_ratio")
        ),
    )
    as_place = pl.col("alt_level").fill_null(-1) > pl.col("level")
    return frame.with_columns(
        as_place=as_place,
        level=pl.max_horizontal("level", pl.col("alt_level").fill_null(-1)),
        reading_regions=pl.when(as_place).then("alt_regions").otherwise("regions"),
        reading_person=pl.when(as_place).then(pl.lit("")).otherwise("person"),
    ).drop("lev", "alt_lev", "ratio", "alt_ratio", "alt_level")


def _code_lengths(places: Places) -> list[int]:
    return sorted({len(c) for c in places.valid_codes if len(c) > 2})


def _region(places: Places) -> pl.Expr:
    """rules.region_level: a place the name names must contain the business; then how near the
    business is to the record's region (common prefix of the codes)."""
    named = (
        pl.col("reading_regions")
        .str.split("|")
        .list.eval(pl.element().filter(pl.element().str.len_chars() > 2))
    )
    code = pl.col("e_region_code")
    prefixes = pl.concat_list([code.str.slice(0, n) for n in _code_lengths(places)])
    conflict = (named.list.len() > 0) & (named.list.set_intersection(prefixes).list.len() == 0)
    region = pl.col("region")

    def shared(n: int) -> pl.Expr:
        return (
            (region.str.len_chars() >= n)
            & (code.str.len_chars() >= n)
            & (region.str.slice(0, n) == code.str.slice(0, n))
        )

    return (
        pl.when(conflict)
        .then(int(Region.CONFLICT))
        .when(region == "")
        .then(int(Region.UNKNOWN))
        .when(shared(9))
        .then(int(Region.TOWN))
        .when(shared(6))
        .then(int(Region.COUNTY))
        .when(shared(4))
        .then(int(Region.CITY))
        .otherwise(int(Region.PROVINCE))
    )


def _address(frame: pl.DataFrame, places: Places, known: dict[str, AddressParts]) -> pl.Series:
    """rules.address_agreement: road and number, same road, else similar cleaned text. The
    businesses' addresses are read taken apart when the frame has them (``e_address_clean`` …)."""
    both = (pl.col("address") != "") & (pl.col("e_address") != "")
    stored = [f"e_{c}" for c in ADDRESS_COLUMNS]
    taken_apart = set(stored) <= set(frame.columns)
    pending = frame.select(
        "address", "e_address", *(stored if taken_apart else ()), row=pl.int_range(pl.len())
    ).filter(both)
    agreement = pl.Series("address", [int(Agreement.MISSING)] * frame.height, pl.Int64)
    if not pending.height:
        return agreement
    sides = [pending["address"]] if taken_apart else [pending["address"], pending["e_address"]]
    texts = pl.concat(sides).unique().to_list()
    for text in texts:
        if text not in known:
            known[text] = normalise_address(text, places)
    parts = [known[t] for t in texts]
    table = pl.DataFrame(
        {
            "text": texts,
            "clean": [p.clean for p in parts],
            "road": [p.road for p in parts],
            "number": [p.number for p in parts],
        }
    )
    pending = pending.join(table, left_on="address", right_on="text")
    if taken_apart:
        pending = pending.rename(dict(zip(stored, ("clean_e", "road_e", "number_e"), strict=True)))
    else:
        pending = pending.join(table, left_on="e_address", right_on="text", suffix="_e")
    similar = _distances(pending, "clean", "clean_e", fuzz.ratio, score_cutoff=ADDRESS_SIMILAR)
    road = (pl.col("road") != "") & (pl.col("road") == pl.col("road_e"))
    number = (pl.col("number") != "") & (pl.col("number") == pl.col("number_e"))
    done = pending.with_columns(similar=similar).select(
        "row",
        agreement=pl.when(road & number)
        .then(int(Agreement.SAME))
        .when(road)
        .then(int(Agreement.SAME_ROAD))
        .when(pl.col("similar") >= ADDRESS_SIMILAR)
        .then(int(Agreement.SIMILAR))
        .otherwise(int(Agreement.DIFFERENT)),
    )
    return agreement.scatter(done["row"], done["agreement"])


def _mapped(series: pl.Series, how: Callable[[str], str]) -> pl.Series:
    """A pure function of one text, applied once per distinct text."""
    distinct = series.unique().to_list()
    table = dict(zip(distinct, [how(t) for t in distinct], strict=True))
    return series.replace_strict(table, return_dtype=pl.String)


def _beside(frame: pl.DataFrame, ours: str, theirs: str) -> pl.Series:
    """The business's text where the mention's is not empty, else ""."""
    return frame.select(
        pl.when(pl.col(ours) != "").then(theirs).otherwise(pl.lit("")).alias(theirs)
    ).to_series()


def _phone(frame: pl.DataFrame) -> pl.Expr:
    """rules.phone_agreement: the same number, or the same last eight digits."""
    a, b = pl.col("phone_n"), pl.col("e_phone_n")
    la, lb = a.str.len_chars(), b.str.len_chars()
    same = (a == b) | ((la >= 8) & (lb >= 8) & (a.str.slice(-8) == b.str.slice(-8)))
    return (
        pl.when((pl.col("phone") == "") | (pl.col("e_phone") == "") | (la < 7) | (lb < 7))
        .then(int(Agreement.MISSING))
        .when(same)
        .then(int(Agreement.SAME))
        .otherwise(int(Agreement.DIFFERENT))
    )


def _person() -> pl.Expr:
    """rules.person_agreement on the legal representative, else the operator named in the name."""
    a, b = pl.col("person_n"), pl.col("e_person_n")
    return (
        pl.when((a == "") | (b == ""))
        .then(int(Agreement.MISSING))
        .when(a == b)
        .then(int(Agreement.SAME))
        .otherwise(int(Agreement.DIFFERENT))
    )


def _branch() -> pl.Expr:
    """rules.branch_agreement."""
    a, b = pl.col("branch"), pl.col("e_branch")
    return (
        pl.when(a == "")
        .then(int(Agreement.MISSING))
        .when(b == "")
        .then(int(Agreement.SIMILAR))
        .when(a == b)
        .then(int(Agreement.SAME))
        .otherwise(int(Agreement.DIFFERENT))
    )


def _topic() -> pl.Expr:
    """rules.topic_agreement: the business's field among the fields the text's topics name."""
    topics, field = pl.col("topics"), pl.col("e_field")
    return (
        pl.when((topics == "") | (field == ""))
        .then(int(Agreement.MISSING))
        .when(topics.str.contains(pl.concat_str(pl.lit("|"), field, pl.lit("|")), literal=True))
        .then(int(Agreement.SAME))
        .otherwise(int(Agreement.DIFFERENT))
    )


def _other_form() -> pl.Expr:
    """rules.compare's other_form: the mention names a legal form (not 店) the business lacks."""
    forms = (
        pl.col("forms")
        .str.split("|")
        .list.eval(
            pl.element().filter((pl.element() != "") & ~pl.element().is_in(sorted(SHOP_FORMS)))
        )
    )
    return forms.list.set_difference(pl.col("e_forms").str.split("|")).list.len() > 0


def _homophones(frame: pl.DataFrame) -> pl.Series:
    """rules.compare's homophone: a one-character difference between characters that sound
    alike, in the reading of the mention that was kept. Looked at only for EDIT1 pairs."""
    at = frame.select((pl.col("level") == int(NameLevel.EDIT1)).arg_true()).to_series()
    used = frame.select(pl.when("as_place").then("alt_core").otherwise("core")).to_series()
    ours, theirs = used.gather(at).to_list(), frame["e_core"].gather(at).to_list()
    found = [sounds_alike(a, b) for a, b in zip(ours, theirs, strict=True)]
    flags = pl.Series("homophone", [False] * frame.height, dtype=pl.Boolean)
    return flags.scatter(at, pl.Series(found, dtype=pl.Boolean)) if found else flags


def compared(
    frame: pl.DataFrame, places: Places, addresses: dict[str, AddressParts]
) -> pl.DataFrame:
    """Every field of ``rules.Comparison`` as an integer (or boolean) column."""
    frame = _name(frame).filter(pl.col("level") > 0)  # score_comparisons drops the rest
    person = pl.when(pl.col("legal_rep") != "").then("legal_rep").otherwise("reading_person")
    frame = frame.with_columns(
        phone_n=_mapped(frame["phone"], normalise_phone),
        person_n=_mapped(frame.select(person).to_series(), normalise_person),
        address_level=_address(frame, places, addresses),
    )
    # A business's phone and person only matter beside a mention's (else the agreement is
    # MISSING whatever they are): most mentions give neither, so most are never normalised.
    frame = frame.with_columns(
        e_phone_n=_mapped(_beside(frame, "phone", "e_phone"), normalise_phone),
        e_person_n=_mapped(_beside(frame, "person_n", "e_legal_rep"), normalise_person),
    )
    return frame.with_columns(
        region_level=_region(places),
        phone_level=_phone(frame),
        person_level=_person(),
        branch_level=_branch(),
        topic_level=_topic(),
        other_form=_other_form(),
        homophone=_homophones(frame),
    )


def _weight(column: str, weights: Mapping[Any, tuple[float, str]]) -> pl.Expr:
    table = {int(k): w for k, (w, said) in weights.items() if said}
    return pl.col(column).replace_strict(table, default=0.0, return_dtype=pl.Float64)


def weighed(frame: pl.DataFrame, *, outside_share: float) -> pl.DataFrame:
    """rules.evidence, support and posterior, per pair and per mention."""
    weight = (
        _weight("region_level", REGION_WEIGHT)
        + _weight("address_level", ADDRESS_WEIGHT)
        + _weight("phone_level", PHONE_WEIGHT)
        + _weight("person_level", PERSON_WEIGHT)
        + _weight("branch_level", BRANCH_WEIGHT)
        + _weight("topic_level", TOPIC_WEIGHT)
    )
    likelihood = (
        pl.when((pl.col("level") == int(NameLevel.CORE)) & pl.col("other_form"))
        .then(CORE_OTHER_FORM)
        .when(pl.col("homophone"))
        .then(SOUND_ALIKE)
        .otherwise(pl.col("level").replace_strict({int(k): v for k, v in LIKELIHOOD.items()},
                                                  return_dtype=pl.Float64))
    )  # fmt: skip
    inside = 1.0 - outside_share
    frame = frame.with_columns(support=likelihood * pl.lit(2.0).pow(weight))
    total = inside * pl.col("support").sum().over("m") + outside_share * OUTSIDE_LIKELIHOOD
    return frame.with_columns(
        score=pl.when(total > 0).then(inside * pl.col("support") / total).otherwise(0.0),
        peers=pl.len().over("m", "level", "homophone"),
    )


def best(frame: pl.DataFrame, *, keep: int) -> dict[int, list[Scored]]:
    """The top ``keep`` of each mention as ``Scored``; ranked again in Python on Python-rounded
    scores, from a few spare rows, so that rounding in polars cannot change the order."""
    spare = keep + 3
    top = (
        frame.with_columns(rounded=pl.col("score").round(4))
        .sort("m", "rounded", "entity_id", descending=[False, True, False])
        .group_by("m", maintain_order=True)
        .head(spare)
    )
    columns = ("m", "entity_id", "score", "level", "region_level", "address_level", "phone_level",
               "person_level", "branch_level", "as_place", "other_form", "homophone",
               "topic_level", "peers")  # fmt: skip
    results: dict[int, list[Scored]] = {}
    for row in top.select(columns).iter_rows():
        m, entity_id, score, *fields, peers = row
        results.setdefault(m, []).append(_scored(entity_id, round(score, 4), tuple(fields), peers))
    for found in results.values():
        found.sort(key=lambda s: (-s.score, s.entity_id))
        del found[keep:]
    return results


def _scored(entity_id: int, score: float, fields: tuple[int | bool, ...], peers: int) -> Scored:
    comparison = _comparison(fields)
    return Scored(entity_id=entity_id, score=score, comparison=comparison,
                  reasons=list(_reasons(comparison, peers)))  # fmt: skip


@cache
def _comparison(fields: tuple[int | bool, ...]) -> Comparison:
    level, region, address, phone, person, branch, as_place, other_form, homophone, topic = fields
    return Comparison(
        name=NameLevel(level), region=Region(region), address=Agreement(address),
        phone=Agreement(phone), person=Agreement(person), branch=Agreement(branch),
        read_as_place=bool(as_place), other_form=bool(other_form), homophone=bool(homophone),
        topic=Agreement(topic),
    )  # fmt: skip


@cache
def _reasons(comparison: Comparison, peers: int) -> tuple[str, ...]:
    return tuple(reasons(comparison, peers=peers))
