"""A tiny synthetic province, imported once per backend into a database of its own (imports
commit, and their reader process must see the businesses), then one rolled-back transaction per
test on top of it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.db import make_engine, normalise_url, session_factory, session_scope
from lookthrough.core.migrate import upgrade
from lookthrough.core.roles import Role
from lookthrough.ingest import manifest, service
from lookthrough.regions import service as regions_service
from lookthrough.synth.generate import generate

ANALYST = Actor(None, "tests:analyst", Role.PROVINCE_ANALYST, "34", "34")
PG_URL = os.environ.get("LOOKTHROUGH_TEST_PG_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(scope="session")
def tiny_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny-risk")
    generate("tiny", 1, folder)
    return folder


def _admin() -> Engine:
    assert PG_URL
    return create_engine(make_url(normalise_url(PG_URL)), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="module", params=BACKENDS)
def tiny_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, tiny_folder: Path
) -> Iterator[Engine]:
    name = None
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('risk-db') / 'tiny.db'}")
    else:
        name = f"lt_risk_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin = _admin()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        engine = make_engine(make_url(normalise_url(PG_URL or "")).set(database=name))
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            regions_service.sync_divisions(session, actor=Actor.system("tests"))
        factory = session_factory(engine)
        for job in manifest.plan(tiny_folder):
            service.run_import(
                factory,
                actor=ANALYST,
                path=job.path,
                mapping=service.mapping_for(job.target, job.mapping),
                source=job.source,
            )
        yield engine
    finally:
        engine.dispose()
        if name:
            admin = _admin()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture
def tiny_db(tiny_engine: Engine) -> Iterator[Session]:
    connection = tiny_engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint",
                      expire_on_commit=False)  # fmt: skip
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()
