"""Benchmark: resolving name-only mentions against a whole province's businesses.

    nice -n 10 .venv/bin/python bench/resolve_speed.py --province /work/data/province-1 \\
        [--mentions 1000000] [--workers 2] [--engine rules]

Reads the synthetic province's businesses (entities.csv) and a random sample of its name-only
mentions (complaints and public-opinion items without a credit code) with polars, then times
separately:

* index — normalising every business name (what ``entity_name_key`` caches in the database, so
  ``resolve run`` pays it once, not per batch), on ``--workers`` processes;
* resolve — normalising the mentions, blocking, scoring and deciding, a city at a time;

and scores the outcome against ``truth/mentions.csv``. Prints JSON; results go to
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import polars as pl

from lookthrough.resolution.blocking import NAME_COLUMNS, name_columns
from lookthrough.resolution.engine import engine_named, with_mention_names
from lookthrough.resolution.rules import Thresholds, status_for

ENTITY_COLUMNS = {"统一社会信用代码": "uscc", "主体名称": "name", "所属区划代码": "region_code",
                  "住所": "address", "联系电话": "phone", "法定代表人": "legal_rep"}  # fmt: skip


def _normalise(names: list[str]) -> dict[str, list[str]]:
    return name_columns(names)


def normalised(names: list[str], workers: int) -> pl.DataFrame:
    size = 250_000
    parts = [names[i : i + size] for i in range(0, len(names), size)]
    if workers > 1:
        with Pool(workers) as pool:
            done = pool.map(_normalise, parts)
    else:
        done = [_normalise(p) for p in parts]
    schema = dict.fromkeys(NAME_COLUMNS, pl.String)
    return pl.concat([pl.DataFrame(d, schema=schema) for d in done])


def read_mentions(folder: Path, n: int, seed: int, city: str | None = None) -> pl.DataFrame:
    complaints = pl.scan_ndjson(folder / "complaints.jsonl").select(
        key=pl.col("工单编号"), name=pl.col("被投诉对象名称"), region=pl.col("所属区划代码"),
        uscc=pl.col("被投诉对象统一社会信用代码"), kind=pl.lit("complaint"),
        address=pl.col("被投诉对象地址"),
    )  # fmt: skip
    frames = [complaints]
    lines, array = folder / "public_opinion.jsonl", folder / "public_opinion.json"
    if lines.exists() or array.exists():
        scan = pl.scan_ndjson(lines) if lines.exists() else pl.read_json(array).lazy()
        frames.append(
            scan.select(
                key=pl.col("舆情编号"),
                name=pl.col("涉及主体"),
                region=pl.col("所属区划代码"),
                uscc=pl.lit(""),
                kind=pl.lit("public_opinion"),
                address=pl.lit(None, pl.String),
            )
        )
    every = pl.concat(frames).filter((pl.col("uscc") == "") | pl.col("uscc").is_null())
    if city:
        every = every.filter(pl.col("region").str.starts_with(city))
    every = every.collect()
    sample = every.sample(n=min(n, every.height), seed=seed, shuffle=True)
    return sample.with_columns(phone=pl.lit(None, pl.String), legal_rep=pl.lit(None, pl.String))


def cpu() -> float:
    """CPU seconds used so far by this process and its finished workers (user + system)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--province", type=Path, required=True)
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engine", default="rules")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--city", help="only this city's businesses and mentions (e.g. 3418)")
    args = parser.parse_args()
    figures: dict[str, Any] = {"machine": f"{platform.machine()}, {os.cpu_count()} cores",
                               "engine": args.engine}  # fmt: skip
    started = time.perf_counter()
    entities = pl.read_csv(args.province / "entities.csv", columns=list(ENTITY_COLUMNS),
                           infer_schema=False).rename(ENTITY_COLUMNS)  # fmt: skip
    entities = entities.with_row_index("entity_id", offset=1).with_columns(
        pl.col("entity_id").cast(pl.Int64)
    )
    if args.city:
        entities = entities.filter(pl.col("region_code").str.starts_with(args.city))
        figures["city"] = args.city
    figures["businesses"] = entities.height
    figures["read_businesses_s"] = round(time.perf_counter() - started, 1)

    t, c0 = time.perf_counter(), cpu()
    entities = entities.with_columns(normalised(entities["name"].to_list(), args.workers))
    figures["index_s"] = round(time.perf_counter() - t, 1)
    figures["index_cpu_s"] = round(cpu() - c0, 1)

    t = time.perf_counter()
    mentions = read_mentions(args.province, args.mentions, args.seed, args.city)
    figures["mentions"] = mentions.height
    figures["read_mentions_s"] = round(time.perf_counter() - t, 1)

    t, c0 = time.perf_counter(), cpu()
    mentions = with_mention_names(mentions)
    figures["normalise_mentions_s"] = round(time.perf_counter() - t, 1)
    engine = engine_named(args.engine)
    thresholds = Thresholds()
    t = time.perf_counter()
    best: dict[str, tuple[int, float]] = {}
    cities = sorted(mentions["search_region"].str.slice(0, 4).unique().to_list())
    for city in cities:
        part = mentions.filter(pl.col("search_region").str.starts_with(city))
        pool = entities.filter(pl.col("region_code").str.starts_with(city))
        results = engine.match(pool, part, thresholds)
        for m, key in enumerate(part["key"].to_list()):
            scored = results.get(m)
            if scored:
                best[key] = (scored[0].entity_id, scored[0].score)
    figures["resolve_s"] = round(time.perf_counter() - t, 1)
    figures["resolve_total_s"] = round(figures["resolve_s"] + figures["normalise_mentions_s"], 1)
    figures["resolve_total_cpu_s"] = round(cpu() - c0, 1)  # mentions normalised + resolved
    figures["load_average_1m"] = round(os.getloadavg()[0], 1)
    figures["peak_rss_gb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)

    truth = pl.read_csv(args.province / "truth" / "mentions.csv", columns=["key", "uscc", "how"],
                        infer_schema=False)  # fmt: skip
    meant = dict(zip(truth["key"].to_list(), truth["uscc"].to_list(), strict=True))
    uscc_of = dict(zip(entities["entity_id"].to_list(), entities["uscc"].to_list(), strict=True))
    how_of = dict(zip(truth["key"].to_list(), truth["how"].to_list(), strict=True))
    auto = correct = review = 0
    by_how: dict[str, list[int]] = {}
    for key in mentions["key"].to_list():
        entity_id, score = best.get(key, (0, 0.0))
        status = status_for(score, thresholds) if entity_id else "unlinked"
        right = status == "auto" and uscc_of[entity_id] == meant.get(key)
        auto += status == "auto"
        review += status == "review"
        correct += right
        tally = by_how.setdefault(str(how_of.get(key)), [0, 0])
        tally[0] += right
        tally[1] += 1
    n = mentions.height
    figures |= {"precision": round(correct / max(auto, 1), 4), "recall": round(correct / n, 4),
                "review_share": round(review / n, 4)}  # fmt: skip
    figures["recall_by_how"] = {h: round(c / t, 3) for h, (c, t) in sorted(by_how.items())}
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
