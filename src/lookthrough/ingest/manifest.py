"""A folder of files with a ``manifest.json`` (what ``lookthrough synth`` writes), imported in
dependency order: businesses before the subjects they own, subjects before relations and records,
inspections before their findings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from lookthrough.core.errors import FileRejected

# Targets that others refer to come first; within a rank, the manifest's order is kept.
RANK = {"entity": 0, "subject": 1, "relation": 2, "finding": 4}
RECORD_RANK = 3


@dataclass(frozen=True, slots=True)
class Job:
    path: Path
    target: str
    mapping: Path | None = None
    source: str | None = None


def plan(folder: Path) -> list[Job]:
    """The files of a folder's manifest, in the order they must be imported."""
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        raise FileRejected(f"文件夹 {folder} 中没有 manifest.json")
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        files = data["files"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise FileRejected(f"manifest.json 格式错误：{error}") from error
    jobs = []
    for entry in files:
        path = folder / entry["path"]
        if not path.is_file():
            raise FileRejected(f"manifest.json 列出的文件不存在：{entry['path']}")
        mapping = folder / entry["mapping"] if entry.get("mapping") else None
        jobs.append(
            Job(path=path, target=entry["target"], mapping=mapping, source=entry.get("source"))
        )
    order = {id(job): index for index, job in enumerate(jobs)}
    return sorted(jobs, key=lambda j: (RANK.get(j.target, RECORD_RANK), order[id(j)]))
