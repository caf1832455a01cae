"""The embedded database is configured for durability; both backends enforce the schema."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from factories import make_entity
from lookthrough.core.db import make_engine, normalise_url


def test_sqlite_pragmas(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/p.db")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_postgres_urls_use_psycopg3() -> None:
    assert normalise_url("postgresql://u@h:5432/d").startswith("postgresql+psycopg://")
    assert normalise_url("postgres://u@h/d").startswith("postgresql+psycopg://")
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_foreign_keys_are_enforced(db: Session) -> None:
    with pytest.raises(IntegrityError), db.begin_nested():
        make_entity(db, region="999999")


def test_timestamps_come_back_aware_utc(db: Session) -> None:
    entity = make_entity(db)
    entity.created_at = datetime(2026, 5, 1, 8, 0, tzinfo=timezone(timedelta(hours=8)))
    db.flush()
    db.expire_all()
    assert entity.created_at == datetime(2026, 5, 1, 0, 0, tzinfo=UTC)
    assert entity.created_at.tzinfo is not None


def test_savepoints_work(db: Session, engine: Engine) -> None:
    first = make_entity(db)
    with pytest.raises(IntegrityError), db.begin_nested():
        make_entity(db, uscc=first.uscc)
    assert (
        db.execute(text("SELECT count(*) FROM entity WHERE id = :i"), {"i": first.id}).scalar() == 1
    )
