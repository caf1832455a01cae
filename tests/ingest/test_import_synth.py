"""Importing a whole synthetic province folder: every file adds up, and the quarantine holds
exactly the rows the generator planted with a mistake (truth/errors.csv) — no more, no fewer."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from ingest_support import Database, importer
from sqlalchemy import select

from lookthrough.ingest import manifest, service
from lookthrough.ingest.models import IngestBatch, QuarantineRow
from lookthrough.synth.generate import generate


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny-province")
    generate("tiny", 1, folder)
    return folder


def test_folder_imports_and_quarantines_exactly_the_planted_mistakes(
    province: Path, fresh_db: Database
) -> None:
    rows = {
        f["path"]: f["rows"] for f in json.loads((province / "manifest.json").read_text())["files"]
    }
    for job in manifest.plan(province):
        summary = service.run_import(
            fresh_db.factory,
            actor=importer(),
            path=job.path,
            mapping=service.mapping_for(job.target, job.mapping),
            source=job.source,
        )
        assert summary.adds_up, job.path.name
        assert summary.rows_read == rows.pop(job.path.name), job.path.name
    assert not rows, f"manifest files not imported: {sorted(rows)}"

    with (province / "truth" / "errors.csv").open(encoding="utf-8") as handle:
        planted = {(r["file"], int(r["row"])): r["column"] for r in csv.DictReader(handle)}
    assert planted, "the generator planted no mistakes to find"
    with fresh_db.factory() as session:
        held = session.execute(
            select(IngestBatch.file_name, QuarantineRow.row_no, QuarantineRow.problems).join(
                IngestBatch, IngestBatch.id == QuarantineRow.batch_id
            )
        ).all()
    found = {(name, row_no): problems for name, row_no, problems in held}
    assert set(found) == set(planted)
    for place, column in planted.items():
        assert column in {p["column"] for p in found[place]}, place
        assert all(p["reason"] for p in found[place]), place
