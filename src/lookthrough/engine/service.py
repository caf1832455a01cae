"""Computing indicators: extract what the definitions read, load it, run the compiled SQL.

Other domains call this (through ``risk``), never the compiler or the extractor directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pyarrow as pa
from sqlalchemy.orm import Session

from lookthrough.engine import extract, mirror
from lookthrough.engine.compile import features_sql, lookback_days, payload_columns
from lookthrough.engine.definitions import IndicatorSpec
from lookthrough.engine.seam import AnalyticsEngine


def kinds_read(specs: Sequence[IndicatorSpec]) -> set[str]:
    return set().union(*(s.record_kinds for s in specs)) if specs else set()


def load_events(
    session: Session,
    engine: AnalyticsEngine,
    specs: Sequence[IndicatorSpec],
    *,
    since: dt.date,
    until: dt.date,
    entity_ids: Sequence[int] | None = None,
    extra_kinds: Sequence[str] = (),
    extra_payload: dict[str, set[str]] | None = None,
    mirror_at: mirror.MirrorAt | None = None,
) -> int:
    """Load into the engine, as ``events``, the records the definitions read in [since, until)
    (of some businesses only, when ``entity_ids`` is given). Returns the number of rows.
    With ``mirror_at`` they are read from the records' analytics copy, brought up to date
    first (see ``mirror``); the rows are the same."""
    payload = payload_columns(list(specs))
    for name, kinds in (extra_payload or {}).items():
        payload.setdefault(name, set()).update(kinds)
    kinds = kinds_read(specs) | set(extra_kinds)
    if mirror_at is not None:
        parts = mirror.refresh(
            session, folder=mirror_at.folder, kinds=kinds, payload=payload,
            upto=mirror_at.watermark,
        )  # fmt: skip
        return mirror.load_events(
            session, engine, parts, kinds=kinds, payload=payload, since=since, until=until,
            entity_ids=entity_ids,
        )  # fmt: skip
    schema = extract.events_schema(payload)
    parts = [
        extract.to_arrow(
            session,
            extract.events_select(
                session, kinds=kinds, payload=payload, since=since, until=until, entity_ids=chunk
            ),
            schema,
        )
        for chunk in extract.chunks(entity_ids, session)
    ]
    table = pa.concat_tables(parts) if parts else schema.empty_table()
    engine.load("events", table)
    return int(table.num_rows)


def earliest_needed(specs: Sequence[IndicatorSpec], as_of: dt.date) -> dt.date:
    return as_of - dt.timedelta(days=lookback_days(list(specs)))


def features(engine: AnalyticsEngine, specs: Sequence[IndicatorSpec], as_of: dt.date) -> pa.Table:
    """One row per business in the engine's ``entities`` table, one column per indicator."""
    sql, params = features_sql(list(specs), as_of, engine.dialect)
    return engine.query(sql, params)
