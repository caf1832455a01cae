"""What a scoring run writes, built as Arrow tables: current assessments, level changes, the
snapshot for the trend lines — and the previous levels a run compares with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select
from sqlalchemy.orm import Session

from lookthrough.engine import extract
from lookthrough.risk import store
from lookthrough.risk.models import Assessment, Snapshot

if TYPE_CHECKING:
    from lookthrough.risk.scoring import Assessed


PREVIOUS_SCHEMA = pa.schema(
    [pa.field("entity_id", pa.int64()), pa.field("level", pa.int32()),
     pa.field("digest", pa.int64())]
)  # fmt: skip
ASSESSMENT_DIGEST = (
    "region_code",
    "field",
    "model_id",
    "probability",
    "consequence",
    "level",
    "top",
)


@dataclass(frozen=True, slots=True)
class Previous:
    levels: np.ndarray  # aligned with the run's businesses; 0: not assessed yet
    rows: pa.Table  # entity_id, level, digest of the rows there now


def previous_levels(session: Session, ids: np.ndarray, full: bool) -> Previous:
    """Each business's level before this run, and the stored rows' keys and digests."""
    stmt = select(Assessment.entity_id, Assessment.level, Assessment.digest).order_by(
        Assessment.entity_id
    )
    if full:
        parts = [extract.to_arrow(session, stmt, PREVIOUS_SCHEMA)]
    else:
        parts = [
            extract.to_arrow(
                session,
                stmt.where(extract.one_of(session, Assessment.entity_id, chunk)),
                PREVIOUS_SCHEMA,
            )
            for chunk in extract.chunks([int(i) for i in ids], session)
            if chunk
        ]
    table = pa.concat_tables(parts) if parts else PREVIOUS_SCHEMA.empty_table()
    levels = align(ids, table.column("entity_id").to_numpy(), table.column("level").to_numpy())
    return Previous(levels, table)


def align(ids: np.ndarray, keys: np.ndarray, values: np.ndarray, missing: Any = 0) -> np.ndarray:
    """``values`` (keyed by ``keys``) in the order of ``ids``; ``missing`` where absent."""
    order = np.argsort(keys, kind="stable")
    keys, values = keys[order], values[order]
    where = np.clip(np.searchsorted(keys, ids), 0, max(len(keys) - 1, 0))
    found = (keys[where] == ids) if len(keys) else np.zeros(len(ids), dtype=bool)
    result = np.full(len(ids), missing, dtype=values.dtype if len(values) else object)
    if len(keys):
        result[found] = values[where[found]]
    return result


def assessment_table(result: Assessed, model_id: str, run_id: int) -> pa.Table:
    rows = result.frame
    n = len(rows.ids)
    table = pa.table(
        {
            "entity_id": pa.array(rows.ids, pa.int64()),
            "region_code": rows.regions,
            "field": pa.array(rows.fields, pa.string()),
            "model_id": pa.repeat(model_id, n) if n else pa.array([], pa.string()),
            "run_id": pa.array(np.full(n, run_id), pa.int64()),
            "probability": np.round(result.probability, 6),
            "consequence": result.consequence,
            "level": pa.array(result.levels, pa.int32()),
            "top": result.top.column("top"),
        }
    )  # fmt: skip
    return store.json_column(store.with_digest(table, ASSESSMENT_DIGEST), "top")


def level_changes(
    result: Assessed, previous: np.ndarray, model_id: str, as_of: dt.date, now: dt.datetime
) -> pa.Table:
    """Rows for ``risk_level_change``: businesses whose level is not what it was."""
    rows = result.frame
    changed = (previous > 0) & (previous != result.levels)
    picked = np.flatnonzero(changed)
    m = len(picked)
    return pa.table(
        {
            "entity_id": pa.array(rows.ids[picked], pa.int64()),
            "region_code": rows.regions.take(pa.array(picked, pa.int64())),
            "model_id": pa.array([model_id] * m, pa.string()),
            "at": pa.array([now] * m, pa.timestamp("us", tz="UTC")),
            "as_of": pa.array([as_of] * m, pa.date32()),
            "from_level": pa.array(previous[picked], pa.int32()),
            "to_level": pa.array(result.levels[picked], pa.int32()),
            "probability": np.round(result.probability[picked], 6),
        }
    )


def snapshot(session: Session, run_id: int, result: Assessed, as_of: dt.date) -> None:
    """Counts by county, field and level, grouped with integer codes (no string per row)."""
    rows = result.frame
    county = pc.utf8_slice_codeunits(rows.regions, 0, 6).dictionary_encode()
    county_codes = county.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    fields, field_codes = np.unique(rows.fields, return_inverse=True)
    key = (county_codes * len(fields) + field_codes) * 8 + result.levels.astype(np.int64)
    unique, counts = np.unique(key, return_counts=True)
    names = county.dictionary.to_pylist()
    session.add_all(
        Snapshot(run_id=run_id, as_of=as_of, region_code=names[int(k // 8 // len(fields))],
                 field=str(fields[int(k // 8 % len(fields))]), level=int(k % 8),
                 entities=int(c))
        for k, c in zip(unique.tolist(), counts.tolist(), strict=True)
    )  # fmt: skip
