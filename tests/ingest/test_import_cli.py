"""`lookthrough import`: one file with --kind, or a folder with a manifest, and --json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ingest_support import (
    ENTITIES,
    ENTITY_HEADER,
    FINDING_HEADER,
    FINDINGS,
    INSPECTION_HEADER,
    INSPECTIONS,
    Database,
    records,
    write_csv,
)

from lookthrough.ingest import manifest

LOOKTHROUGH = str(Path(sys.executable).with_name("lookthrough"))


def write_folder(folder: Path) -> Path:
    """Businesses, inspections and findings, listed in the manifest in the wrong order."""
    folder.mkdir()
    write_csv(folder / "findings.csv", FINDING_HEADER, FINDINGS)
    write_csv(folder / "inspections.csv", INSPECTION_HEADER, INSPECTIONS)
    write_csv(folder / "businesses.csv", ENTITY_HEADER, ENTITIES)
    files = [
        ("findings.csv", "finding"),
        ("inspections.csv", "inspection"),
        ("businesses.csv", "entity"),
    ]
    data = {"files": [{"path": p, "target": t} for p, t in files]}
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def test_manifest_plan_puts_dependencies_first(tmp_path: Path) -> None:
    jobs = manifest.plan(write_folder(tmp_path / "bundle"))
    assert [(j.path.name, j.target) for j in jobs] == [
        ("businesses.csv", "entity"),
        ("inspections.csv", "inspection"),
        ("findings.csv", "finding"),
    ]


def cli(db: Database, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LOOKTHROUGH_DATABASE_URL": db.url, "LOOKTHROUGH_VAR_DIR": str(tmp_path)}
    return subprocess.run(
        [LOOKTHROUGH, "import", *args],
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_cli_imports_a_folder_in_dependency_order(fresh_db: Database, tmp_path: Path) -> None:
    done = cli(fresh_db, tmp_path, str(write_folder(tmp_path / "bundle")), "--json")
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert [(r["target"], r["accepted"], r["adds_up"]) for r in results] == [
        ("entity", 3, True),
        ("inspection", 3, True),
        ("finding", 3, True),
    ]
    findings = [r for r in records(fresh_db).values() if r["kind"] == "finding"]
    assert all(r["parent"] for r in findings), "findings were imported after their inspections"


def test_cli_json_for_one_file(fresh_db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "主体.csv", ENTITY_HEADER, [*ENTITIES, ENTITIES[0]])
    done = cli(fresh_db, tmp_path, str(path), "--kind", "entity", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == {
        "batch_id",
        "target",
        "file_name",
        "status",
        "rows_read",
        "accepted",
        "quarantined",
        "duplicates",
        "resumed_from",
        "adds_up",
    }
    assert (result["rows_read"], result["accepted"], result["duplicates"], result["adds_up"]) == (
        4,
        3,
        1,
        True,
    )


def test_cli_refused_file_exits_1_with_the_reason(fresh_db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "检查.csv", ["检查编号"], [["R1"]])
    done = cli(fresh_db, tmp_path, str(path), "--kind", "inspection")
    assert done.returncode == 1
    assert "缺少必需的列：检查日期" in done.stderr


def test_cli_file_without_kind_is_a_usage_error(fresh_db: Database, tmp_path: Path) -> None:
    done = cli(fresh_db, tmp_path, str(write_csv(tmp_path / "a.csv", ["a"], [["1"]])))
    assert done.returncode == 2
