"""Splink on DuckDB, offline, on a generated province — and the engine seam it sits behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lookthrough.resolution.engine import engine_named
from lookthrough.resolution.evaluate import evaluate
from lookthrough.resolution.rules import Thresholds
from lookthrough.resolution.splink_engine import SplinkEngine, duckdb_backend, offline_duckdb
from lookthrough.synth.generate import generate


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("splink-tiny")
    generate("tiny", 2, folder)
    return folder


def test_duckdb_may_not_fetch_or_load_extensions() -> None:
    con = offline_duckdb()
    query = (
        "select name, value from duckdb_settings() where name in "
        "('autoinstall_known_extensions', 'autoload_known_extensions')"
    )
    settings = dict(con.execute(query).fetchall())
    assert settings == {
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
    }
    with pytest.raises(Exception, match="httpfs"):
        con.execute("select * from read_parquet('https://example.invalid/x.parquet')")


def test_splink_links_a_tiny_province_offline(tiny: Path) -> None:
    """Splink's whole pipeline runs on a connection that cannot load an extension, and only
    extensions compiled into DuckDB are in use afterwards."""
    used: list[Any] = []

    def watched() -> Any:
        api = duckdb_backend()
        used.append(api)
        return api

    result = evaluate(tiny, thresholds=Thresholds(), engine=SplinkEngine(backend=watched))
    assert result.engine == "splink" and result.mentions > 100
    assert result.precision >= 0.98 and result.recall >= 0.9
    loaded = (
        used[0]
        ._con.execute("select extension_name, install_mode from duckdb_extensions() where loaded")
        .fetchall()
    )
    assert {mode for _, mode in loaded} == {"STATICALLY_LINKED"}, loaded


def test_engines_are_chosen_by_name() -> None:
    assert engine_named("rules").name == "rules"
    assert engine_named("splink").name == "splink"
    with pytest.raises(ValueError, match="spark"):
        engine_named("spark")
