"""Scoring resolution against a synthetic province's ground truth, straight from its files.

``lookthrough resolve evaluate --truth DIR`` reads DIR as the importer would (its manifest, the
shipped column mappings, the same readers) — the businesses, the complaints and public-opinion
items — runs an engine over them in memory and compares each mention's outcome with
``truth/mentions.csv``. No database is needed, so CI scores a `tiny` or `small` province in
seconds; ``resolve run`` puts the same engine's results into the database.

Only *name-only* mentions are scored: those whose record gave no credit code (those need no
resolution). precision = correct automatic links / automatic links; recall = correct automatic
links / name-only mentions; review_share = mentions sent to review / name-only mentions.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from lookthrough.core.errors import FileRejected
from lookthrough.ingest import manifest
from lookthrough.ingest.mapping import builtin
from lookthrough.ingest.readers import read_rows
from lookthrough.records.models import Record
from lookthrough.registry.models import Entity
from lookthrough.resolution.engine import Engine, RulesEngine, with_entity_names, with_mention_names
from lookthrough.resolution.models import MentionLink
from lookthrough.resolution.rules import Thresholds, status_for

MENTION_TARGETS = {"complaint": "ticket_no", "public_opinion": "item_no"}


def _columns(path: Path, target: str, wanted: dict[str, str]) -> list[dict[str, str | None]]:
    """Rows of a file as {our field: cell}, through the shipped mapping's column spellings."""
    table = read_rows(path)
    headers = builtin(target).resolve_headers(table.header)
    index = {field: table.header.index(headers[source]) for field, source in wanted.items()
             if source in headers}  # fmt: skip
    return [
        {field: cells[i] if i < len(cells) else None for field, i in index.items()}
        | {f: None for f in wanted if f not in index}
        for _, cells in table.rows
    ]


