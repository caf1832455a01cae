"""The docs stay true: every setting, CLI command and error is documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer.main

from lookthrough.cli import app
from lookthrough.core.config import Settings
from lookthrough.core.errors import all_errors

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_every_setting_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    missing = [
        name for name in Settings.model_fields if f"`LOOKTHROUGH_{name.upper()}`" not in text
    ]
    assert missing == [], f"undocumented settings: {missing}"


def _commands(group: Any, prefix: str = "lookthrough") -> list[str]:
    names = []
    for name, command in group.commands.items():
        full = f"{prefix} {name}"
        if hasattr(command, "commands"):
            names += _commands(command, full)
        else:
            names.append(full)
    return names


def test_every_cli_command_is_documented() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    commands = _commands(typer.main.get_command(app))
    assert "lookthrough users create" in commands
    missing = [c for c in commands if f"`{c}" not in text]
    assert missing == [], f"undocumented commands: {missing}"


def test_every_error_is_documented_with_its_status() -> None:
    text = (DOCS / "errors.md").read_text(encoding="utf-8")
    for error in all_errors():
        row = f"| `{error.__name__}` | {error.status} | `{error.code}` |"
        assert row in text, f"{error.__name__} missing or wrong in docs/errors.md"
