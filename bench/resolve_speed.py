"""Benchmark: resolving name-only mentions against a whole province's businesses, a city at a time.

    nice -n 10 .venv/bin/python bench/resolve_speed.py --province /work/data/province-1 \\
        [--mentions 1000000] [--workers 2] [--engine rules] [--city 3418] [--profile DIR]

Draws a random sample of the province's name-only mentions (complaints and public-opinion items
without a credit code), then goes city by city as ``lookthrough resolve run`` does: a worker
process per city reads that city's businesses only (a filtered scan of a parquet copy of
entities.csv), normalises their names — once per normaliser, kept in ``--cache`` as
``entity_name_key`` keeps them in the database —, resolves the city's mentions, scores them
against ``truth/mentions.csv`` and exits. Mentions whose record and name give no city are searched
across the province last, against the businesses sharing a key with them. ``--workers`` cities run
at once, the largest first. Prints JSON (per city and total); results go to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import time
from pathlib import Path
from typing import Any

import polars as pl
from resolve_city import ENTITY_COLUMNS, PROVINCE, Job, cpu, peak_rss_gb, run_city

from lookthrough.resolution.engine import with_mention_names


def read_mentions(folder: Path, n: int, seed: int, city: str | None = None) -> pl.DataFrame:
    complaints = pl.scan_ndjson(folder / "complaints.jsonl").select(
        key=pl.col("工单编号"), name=pl.col("被投诉对象名称"), region=pl.col("所属区划代码"),
        uscc=pl.col("被投诉对象统一社会信用代码"), kind=pl.lit("complaint"),
        address=pl.col("被投诉对象地址"), text=pl.col("诉求内容"),
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
                text=pl.col("内容"),
            )
        )
    every = pl.concat(frames).filter((pl.col("uscc") == "") | pl.col("uscc").is_null())
    if city:
        every = every.filter(pl.col("region").str.starts_with(city))
    every = every.collect()
    sample = every.sample(n=min(n, every.height), seed=seed, shuffle=True)
    return sample.with_columns(phone=pl.lit(None, pl.String), legal_rep=pl.lit(None, pl.String))


def entities_parquet(province: Path, cache: Path) -> Path:
    """entities.csv as parquet (entity_id = its line number), streamed, made once."""
    path = cache / "entities.parquet"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        scan = pl.scan_csv(province / "entities.csv", infer_schema=False)
        scan.select(list(ENTITY_COLUMNS)).rename(ENTITY_COLUMNS).with_row_index(
            "entity_id", offset=1
        ).with_columns(pl.col("entity_id").cast(pl.Int64)).sink_parquet(path)
    return path


def search_city(sample: pl.DataFrame) -> pl.Series:
    """The city whose businesses a mention is compared with: its record's, or — for a record of
    the province itself — the one its name names ("34" when none)."""
    city = pl.Series("city", sample["region"].fill_null(PROVINCE).str.slice(0, 4))
    wide = sample.with_row_index("row").filter(city.str.len_chars() < 4)
    if wide.height:
        named = with_mention_names(wide.select("row", "name", "region"))
        city = city.scatter(named["row"], named["search_region"].str.slice(0, 4))
    return city


def prepare(args: argparse.Namespace, figures: dict[str, Any]) -> Path:
    """Write the sample, with its search city and the truth, for the workers to read."""
    t = time.perf_counter()
    sample = read_mentions(args.province, args.mentions, args.seed, args.city)
    truth = pl.scan_csv(args.province / "truth" / "mentions.csv", infer_schema=False).select(
        "key", meant="uscc", how="how"
    )
    sample = sample.with_columns(search_city(sample)).with_row_index("order")
    sample = sample.lazy().join(truth, on="key", how="left").sort("order").drop("order").collect()
    path = args.cache / f"mentions-{args.city or 'all'}-{args.mentions}-{args.seed}.parquet"
    args.cache.mkdir(parents=True, exist_ok=True)
    sample.write_parquet(path)
    figures["mentions_drawn"] = sample.height
    figures["read_mentions_s"] = round(time.perf_counter() - t, 1)
    return path


def jobs(args: argparse.Namespace, entities: Path, mentions: Path) -> list[Job]:
    sizes = pl.read_parquet(mentions, columns=["city"])["city"].value_counts()
    cities = sizes.filter(pl.col("city") != PROVINCE).sort("count", descending=True)["city"]
    wide = PROVINCE in sizes["city"].to_list() and args.province_wide
    order = [*cities.to_list(), *([PROVINCE] if wide else [])]
    return [Job(c, entities, mentions, args.cache, args.engine, args.profile) for c in order]


def unsearched(mentions: Path) -> dict[str, Any]:
    """The mentions left out without ``--province-wide``, tallied as unlinked."""
    left = pl.read_parquet(mentions, columns=["city", "how"]).filter(pl.col("city") == PROVINCE)
    by_how: dict[str, list[int]] = {}
    for how in left["how"].to_list():
        by_how.setdefault(str(how), [0, 0])[1] += 1
    return {"city": "34 (not searched)", "mentions": left.height, "businesses": 0, "auto": 0,
            "correct": 0, "review": 0, "by_how": by_how, "peak_rss_gb": 0.0}  # fmt: skip


def summed(cities: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("businesses", "mentions", "auto", "correct", "review", "cpu_s", "resolve_cpu_s",
            "index_cpu_s", "read_cpu_s")  # fmt: skip
    total: dict[str, Any] = {k: round(sum(c.get(k, 0) for c in cities), 1) for k in keys}
    by_how: dict[str, list[int]] = {}
    for c in cities:
        for how, (right, n) in c["by_how"].items():
            counts = by_how.setdefault(how, [0, 0])
            counts[0] += right
            counts[1] += n
    total |= quality(total, by_how)
    total["by_threshold"] = swept(cities, total["mentions"])
    total["peak_rss_gb_largest_city"] = max(c["peak_rss_gb"] for c in cities)
    return total


def swept(cities: list[dict[str, Any]], mentions: float) -> dict[str, dict[str, float]]:
    """Precision and recall had the auto-link threshold been each of the swept values."""
    sums: dict[str, list[int]] = {}
    for c in cities:
        for t, (auto, right) in c.get("sweep", {}).items():
            got = sums.setdefault(t, [0, 0])
            got[0] += auto
            got[1] += right
    return {t: {"precision": round(right / max(auto, 1), 4),
                "recall": round(right / max(mentions, 1), 4)}
            for t, (auto, right) in sorted(sums.items())}  # fmt: skip


def quality(counts: dict[str, Any], by_how: dict[str, list[int]]) -> dict[str, Any]:
    n = max(counts["mentions"], 1)
    return {
        "precision": round(counts["correct"] / max(counts["auto"], 1), 4),
        "recall": round(counts["correct"] / n, 4),
        "review_share": round(counts["review"] / n, 4),
        "recall_by_how": {h: round(r / max(t, 1), 3) for h, (r, t) in sorted(by_how.items())},
    }


def shown(city: dict[str, Any]) -> dict[str, Any]:
    out = {k: round(v, 2) if isinstance(v, float) else v for k, v in city.items()
           if k not in ("by_how", "sweep")}  # fmt: skip
    return out | quality(city, city["by_how"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--province", type=Path, required=True)
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engine", default="rules")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--city", help="only this city's businesses and mentions (e.g. 3418)")
    parser.add_argument("--cache", type=Path, help="parquet copies and indexes (default: "
                        "PROVINCE/bench-cache)")  # fmt: skip
    parser.add_argument("--profile", type=Path, help="write a cProfile file per city here")
    parser.add_argument("--province-wide", action="store_true",
                        help="also search the mentions that name no city against the whole "
                        "province (costly; else they count as unlinked)")  # fmt: skip
    args = parser.parse_args()
    args.cache = args.cache or args.province / "bench-cache"
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {"machine": f"{platform.machine()}, {os.cpu_count()} cores",
                               "engine": args.engine, "workers": args.workers,
                               "load_average_start": os.getloadavg()}  # fmt: skip
    started = time.perf_counter()
    started_at = time.strftime("%Y%m%dT%H%M%S")
    t = time.perf_counter()
    entities = entities_parquet(args.province, args.cache)
    figures["entities_parquet_s"] = round(time.perf_counter() - t, 1)
    mentions = prepare(args, figures)
    t = time.perf_counter()
    todo = jobs(args, entities, mentions)
    context = multiprocessing.get_context("spawn")
    log = args.cache / f"cities-{started_at}.jsonl"
    cities: list[dict[str, Any]] = []
    with context.Pool(args.workers, maxtasksperchild=1) as pool, log.open("w") as out:
        for city in pool.imap_unordered(run_city, todo):
            cities.append(city)
            out.write(json.dumps(city, ensure_ascii=False) + "\n")  # kept if the run is cut short
            out.flush()
    if not args.province_wide and not args.city:
        cities.append(unsearched(mentions))
    figures["cities_wall_s"] = round(time.perf_counter() - t, 1)
    figures["wall_s"] = round(time.perf_counter() - started, 1)
    figures["cpu_s_all_processes"] = round(cpu(), 1)
    figures["peak_rss_gb_main"] = peak_rss_gb()
    figures["load_average_end"] = os.getloadavg()
    figures["total"] = summed(cities)
    figures["cities"] = [shown(c) for c in sorted(cities, key=lambda c: c["city"])]
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
