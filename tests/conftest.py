"""Test fixtures: a real database per backend, one rolled-back transaction per test.

Every test that uses ``db`` (or ``client``) runs on SQLite, and again on PostgreSQL when
``LOOKTHROUGH_TEST_PG_URL`` points at a server (CI sets it). Each backend gets a fresh database,
migrated with the real migrations and loaded with the shipped divisions once per test session.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from lookthrough.api.app import create_app
from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.core.db import make_engine, normalise_url, session_scope
from lookthrough.core.migrate import upgrade
from lookthrough.regions import service as regions_service

PG_URL = os.environ.get("LOOKTHROUGH_TEST_PG_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _fresh_pg_database() -> tuple[str, str]:
    """Create an empty database beside the one in LOOKTHROUGH_TEST_PG_URL; return both URLs."""
    assert PG_URL
    admin_url = make_url(normalise_url(PG_URL))
    name = f"lt_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.render_as_string(hide_password=False), admin_url.set(
        database=name
    ).render_as_string(hide_password=False)


def _drop_pg_database(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def prepare(engine: Engine) -> None:
    """Migrate and load the divisions, as `lookthrough db upgrade` does."""
    upgrade(engine)
    with session_scope(engine) as session:
        regions_service.sync_divisions(session, actor=Actor.system("tests"))
        regions_service.mark_boundaries(session, regions_service.shipped_boundaries())


@pytest.fixture(scope="session", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "test.db"
        eng = make_engine(f"sqlite:///{path}")
        prepare(eng)
        yield eng
        eng.dispose()
        return
    admin_url, url = _fresh_pg_database()
    eng = make_engine(url)
    try:
        prepare(eng)
        yield eng
    finally:
        eng.dispose()
        _drop_pg_database(admin_url, make_url(url).database or "")


@pytest.fixture
def connection(engine: Engine) -> Iterator[object]:
    conn = engine.connect()
    outer = conn.begin()
    try:
        yield conn
    finally:
        outer.rollback()
        conn.close()


def _session_on(conn: object) -> Session:
    return Session(
        bind=conn,  # type: ignore[arg-type]
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
    )


@pytest.fixture
def db(connection: object) -> Iterator[Session]:
    """A session whose every commit is a savepoint inside one transaction rolled back at the end."""
    session = _session_on(connection)
    yield session
    session.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url="sqlite://", var_dir=tmp_path)  # engine comes from `engine`


@pytest.fixture
def app(engine: Engine, connection: object, settings: Settings) -> FastAPI:
    application = create_app(settings, engine)
    # Requests run on the test's connection, so they see its data and are rolled back with it.
    application.state.sessionmaker = lambda: _session_on(connection)
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client
