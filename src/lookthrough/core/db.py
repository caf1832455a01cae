"""Engine, declarative base and the transaction boundary.

SQLite is the embedded default (WAL journal, ``synchronous=FULL`` so a committed transaction
survives power loss, foreign keys enforced). PostgreSQL is reached through psycopg 3. The edge
(a route, a CLI command, a job) owns the transaction: it opens ``session_scope()`` or the request
dependency, and commits once; services never commit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, text
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so migrations can name what they alter (SQLite batch mode needs it).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware.

    SQLite has no time zones: values are stored as naive UTC text that sorts correctly and
    compares with ``datetime('now')`` in triggers.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite opens transactions itself and breaks SAVEPOINT; hand that job to SQLAlchemy
    # (SQLAlchemy docs, "Serializable isolation / Savepoints / Transactional DDL").
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # 16 KiB pages (a new database only; SQLite keeps a file's page size): bulk imports into
    # indexed tables run a third faster than with the default 4 KiB (bench/RESULTS.md).
    cursor.execute("PRAGMA page_size=16384")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB of pages: big indexes stay in memory
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.execute("PRAGMA wal_autocheckpoint=8192")  # fold the WAL back every 128 MiB
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def _json(value: Any) -> str:
    # Chinese stays readable (and 3 bytes a character instead of 6) in JSON columns.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the platform's connection settings for SQLite or PostgreSQL."""
    url = normalise_url(url)
    kwargs.setdefault("json_serializer", _json)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # Connections move between the server's worker threads (never two at once: the pool
        # hands each to one user), so pysqlite's same-thread check must be off.
        connect_args = {"check_same_thread": False, **kwargs.pop("connect_args", {})}
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def plan_with_values(session: Session) -> None:
    """Have PostgreSQL plan this transaction's statements with their values, every time.

    psycopg prepares a statement on its fifth run on a connection; PostgreSQL may then switch
    to a generic plan, made without the values. For ``name LIKE $1`` that plan cannot use the
    trigram index (the pattern is unknown) and reads every name: a search went from 8 ms to
    200–700 ms once the server had run it five times (bench/RESULTS.md, the file). Searches
    call this first; most other statements gain from the generic plan and keep it.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


@lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    """One engine per database URL for the life of the process."""
    return make_engine(url)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A unit of work: commit if the block ends normally, roll back if it raises."""
    with transaction(session_factory(engine)) as session:
        yield session


@contextmanager
def transaction(factory: Callable[[], Session]) -> Iterator[Session]:
    """A unit of work on a session from ``factory`` (the app's, or a test's)."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
