"""Fresh databases for imports, which commit per chunk and so cannot share a rolled-back one.

Each backend (SQLite, and PostgreSQL when ``LOOKTHROUGH_TEST_PG_URL`` is set) gets one template
database per test session, migrated and loaded with the divisions; every test that asks for a
database gets its own copy of it (a file copy, or ``CREATE DATABASE … TEMPLATE``), which is cheap.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from ingest_support import ENTITIES, ENTITY_HEADER, Database, run, write_csv
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from lookthrough.core.actor import Actor
from lookthrough.core.db import make_engine, normalise_url, session_factory, session_scope
from lookthrough.core.migrate import upgrade
from lookthrough.regions import service as regions_service

PG_URL = os.environ.get("LOOKTHROUGH_TEST_PG_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _pg_admin() -> Engine:
    assert PG_URL
    return create_engine(make_url(normalise_url(PG_URL)), isolation_level="AUTOCOMMIT")


def _pg_create(template: str | None = None) -> str:
    name = f"lt_ingest_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        suffix = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
    admin.dispose()
    return name


def _pg_drop(name: str) -> None:
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _pg_url(name: str) -> str:
    assert PG_URL
    return make_url(normalise_url(PG_URL)).set(database=name).render_as_string(False)


def _prepare(url: str) -> None:
    """Migrate and load the divisions, as `lookthrough db upgrade` does."""
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        regions_service.sync_divisions(session, actor=Actor.system("tests"))
        regions_service.mark_boundaries(session, regions_service.shipped_boundaries())
    engine.dispose()  # a PG template must have no connections; a SQLite file is checkpointed


@pytest.fixture(scope="session", params=BACKENDS)
def template_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A prepared database: a SQLite file path, or a PostgreSQL database name."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("template") / "template.db"
        _prepare(f"sqlite:///{path}")
        yield str(path)
        return
    name = _pg_create()
    try:
        _prepare(_pg_url(name))
        yield name
    finally:
        _pg_drop(name)


def _clone(template_db: str, folder: Path) -> tuple[Database, str | None]:
    """A copy of the template, and its PostgreSQL name (None for SQLite)."""
    if template_db.endswith(".db"):
        path = folder / f"copy-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(template_db, path)
        url, pg_name = f"sqlite:///{path}", None
    else:
        pg_name = _pg_create(template=template_db)
        url = _pg_url(pg_name)
    engine = make_engine(url)
    return Database(url, engine, session_factory(engine)), pg_name


def _discard(database: Database, pg_name: str | None) -> None:
    database.engine.dispose()
    if pg_name:
        _pg_drop(pg_name)


@pytest.fixture
def new_db(template_db: str, tmp_path: Path) -> Iterator[Callable[[], Database]]:
    """Make as many fresh copies of the template as a test needs; all are removed after it."""
    made: list[tuple[Database, str | None]] = []

    def make() -> Database:
        made.append(_clone(template_db, tmp_path))
        return made[-1][0]

    yield make
    for database, pg_name in made:
        _discard(database, pg_name)


@pytest.fixture
def fresh_db(new_db: Callable[[], Database]) -> Database:
    return new_db()


@pytest.fixture(scope="module")
def module_db(template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One fresh database for a whole module (an import its tests only read)."""
    database, pg_name = _clone(template_db, tmp_path_factory.mktemp("module"))
    yield database
    _discard(database, pg_name)


@pytest.fixture
def registered(fresh_db: Database, tmp_path: Path) -> Database:
    """A database holding the three businesses."""
    run(fresh_db, write_csv(tmp_path / "主体.csv", ENTITY_HEADER, ENTITIES), "entity")
    return fresh_db
