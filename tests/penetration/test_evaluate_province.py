"""Penetration on a generated province, end to end: generate, import through the normal path,
then find the planted common causes with `lookthrough penetration evaluate`.

The province is ``small`` (20,000 businesses), the largest that generates, imports and is
analysed in about a minute on the project machine. Seed 3 gives it five elevator contractors, two
of them planted: with seeds whose whole province has one contractor (it maintains every
elevator) there is nothing to compare a contractor with, and no method could find it.

Complaints and public opinion name businesses in words. Entity resolution turns those mentions
into ``mention_link`` rows: the fixture runs it as `lookthrough resolve run` does (the rule
engine, the configured thresholds), so the whole chain — import, resolution, lists' problem
evidence, penetration — is the real one. Without any links the platform problem has only the
~15% of complaints that carry a credit code (figures for both are in bench/RESULTS.md).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from lookthrough.core.actor import Actor
from lookthrough.core.config import get_settings
from lookthrough.core.db import make_engine, session_factory, session_scope
from lookthrough.core.migrate import upgrade
from lookthrough.core.roles import Role
from lookthrough.ingest import manifest, service
from lookthrough.records.models import Record
from lookthrough.regions import service as regions_service
from lookthrough.registry.models import Entity
from lookthrough.resolution import run as resolution_run
from lookthrough.resolution import service as resolution_service
from lookthrough.resolution.engine import engine_named
from lookthrough.resolution.models import LINKED_STATUSES, MentionLink
from lookthrough.synth.generate import generate

SCALE, SEED = "small", 3


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Engine]:
    folder = tmp_path_factory.mktemp("province")
    generate(SCALE, SEED, folder)
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'province.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        regions_service.sync_divisions(session, actor=Actor.system("tests"))
    actor = Actor(user_id=None, username="tests:import", role=Role.PROVINCE_ANALYST,
                  jurisdiction="34", region="34")  # fmt: skip
    for job in manifest.plan(folder):
        summary = service.run_import(
            session_factory(engine), actor=actor, path=job.path,
            mapping=service.mapping_for(job.target, job.mapping), source=job.source,
        )  # fmt: skip
        assert summary.adds_up, job.path.name
    resolved = resolution_run.resolve_all(
        session_factory(engine), actor=actor, engine=engine_named("rules"),
        thresholds=resolution_service.thresholds_for(get_settings()),
    )  # fmt: skip
    assert resolved.statuses.get("auto", 0) > 0, resolved
    return folder, url, engine


def test_resolution_linked_the_mentions_to_the_businesses_they_meant(
    imported: tuple[Path, str, Engine],
) -> None:
    folder, _, engine = imported
    with session_scope(engine) as session:
        meant = _truth_links(session, folder)
        linked = dict(
            session.execute(
                select(MentionLink.record_id, MentionLink.entity_id).where(
                    MentionLink.status.in_(LINKED_STATUSES)
                )
            ).all()
        )
    assert linked, "resolution linked nothing"
    right = sum(meant.get(record_id) == entity_id for record_id, entity_id in linked.items())
    # The resolution bar of issue 4 (precision 0.98, recall 0.95), on the mentions of this run.
    assert right / len(linked) >= 0.98
    assert right / len(meant) >= 0.95


def _truth_links(session: Session, folder: Path) -> dict[str, int]:
    """Record id → the business its mention meant, from ``truth/mentions.csv``."""
    ids = dict(session.execute(select(Entity.uscc, Entity.id)).all())
    records = {
        (source, key): rid
        for rid, source, key in session.execute(
            select(Record.id, Record.source, Record.source_key).where(
                Record.kind.in_(["complaint", "public_opinion"]), Record.entity_id.is_(None)
            )
        )
    }
    meant = {}
    with (folder / "truth" / "mentions.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            record_id = records.get((row["source"], row["key"]))
            if record_id and row["uscc"] in ids:
                meant[record_id] = int(ids[row["uscc"]])
    return meant


def test_planted_causes_are_found_and_little_else(
    imported: tuple[Path, str, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, url, _ = imported
    monkeypatch.setenv("LOOKTHROUGH_DATABASE_URL", url)
    get_settings.cache_clear()
    from lookthrough.cli import app

    try:
        result = CliRunner().invoke(app, ["penetration", "evaluate", "--truth", str(folder),
                                          "--json"])  # fmt: skip
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["causes"] == len(json.loads((folder / "truth" / "causes.json").read_text()))
    assert figures["top3_recovery"] >= 0.90, figures["details"]
    assert figures["false_discovery_rate"] <= 0.10, figures["details"]
    assert figures["significant"] >= figures["recovered"] > 0


def test_every_reported_factor_shows_its_chain_of_evidence(
    imported: tuple[Path, str, Engine],
) -> None:
    from lookthrough.lists import signatures
    from lookthrough.penetration import analysis, evaluate

    _, _, engine = imported
    setup = evaluate.SETUPS["食用植物油酸价超标"]
    with session_scope(engine) as session:
        evidence: dict[int, list[str]] = {}
        for hit in signatures.hits(session, actor=evaluate.evaluator(), signature=setup.signature):
            if hit.unit_id is not None:
                evidence.setdefault(hit.unit_id, []).append(hit.record_id)
        result = analysis.analyse(session, population=setup.population, evidence=evidence)
    top = result.significant[0]
    assert top.factor_type == "supplier"
    sick = [c for c in top.chains if c.affected]
    assert len(sick) == min(top.affected, analysis.CHAINS)
    for chain in sick:
        assert chain.nodes[0].ref == top.ref
        assert len(chain.edges) == len(chain.nodes) - 1
        assert chain.records and all(r in evidence[int(chain.nodes[-1].ref.split(":")[1])]
                                     for r in chain.records)  # fmt: skip
    two_steps = [c for c in sick if len(c.nodes) == 3]
    assert two_steps, "the maker's oil reaches shops through wholesalers"
    assert two_steps[0].edges == ["供货", "供货"]
