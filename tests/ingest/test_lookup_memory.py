"""The batch's memory of looked-up keys forgets without losing the parcel at hand."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from factories import make_entity
from lookthrough.ingest import sql
from lookthrough.ingest.service import mapping_for
from lookthrough.registry.models import Entity


def _context() -> sql.Context:
    return sql.Context(
        mapping=mapping_for("shipment"),
        source="tests",
        batch_id="b",
        scope="34",
        now=datetime(2026, 1, 1, tzinfo=UTC),
        columns={},
    )


def test_keys_known_before_the_memory_is_cleared_are_still_found(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sql, "MEMO_LIMIT", 2)
    entities = [make_entity(db) for _ in range(5)]
    keys = [e.key for e in entities]
    ctx = _context()
    assert len(sql.remembered(db, ctx, "entity", Entity.key, keys[:3], Entity.id)) == 3
    # a parcel naming two remembered businesses and one new one, once the memory is full
    found = sql.remembered(db, ctx, "entity", Entity.key, [keys[0], keys[1], keys[3]], Entity.id)
    assert set(found) == {keys[0], keys[1], keys[3]}
    assert found[keys[0]].id == entities[0].id
