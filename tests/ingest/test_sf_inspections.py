"""A foreign schema without code: San Francisco restaurant inspections through mapping files.

The data set lives in ../shared/data/sf-inspections (businesses, inspections, violations in the
LIVES format, cp1252); the mapping files in examples/mappings/sf-inspections turn it into
businesses, inspections and findings. Skipped where ../shared is not checked out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_support import Database, analyse_like_autovacuum, importer
from sqlalchemy import func, select

from lookthrough.ingest import service
from lookthrough.ingest.service import BatchSummary
from lookthrough.records.models import Record
from lookthrough.registry.models import Entity

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "../shared/data/sf-inspections"
MAPPINGS = ROOT / "examples/mappings/sf-inspections"
SCOPE = "340104"  # businesses.yaml places them in the importing bureau's county by default
FILES = [  # in dependency order
    ("businesses.csv", "businesses.yaml", "entity"),
    ("inspections.csv", "inspections.yaml", "inspection"),
    ("violations.csv", "violations.yaml", "finding"),
]

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def imported(module_db: Database) -> dict[str, BatchSummary]:
    """The three files imported once; the tests read what they left."""
    if not DATA.is_dir():
        pytest.skip("../shared/data/sf-inspections not present")
    return {
        target: service.run_import(
            module_db.factory,
            actor=importer(SCOPE),
            path=DATA / name,
            mapping=service.mapping_for(target, MAPPINGS / mapping),
            scope=SCOPE,
        )
        for name, mapping, target in FILES
    }


def counts(summary: BatchSummary) -> tuple[int, int, int, int]:
    return (summary.rows_read, summary.accepted, summary.quarantined, summary.duplicates)


def test_every_business_is_accepted(imported: dict[str, BatchSummary]) -> None:
    assert counts(imported["entity"]) == (6399, 6399, 0, 0)


def test_inspections_are_read_with_one_duplicate(imported: dict[str, BatchSummary]) -> None:
    summary = imported["inspection"]
    assert (summary.rows_read, summary.duplicates) == (14233, 1)
    assert summary.adds_up


def test_every_violation_is_read_and_accounted_for(imported: dict[str, BatchSummary]) -> None:
    summary = imported["finding"]
    assert summary.rows_read == 39006
    assert summary.adds_up


def test_businesses_keep_their_foreign_key_and_bureau_region(
    imported: dict[str, BatchSummary], module_db: Database
) -> None:
    with module_db.factory() as session:
        entity = session.scalars(select(Entity).where(Entity.key == "sf-inspections:19")).one()
    assert (entity.uscc, entity.name, entity.region_code) == (None, "NRGIZE LIFESTYLE CAFE", SCOPE)
    assert entity.entity_type == "餐饮服务"


def test_inspections_belong_to_their_business(
    imported: dict[str, BatchSummary], module_db: Database
) -> None:
    with module_db.factory() as session:
        orphans = session.scalar(
            select(func.count())
            .select_from(Record)
            .where(Record.kind == "inspection", Record.entity_id.is_(None))
        )
    assert orphans == 0


def test_most_findings_hang_under_the_same_day_inspection(
    imported: dict[str, BatchSummary], module_db: Database
) -> None:
    with module_db.factory() as session:
        findings = session.scalar(
            select(func.count()).select_from(Record).where(Record.kind == "finding")
        )
        with_parent = session.scalar(
            select(func.count())
            .select_from(Record)
            .where(Record.kind == "finding", Record.parent_id.is_not(None))
        )
    assert findings == imported["finding"].accepted
    assert with_parent / findings > 0.95, f"{with_parent} of {findings} findings have a parent"


def test_a_parent_is_an_inspection_of_the_same_business_and_day(
    imported: dict[str, BatchSummary], module_db: Database
) -> None:
    with module_db.factory() as session:
        child = session.scalars(
            select(Record).where(Record.kind == "finding", Record.parent_id.is_not(None)).limit(1)
        ).one()
        parent = session.get(Record, child.parent_id)
    assert parent is not None and parent.kind == "inspection"
    assert (parent.entity_id, parent.occurred_at) == (child.entity_id, child.occurred_at)


def test_importing_again_adds_nothing(
    imported: dict[str, BatchSummary], module_db: Database
) -> None:
    analyse_like_autovacuum(module_db)  # a later import: autovacuum would have run by then
    again = service.run_import(
        module_db.factory,
        actor=importer(SCOPE),
        path=DATA / "violations.csv",
        mapping=service.mapping_for("finding", MAPPINGS / "violations.yaml"),
        scope=SCOPE,
    )
    first = imported["finding"]
    assert counts(again) == (
        first.rows_read,
        0,
        first.quarantined,
        first.accepted + first.duplicates,
    )
