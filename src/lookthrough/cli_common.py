"""What every command-line command shares: settings, a transaction, the CLI actor."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings, get_settings
from lookthrough.core.db import engine_for, session_scope


def settings_for_cli() -> Settings:
    return get_settings()


@contextmanager
def open_session(settings: Settings) -> Iterator[Session]:
    """One transaction for one command: committed when the command succeeds."""
    with session_scope(engine_for(settings.database_url)) as session:
        yield session


def cli_actor(command: str) -> Actor:
    """Commands act as the province-level system administrator, named after the command."""
    return Actor.system(f"cli {command}")
