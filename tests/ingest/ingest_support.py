"""Helpers shared by the import tests (conftest cannot be imported by name)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from lookthrough.core.actor import Actor
from lookthrough.core.roles import Role


@dataclass
class Database:
    url: str
    engine: Engine
    factory: sessionmaker[Session]

    @property
    def backend(self) -> str:
        return self.engine.dialect.name


def importer(region: str = "34") -> Actor:
    """The actor `lookthrough import` uses: a province analyst looking at ``region``."""
    return Actor(
        user_id=None,
        username="tests:import",
        role=Role.PROVINCE_ANALYST,
        jurisdiction="34",
        region=region,
    )


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path
