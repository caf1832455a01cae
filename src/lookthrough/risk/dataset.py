"""Indicator values, outcomes and real inspections as numpy arrays, from a loaded engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from lookthrough.engine import service as engine_service
from lookthrough.engine.definitions import IndicatorSpec
from lookthrough.engine.seam import AnalyticsEngine
from lookthrough.risk.frame import numpy_columns
from lookthrough.risk.rules import CHECKS, HORIZON_DAYS, OUTCOMES, VIOLATION_RESULTS


@dataclass
class Frame:
    """Businesses (rows, by id) with their field, scale and indicator values as of a day."""

    as_of: dt.date
    ids: np.ndarray
    regions: pa.Array  # region codes, kept in Arrow (7.5 M Python strings would not be cheap)
    fields: np.ndarray  # field codes as a fixed-width unicode array (vectorised comparisons)
    capital: np.ndarray
    subjects: np.ndarray
    values: np.ndarray  # rows × specs
    codes: list[str]


def frame_at(engine: AnalyticsEngine, specs: Sequence[IndicatorSpec], as_of: dt.date) -> Frame:
    features = engine_service.features(engine, specs, as_of)
    entities = engine.query(
        "SELECT entity_id, region_code, field, capital_wan, n_subjects FROM entities "
        "ORDER BY entity_id"
    )
    ids = features.column("entity_id").to_numpy()
    assert np.array_equal(ids, entities.column("entity_id").to_numpy())
    codes = [s.code for s in specs]
    return Frame(
        as_of,
        ids,
        entities.column("region_code").combine_chunks(),
        field_array(entities.column("field")),
        entities.column("capital_wan").to_numpy(zero_copy_only=False).astype(float),
        entities.column("n_subjects").to_numpy(zero_copy_only=False).astype(float),
        numpy_columns(features, codes),
        codes,
    )


def field_array(column: pa.ChunkedArray) -> np.ndarray:
    """A text column with few distinct values as a numpy unicode array, without a Python string
    per row: dictionary-encode, then take from the (tiny) dictionary."""
    encoded = column.combine_chunks().dictionary_encode()
    labels = np.array(encoded.dictionary.to_pylist() or [""], dtype="U32")
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    result: np.ndarray = labels[indices] if len(indices) else np.array([], dtype="U32")
    return result


def outcome_after(engine: AnalyticsEngine, as_of: dt.date) -> np.ndarray:
    """1 for businesses with an adverse outcome in the 12 months after ``as_of``."""
    table = engine_service.features(engine, OUTCOMES, as_of + dt.timedelta(days=HORIZON_DAYS))
    matrix = numpy_columns(table, [o.code for o in OUTCOMES])
    result: np.ndarray = (matrix.sum(axis=1) > 0).astype(int)
    return result


def checked_after(engine: AnalyticsEngine, as_of: dt.date) -> np.ndarray:
    """True for businesses inspected or sampled in the 12 months after ``as_of``: those whose
    outcome says something about their conduct (needs the outcome kinds loaded)."""
    table = engine_service.features(engine, CHECKS, as_of + dt.timedelta(days=HORIZON_DAYS))
    result: np.ndarray = numpy_columns(table, [c.code for c in CHECKS]).sum(axis=1) > 0
    return result


def data_end(engine: AnalyticsEngine) -> dt.date | None:
    """The last day any loaded record happened on."""
    value = engine.query("SELECT max(day) AS last FROM events").column("last")[0].as_py()
    return value if isinstance(value, dt.date) else None


@dataclass
class Visits:
    """The real inspections of a period: business, day (ordinal), violation found."""

    entity_ids: np.ndarray
    days: np.ndarray
    violated: np.ndarray


def inspections_between(engine: AnalyticsEngine, after: dt.date, until: dt.date) -> Visits:
    """Inspections with ``after < day <= until`` (needs the outcome columns loaded)."""
    marks = ", ".join(f"$r{i}" for i in range(len(VIOLATION_RESULTS)))
    params: dict[str, object] = {f"r{i}": r for i, r in enumerate(VIOLATION_RESULTS)}
    params |= {"after": after, "until": until}
    table = engine.query(
        "SELECT entity_id, day, coalesce(p_result IN (" + marks + "), false) AS violated "
        "FROM events WHERE kind = 'inspection' AND day > $after AND day <= $until "
        "ORDER BY day, entity_id",
        params,
    )
    days = np.array([d.toordinal() for d in table.column("day").to_pylist()], dtype=np.int64)
    return Visits(
        table.column("entity_id").to_numpy(),
        days,
        table.column("violated").to_numpy(zero_copy_only=False).astype(bool),
    )
