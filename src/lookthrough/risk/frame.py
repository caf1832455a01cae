"""The businesses and their records, loaded into the analytics engine for one scoring run.

``entities`` carries what consequence and routing need (region, field, scale); ``events`` the
records the indicators and the outcome read. One load serves several as-of days (training uses
two, the backtest three).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
from sqlalchemy import Float, Select, cast, func, select
from sqlalchemy.orm import Session

from lookthrough.engine import extract
from lookthrough.engine import service as engine_service
from lookthrough.engine.definitions import IndicatorSpec
from lookthrough.engine.mirror import MirrorAt
from lookthrough.engine.seam import AnalyticsEngine
from lookthrough.registry.models import Entity, Subject
from lookthrough.risk.fields import prefix_table
from lookthrough.risk.rules import OUTCOMES

ENTITY_SCHEMA = pa.schema(
    [
        pa.field("entity_id", pa.int64()),
        pa.field("region_code", pa.string()),
        pa.field("industry_code", pa.string()),
        pa.field("capital_wan", pa.float64()),
        pa.field("status", pa.string()),
    ]
)
SUBJECT_SCHEMA = pa.schema([pa.field("entity_id", pa.int64()), pa.field("n", pa.int64())])


def _entities_select(session: Session, entity_ids: Sequence[int] | None) -> Select[Any]:
    stmt = select(
        Entity.id,
        Entity.region_code,
        Entity.industry_code,
        cast(Entity.capital_wan, Float),
        Entity.status,
    )
    if entity_ids is None:
        return stmt
    return stmt.where(extract.one_of(session, Entity.id, entity_ids))


def _subjects_select(session: Session, entity_ids: Sequence[int] | None) -> Select[Any]:
    stmt: Select[Any] = select(  # type: ignore[assignment]
        Subject.entity_id, func.count()
    ).where(Subject.entity_id.is_not(None))
    if entity_ids is not None:
        stmt = stmt.where(extract.one_of(session, Subject.entity_id, entity_ids))
    return stmt.group_by(Subject.entity_id)


def _concat(parts: list[pa.Table], schema: pa.Schema) -> pa.Table:
    return pa.concat_tables(parts) if parts else schema.empty_table()


def load_entities(
    session: Session, engine: AnalyticsEngine, entity_ids: Sequence[int] | None = None
) -> int:
    """Load ``entities`` (with each business's field and number of subjects) into the engine."""
    chunks = list(extract.chunks(entity_ids, session))
    base = _concat(
        [extract.to_arrow(session, _entities_select(session, c), ENTITY_SCHEMA) for c in chunks],
        ENTITY_SCHEMA,
    )
    subjects = _concat(
        [extract.to_arrow(session, _subjects_select(session, c), SUBJECT_SCHEMA) for c in chunks],
        SUBJECT_SCHEMA,
    )
    engine.load("entity_base", base)
    engine.load("subject_counts", subjects)
    params: dict[str, Any] = {}
    whens = []
    for i, (prefix, field) in enumerate(prefix_table()):
        params[f"p{i}"], params[f"f{i}"] = prefix, field
        prefix_param, field_param = engine.dialect.param(f"p{i}"), engine.dialect.param(f"f{i}")
        whens.append(
            f"WHEN starts_with(upper(coalesce(b.industry_code, '')), {prefix_param})"
            f" THEN {field_param}"
        )
    field_case = f"CASE {' '.join(whens)} ELSE 'general' END"
    # Only parameter markers are formatted in (hence S608 is safe here).
    table = engine.query(
        f"SELECT b.entity_id, b.region_code, {field_case} AS field, "  # noqa: S608
        "coalesce(b.capital_wan, 0) AS capital_wan, b.status, coalesce(s.n, 0) AS n_subjects "
        "FROM entity_base b LEFT JOIN subject_counts s ON s.entity_id = b.entity_id "
        "ORDER BY b.entity_id",
        params,
    )
    engine.load("entities", table)
    return int(table.num_rows)


@dataclass(frozen=True, slots=True)
class Loaded:
    entities: int
    events: int


def load(
    session: Session,
    engine: AnalyticsEngine,
    specs: Sequence[IndicatorSpec],
    *,
    since: dt.date,
    until: dt.date,
    entity_ids: Sequence[int] | None = None,
    with_outcomes: bool = False,
    mirror_at: MirrorAt | None = None,
) -> Loaded:
    """Load businesses and the records in [since, until) that the indicators (and, for training
    and backtests, the outcome) read."""
    extra = list(OUTCOMES) if with_outcomes else []
    entities = load_entities(session, engine, entity_ids)
    events = engine_service.load_events(
        session, engine, [*specs, *extra], since=since, until=until, entity_ids=entity_ids,
        mirror_at=mirror_at,
    )  # fmt: skip
    return Loaded(entities, events)


def numpy_columns(table: pa.Table, names: Sequence[str]) -> np.ndarray:
    """Columns of an Arrow table as one float matrix (rows × names)."""
    matrix = np.empty((table.num_rows, len(names)))
    for j, name in enumerate(names):  # filled column by column: no second copy of every column
        matrix[:, j] = table.column(name).to_numpy(zero_copy_only=False)
    return matrix
