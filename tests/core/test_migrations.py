"""The migrations build exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import Engine, inspect

from lookthrough.core.db import make_engine
from lookthrough.core.migrate import alembic_config, check, upgrade

VERSIONS = Path(__file__).resolve().parents[2] / "src/lookthrough/migrations/versions"


def test_alembic_check_is_clean(engine: Engine) -> None:
    check(engine)  # raises when models and migrations disagree


def test_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/m.db")
    upgrade(engine)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection=connection), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert "audit_event" in inspect(engine).get_table_names()
    engine.dispose()


def test_revision_files_are_date_prefixed() -> None:
    names = [p.name for p in VERSIONS.glob("*.py")]
    assert names
    assert all(n[:4].isdigit() and n[4] == "_" and n[7] == "_" for n in names), names