def read_province(folder: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(businesses, name-only mentions) of a synthetic province folder."""
    entity_rows: list[dict[str, str | None]] = []
    mention_rows: list[dict[str, str | None]] = []
    for job in manifest.plan(folder):
        if job.target == "entity":
            entity_rows += _columns(
                job.path,
                "entity",
                {"uscc": "uscc", "name": "name", "region_code": "region_code",
                 "address": "address", "phone": "phone", "legal_rep": "legal_rep",
                 "industry_code": "industry_code"},
            )  # fmt: skip
        elif job.target in MENTION_TARGETS:
            for row in _columns(
                job.path,
                job.target,
                {"key": MENTION_TARGETS[job.target], "name": "mention", "region": "region_code",
                 "address": "mention_address", "uscc": "uscc", "text": "text"},
            ):  # fmt: skip
                if row["name"] and not row["uscc"]:
                    mention_rows.append(row | {"kind": job.target})
    if not entity_rows:
        raise FileRejected(f"{folder} 中没有经营主体文件")
    entities = pl.DataFrame(entity_rows, schema=dict.fromkeys(entity_rows[0], pl.String))
    entities = entities.with_row_index("entity_id", offset=1).with_columns(
        pl.col("entity_id").cast(pl.Int64)
    )
    schema = dict.fromkeys(("key", "name", "region", "address", "uscc", "text", "kind"), pl.String)
    mentions = pl.DataFrame(mention_rows, schema=schema).with_columns(
        phone=pl.lit(None, pl.String), legal_rep=pl.lit(None, pl.String)
    )
    return entities, mentions


def read_truth(folder: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(kind, record key) → (uscc meant, how it was written)."""
    path = folder / "truth" / "mentions.csv"
    if not path.is_file():
        raise FileRejected(f"{folder} 中没有 truth/mentions.csv，不是合成省份的文件夹")
    with path.open(encoding="utf-8") as handle:
        return {(r["kind"], r["key"]): (r["uscc"], r["how"]) for r in csv.DictReader(handle)}


@dataclass
class Evaluation:
    engine: str
    mentions: int
    auto: int
    correct: int
    review: int
    unlinked: int
    precision: float
    recall: float
    review_share: float
    review_has_truth: float  # share of review items whose candidates include the right one
    by_how: dict[str, dict[str, float]] = field(default_factory=dict)
    seconds: float = 0.0
    thresholds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate_database(session: Session, folder: Path) -> Evaluation:
    """Score the links ``resolve run`` stored (after ``lookthrough import DIR``) against DIR's
    truth: the same measures, read from ``mention_link`` instead of computed in memory."""
    started = time.perf_counter()
    truth = read_truth(folder)
    rows = session.execute(
        select(Record.kind, Record.source_key, MentionLink.status, Entity.uscc)
        .join(MentionLink, MentionLink.record_id == Record.id)
        .outerjoin(Entity, Entity.id == MentionLink.entity_id)
        .where(Record.kind.in_(tuple(MENTION_TARGETS)), Record.entity_id.is_(None))
    ).all()
    outcomes = []
    for kind, key, status, uscc in rows:
        meant, how = truth.get((kind, key), ("", "unknown"))
        outcomes.append((how, "auto" if status in ("auto", "confirmed") else status,
                         uscc == meant, status == "review" and uscc == meant))  # fmt: skip
    return _tally("database", outcomes, started=started, thresholds={})


def _tally(
    engine: str,
    outcomes: list[tuple[str, str, bool, bool]],
    *,
    started: float,
    thresholds: dict[str, float],
) -> Evaluation:
    """(how written, status, linked to the one meant, review with the one meant) → measures."""
    counts: Counter[str] = Counter()
    by_how: dict[str, Counter[str]] = {}
    for how, status, right, review_right in outcomes:
        tally = by_how.setdefault(how, Counter())
        for c in (counts, tally):
            c["mentions"] += 1
            c[status] += 1
            c["correct"] += status == "auto" and right
            c["review_hit"] += review_right
    return Evaluation(
        engine=engine,
        mentions=counts["mentions"],
        auto=counts["auto"],
        correct=counts["correct"],
        review=counts["review"],
        unlinked=counts["unlinked"],
        precision=_ratio(counts["correct"], counts["auto"]),
        recall=_ratio(counts["correct"], counts["mentions"]),
        review_share=_ratio(counts["review"], counts["mentions"]),
        review_has_truth=_ratio(counts["review_hit"], counts["review"]),
        by_how={
            how: {
                "mentions": t["mentions"],
                "precision": _ratio(t["correct"], t["auto"]),
                "recall": _ratio(t["correct"], t["mentions"]),
                "review_share": _ratio(t["review"], t["mentions"]),
            }
            for how, t in sorted(by_how.items())
        },
        seconds=round(time.perf_counter() - started, 2),
        thresholds=thresholds,
    )


def evaluate(folder: Path, *, thresholds: Thresholds, engine: Engine | None = None) -> Evaluation:
    """Resolve the folder's name-only mentions and score the outcome against its truth."""
    engine = engine or RulesEngine()
    started = time.perf_counter()
    truth = read_truth(folder)
    entities, mentions = read_province(folder)
    entities = with_entity_names(entities)
    mentions = with_mention_names(mentions)
    results = engine.match(entities, mentions, thresholds)
    uscc_of = dict(zip(entities["entity_id"].to_list(), entities["uscc"].to_list(), strict=True))
    outcomes = []
    for m, (kind, key) in enumerate(zip(mentions["kind"], mentions["key"], strict=True)):
        meant, how = truth.get((kind, key), ("", "unknown"))
        scored = results.get(m, [])
        status = status_for(scored[0].score, thresholds) if scored else "unlinked"
        right = bool(scored) and uscc_of[scored[0].entity_id] == meant
        review_right = status == "review" and any(uscc_of[s.entity_id] == meant for s in scored)
        outcomes.append((how, status, right, review_right))
    return _tally(engine.name, outcomes, started=started, thresholds=asdict(thresholds))


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0
