"""One city of ``resolve_speed.py``: read its businesses, index them, resolve its mentions, score.

Run in a fresh worker process per city (``spawn``, one task per child), so that each city's peak
memory (VmHWM) is its own and everything it held is given back before the next.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from lookthrough.resolution import blocking, lexicon, names, places
from lookthrough.resolution.blocking import (
    ADDRESS_COLUMNS,
    NAME_COLUMNS,
    address_columns,
    entity_keys,
    mention_keys,
    name_columns,
)
from lookthrough.resolution.engine import engine_named, with_entity_names, with_mention_names
from lookthrough.resolution.rules import Thresholds, status_for

ENTITY_COLUMNS = {"统一社会信用代码": "uscc", "主体名称": "name", "所属区划代码": "region_code",
                  "住所": "address", "联系电话": "phone", "法定代表人": "legal_rep",
                  "行业代码": "industry_code"}  # fmt: skip
PROVINCE = "34"
# Auto-link thresholds tallied beside the configured one, to show what each would trade.
SWEEP = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


@dataclass(frozen=True)
class Job:
    city: str  # a city's 4 digits, or "34": the mentions searched across the province
    entities: Path  # parquet: entity_id + ENTITY_COLUMNS' values
    mentions: Path  # parquet: the sample, with its search city and the truth
    cache: Path  # folder of normalised-name indexes, one file per city
    engine: str
    profile: Path | None = None


def cpu() -> float:
    """CPU seconds used so far by this process and its finished children (user + system)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def peak_rss_gb() -> float:
    """VmHWM: this process's peak resident memory."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 2**20, 2)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)


def normaliser_digest() -> str:
    """Which normaliser made an index: a changed normaliser must not reuse an old one."""
    digest = hashlib.sha256()
    for module in (names, lexicon, places):
        digest.update(Path(str(module.__file__)).read_bytes())
    digest.update(inspect.getsource(blocking.name_columns).encode())
    digest.update(inspect.getsource(blocking.address_columns).encode())
    return digest.hexdigest()[:10]


def city_entities(path: Path, city: str) -> pl.DataFrame:
    """One city's businesses, read with a pushed-down filter (the file is never read whole)."""
    return pl.scan_parquet(path).filter(pl.col("region_code").str.starts_with(city)).collect()


def indexed(job: Job, city: str, figures: dict[str, Any]) -> pl.DataFrame:
    """The city's businesses with their normalised name and address columns, as
    ``entity_name_key`` keeps them for ``resolve run``: made once per normaliser and kept in
    ``job.cache``."""
    t = time.perf_counter()
    entities = city_entities(job.entities, city)
    figures["read_businesses_s"] = figures.get("read_businesses_s", 0) + time.perf_counter() - t
    index = job.cache / f"index-{city}-{normaliser_digest()}.parquet"
    if index.exists():
        columns = pl.read_parquet(index)
    else:
        t, c0 = time.perf_counter(), cpu()
        made = name_columns(entities["name"].to_list())
        made |= address_columns(entities["address"].to_list())
        columns = pl.DataFrame(
            made, schema=dict.fromkeys((*NAME_COLUMNS, *ADDRESS_COLUMNS), pl.String)
        )
        columns = columns.with_columns(entities["entity_id"])
        job.cache.mkdir(parents=True, exist_ok=True)
        columns.write_parquet(index)
        figures["index_s"] = figures.get("index_s", 0) + time.perf_counter() - t
        figures["index_cpu_s"] = figures.get("index_cpu_s", 0) + cpu() - c0
    return with_entity_names(entities.join(columns, on="entity_id", how="left"))


def province_pool(job: Job, mentions: pl.DataFrame, figures: dict[str, Any]) -> pl.DataFrame:
    """The businesses that share a province-level key with these mentions, city by city.

    Every business sharing a key is kept, so the blocker counts each of the mentions' keys over
    the whole province exactly as it would with all 7.5 M businesses in memory.
    """
    wanted = mention_keys(mentions.with_row_index("m"), level=2).select("key").unique()
    cities = (
        pl.scan_parquet(job.entities)
        .select(pl.col("region_code").str.slice(0, 4).unique())
        .collect()
        .to_series()
        .sort()
        .to_list()
    )
    found: list[pl.DataFrame] = []
    for city in cities:
        entities = indexed(job, city, figures).with_row_index("e")
        keys = entity_keys(entities, level=2).join(wanted, on="key", how="semi")
        found.append(entities.join(keys.select("e").unique(), on="e", how="semi").drop("e"))
    return pl.concat(found)


def run_city(job: Job) -> dict[str, Any]:
    """Resolve one city's sampled mentions against its businesses; figures and tallies."""
    if job.profile:
        import cProfile

        profiler = cProfile.Profile()
        figures = profiler.runcall(_run_city, job)
        profiler.dump_stats(job.profile / f"city-{job.city}.prof")
        return figures
    return _run_city(job)


def _run_city(job: Job) -> dict[str, Any]:
    started, c0 = time.perf_counter(), cpu()
    figures: dict[str, Any] = {"city": job.city, "load_average_start": os.getloadavg()[0]}
    mentions = (
        pl.scan_parquet(job.mentions).filter(pl.col("city") == job.city).drop("city").collect()
    )
    c_read = cpu()
    if job.city == PROVINCE:
        normalised = with_mention_names(mentions)
        entities = province_pool(job, normalised, figures)
    else:
        entities = indexed(job, job.city, figures)
    c_resolve, t_resolve = cpu(), time.perf_counter()
    mentions = with_mention_names(mentions)
    results = engine_named(job.engine).match(entities, mentions, Thresholds())
    figures["resolve_s"] = time.perf_counter() - t_resolve
    figures["resolve_cpu_s"] = cpu() - c_resolve
    figures["read_cpu_s"] = c_resolve - c0 - figures.get("index_cpu_s", 0)
    figures |= tally(entities, mentions, results)
    figures |= {"businesses": entities.height, "mentions": mentions.height,
                "read_mentions_cpu_s": c_read - c0}  # fmt: skip
    figures["wall_s"] = time.perf_counter() - started
    figures["cpu_s"] = cpu() - c0
    figures["peak_rss_gb"] = peak_rss_gb()
    figures["load_average_end"] = os.getloadavg()[0]
    return figures


def tally(
    entities: pl.DataFrame, mentions: pl.DataFrame, results: dict[int, list[Any]]
) -> dict[str, Any]:
    """Auto links, right auto links and reviews, overall and by how the mention was written."""
    thresholds = Thresholds()
    uscc_of = dict(zip(entities["entity_id"].to_list(), entities["uscc"].to_list(), strict=True))
    auto = correct = review = 0
    by_how: dict[str, list[int]] = {}
    sweep = {str(t): [0, 0] for t in SWEEP}  # threshold → [auto links, right ones]
    rows = zip(mentions["meant"].to_list(), mentions["how"].to_list(), strict=True)
    for m, (meant, how) in enumerate(rows):
        scored = results.get(m)
        best = scored[0] if scored else None
        status = status_for(best.score, thresholds) if best else "unlinked"
        right = best is not None and status == "auto" and uscc_of[best.entity_id] == meant
        auto += status == "auto"
        review += status == "review"
        correct += right
        if best is not None:
            meant_it = uscc_of[best.entity_id] == meant
            for t in SWEEP:
                if best.score >= t:
                    sweep[str(t)][0] += 1
                    sweep[str(t)][1] += meant_it
        counts = by_how.setdefault(str(how), [0, 0])
        counts[0] += right
        counts[1] += 1
    return {"auto": auto, "correct": correct, "review": review, "by_how": by_how, "sweep": sweep}
