"""How many name-only complaints of one city the words identify at all (a ceiling for recall).

    .venv/bin/python bench/resolve_ceiling.py --province /work/data/province-1 --city 3418

For each sampled complaint that names a business only in words, count the businesses *of the
complaint's county* whose name agrees with what was written, by the way it was written
(``truth/mentions.csv``): the same short name; the same 字号 for a bare 字号; a sound-alike of
one of the first two characters with the rest the same for a slip (the generator's sound groups,
``synth.text.SOUND_ALIKE``). When the complaint gives an address, only businesses at that
address count. Full and placed names are counted as identified (they carry the county and the
whole name). A mention is *identifiable* when exactly one business is left and it is the one
meant; a resolver that never guesses cannot link more. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

import polars as pl

from lookthrough.synth.text import SOUND_ALIKE

ALWAYS = {"full", "with_place"}


def variants(two: str) -> set[str]:
    found = {two}
    for i, char in enumerate(two):
        found |= {two[:i] + alike + two[i + 1 :] for alike in SOUND_ALIKE.get(char, "")}
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--province", type=Path, required=True)
    parser.add_argument("--city", required=True)
    parser.add_argument("--mentions", type=int, default=50_000)
    args = parser.parse_args()
    folder, city = args.province, args.city
    businesses = (
        pl.scan_csv(folder / "entities.csv", infer_schema=False)
        .filter(pl.col("所属区划代码").str.starts_with(city))
        .select(uscc="统一社会信用代码", county=pl.col("所属区划代码").str.slice(0, 6),
                address="住所")
        .join(pl.scan_csv(folder / "truth" / "propensity.csv", infer_schema=False)
              .select("uscc", "short_name"), on="uscc", how="left")
        .collect()
    )  # fmt: skip
    complaints = pl.scan_ndjson(folder / "complaints.jsonl", infer_schema_length=1000).select(
        key="工单编号", region="所属区划代码", address="被投诉对象地址"
    )
    mentions = (
        pl.scan_csv(folder / "truth" / "mentions.csv", infer_schema=False)
        .filter(pl.col("kind") == "complaint")
        .join(complaints, on="key")
        .filter(pl.col("region").str.starts_with(city))
        .collect()
    )
    mentions = mentions.sample(min(args.mentions, mentions.height), seed=1)
    by_trade: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
    for uscc, county, address, short in businesses.iter_rows():
        short = short or ""
        by_trade[(county, short[:2])].append((uscc, address or "", short))
    outcome: Counter[tuple[str, str]] = Counter()
    for written, how, meant, region, address in mentions.select(
        "mention", "how", "uscc", "region", "address"
    ).iter_rows():
        if how in ALWAYS:
            outcome[(how, "identified")] += 1
            continue
        county = region[:6]
        if how == "short":
            found = [b for b in by_trade.get((county, written[:2]), []) if b[2] == written]
        elif how == "trade_only":
            found = list(by_trade.get((county, written[:2]), []))
        else:
            found = [b for v in variants(written[:2]) for b in by_trade.get((county, v), [])
                     if b[2][2:] == written[2:]]  # fmt: skip
        if address:
            found = [b for b in found if b[1].endswith(address[-12:])]
        right = len(found) == 1 and found[0][0] == meant
        outcome[(how, "identified" if right else "ambiguous" if found else "not found")] += 1
    ways = sorted({how for how, _ in outcome})
    total = sum(outcome.values())
    shares = {
        how: round(
            outcome[(how, "identified")] / sum(v for (h, _), v in outcome.items() if h == how), 3
        )
        for how in ways
    }
    identified = sum(v for (_, said), v in outcome.items() if said == "identified")
    print(json.dumps({"city": city, "businesses": businesses.height, "mentions": total,
                      "identifiable": round(identified / total, 4), "by_how": shares},
                     ensure_ascii=False, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
