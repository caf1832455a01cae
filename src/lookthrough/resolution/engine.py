"""Matching many mentions at once: the engine seam and the rule engine behind it.

An engine takes a table of businesses and a table of mentions (polars frames, whatever they were
read from: the database, a synthetic province's files, a spreadsheet) and returns each mention's
scored candidates. Two engines sit behind the seam: ``rules`` (blocking in polars, the pure
scorer of ``rules.py`` on each candidate) and ``splink`` (``splink_engine.py``: Splink's
probabilistic model, on DuckDB by default or on Spark).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import polars as pl

from lookthrough.resolution.blocking import (
    ALT_COLUMNS,
    DEFAULT_CAP,
    NAME_COLUMNS,
    candidate_pairs,
    name_columns,
    parts_from,
)
from lookthrough.resolution.places import shipped
from lookthrough.resolution.rules import (
    Candidate,
    Mention,
    Scored,
    Thresholds,
    compare,
    score_comparisons,
)

KEEP = 5  # candidates kept per mention (the review page shows them)
ENTITY_FIELDS = ("entity_id", "region_code", "name", "address", "phone", "legal_rep")
MENTION_FIELDS = ("key", "name", "region", "address", "phone", "legal_rep")
Progress = Callable[[int], None]  # called with the number of mentions just finished


def with_entity_names(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the normalised name columns to a table of businesses (when not already there)."""
    if "core" in frame.columns:
        return frame
    return frame.with_columns(
        pl.DataFrame(
            name_columns(frame["name"].to_list()), schema=dict.fromkeys(NAME_COLUMNS, pl.String)
        )
    )


def with_mention_names(frame: pl.DataFrame) -> pl.DataFrame:
    """Normalise the mention names and choose where to search for each."""
    columns = name_columns(frame["name"].to_list(), alternatives=True)
    names = pl.DataFrame(columns, schema=dict.fromkeys((*NAME_COLUMNS, *ALT_COLUMNS), pl.String))
    frame = frame.with_columns(names)
    return frame.with_columns(
        search_region=pl.struct("region", "regions").map_elements(
            lambda row: search_region(row["region"], row["regions"]), return_dtype=pl.String
        )
    )


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
    """Blocking in polars, then the rules of ``rules.py`` on every candidate pair."""

    cap: int = DEFAULT_CAP
    name: str = "rules"

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
        pairs = candidate_pairs(entities, mentions, cap=self.cap).pairs.sort("m", "e")
        e_rows = entities.select(*ENTITY_FIELDS, *NAME_COLUMNS).rows(named=True)
        m_rows = mentions.select(*MENTION_FIELDS, *NAME_COLUMNS, *ALT_COLUMNS).rows(named=True)
        places = shipped()
        results: dict[int, list[Scored]] = {}
        done = 0
        for (m,), group in pairs.group_by(["m"], maintain_order=True):
            row = m_rows[int(m)]
            mention = Mention(
                name=parts_from(row, raw=row["name"] or "", alt=True),
                region=row["region"],
                address=row["address"],
                phone=row["phone"],
                legal_rep=row["legal_rep"],
            )
            ids: list[int] = []
            comparisons = []
            for e in group["e"].to_list():
                er = e_rows[e]
                candidate = Candidate(
                    entity_id=int(er["entity_id"]),
                    name=parts_from(er, raw=er["name"] or ""),
                    region_code=er["region_code"],
                    address=er["address"],
                    phone=er["phone"],
                    legal_rep=er["legal_rep"],
                )
                ids.append(candidate.entity_id)
                comparisons.append(compare(mention, candidate, places))
            scored = score_comparisons(ids, comparisons, outside_share=thresholds.outside_share)
            if scored:
                results[int(m)] = scored[:KEEP]
            done += 1
            if progress and done % 1000 == 0:
                progress(1000)
        if progress:
            progress(mentions.height - done // 1000 * 1000)  # the rest, with those without pairs
        return results


def engine_named(name: str) -> Engine:
    if name == "rules":
        return RulesEngine()
    if name == "splink":
        from lookthrough.resolution.splink_engine import SplinkEngine

        return SplinkEngine()
    raise ValueError(name)


def best_of(scored: Sequence[Scored]) -> Scored | None:
    return scored[0] if scored else None
