"""Running the migrations from code (``lookthrough db upgrade``, tests, the demo)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

from lookthrough.core.db import normalise_url


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", "lookthrough:migrations")
    # Date-prefixed revision files, so the chain reads in order in a file listing.
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    if url:
        config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine) -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection=connection), "head")


def check(engine: Engine) -> None:
    """Raise when the models and the migrations disagree (alembic check)."""
    with engine.connect() as connection:
        command.check(alembic_config(connection=connection))
