"""Alembic environment: one migration chain for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic import context
from sqlalchemy import Connection

from lookthrough.core.config import get_settings
from lookthrough.core.db import make_engine
from lookthrough.core.models import Base

config = context.config
target_metadata = Base.metadata


def _for_this_dialect(dialect: str) -> Callable[..., bool]:
    """Leave out of the comparison what a model marks as another database's only
    (``info={"dialects": ("postgresql",)}``, e.g. trigram indexes)."""

    def include(obj: Any, _name: str | None, _type: str, reflected: bool, compare_to: Any) -> bool:
        model = compare_to if reflected else obj
        dialects = getattr(model, "info", {}).get("dialects") if model is not None else None
        return dialects is None or dialect in dialects

    return include


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_for_this_dialect(connection.dialect.name),
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("离线（--sql）模式不受支持，请直接连接数据库执行迁移")
run_online()
