"""A draw reads the credit classes and risk levels the risk engine stored: stratified by them,
the plan's own table winning where it names a business, and still re-runnable from the file."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session
from typer.testing import CliRunner

from factories import make_entity, scoring_run
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.core.roles import Role
from lookthrough.inspection import cli as inspection_cli
from lookthrough.inspection import commit_reveal, publication, risk_inputs, service
from lookthrough.inspection.schemas import PlanFile
from lookthrough.registry.models import Entity
from lookthrough.risk.models import Assessment, CreditClass

SETTINGS = Settings(database_url="sqlite://")
COUNTY = Actor(user_id=None, username="classes", role=Role.COUNTY_OFFICIAL,
               jurisdiction="340104", region="340104")  # fmt: skip
RATIOS = {"A": "0", "B": "0.1", "C": "0.3", "D": "0.5"}


def classify(db: Session, entity: Entity, grade: str, level: int | None = None) -> None:
    """The rows a risk run leaves: the general class, and the assessment when given a level."""
    run = scoring_run(db, as_of=dt.date(2026, 11, 30))
    db.add(CreditClass(entity_id=entity.id, domain="general", region_code=entity.region_code,
                       grade=grade, probability=0.1, model_id="tests", run_id=run,
                       digest=0))  # fmt: skip
    if level is not None:
        db.add(Assessment(entity_id=entity.id, region_code=entity.region_code, field="general",
                          model_id="tests", run_id=run, digest=0,
                          probability=0.1, consequence=1.0, level=level, top=[]))  # fmt: skip
    db.flush()


def plan(code: str, **extra: Any) -> PlanFile:
    return PlanFile.model_validate(
        {
            "code": code, "name": "分类抽查", "year": 2026, "subjects": {"region": "340104"},
            "ratios": RATIOS, "cap": 2,
            "items": [{"code": f"{code}-1", "name": "公示信息", "department": "市场监管"}],
            "inspectors": [
                {"code": f"{code}-Z{n}", "name": f"执法{n}", "department": "市场监管",
                 "region_code": "340104", "qualifications": []}
                for n in range(3)
            ],
            **extra,
        }
    )  # fmt: skip


def drawn_plan(db: Session, code: str, table: dict[str, list[str | None]] | None = None) -> Any:
    now = clock.utcnow()
    made = service.create_plan(
        db, actor=COUNTY, settings=SETTINGS, plan=plan(code), classes=table,
        classes_source="测试分类表" if table else "", now=now,
    )  # fmt: skip
    commit_reveal.commit(db, actor=COUNTY, plan_id=made.id, now=now)
    return commit_reveal.reveal_and_draw(
        db, actor=COUNTY, settings=SETTINGS, plan_id=made.id, now=now
    )


def test_a_draw_is_stratified_by_the_classes_the_risk_engine_stored(
    db: Session, tmp_path: Path
) -> None:
    grades = {g: [make_entity(db, region="340104001") for _ in range(10)] for g in "ABCD"}
    for grade, businesses in grades.items():
        for business in businesses:
            classify(db, business, grade, level=1 if grade == "D" else 4)
    made = drawn_plan(db, "RISK-CLASS-1")
    doc = commit_reveal.published_file(made)
    by_key = {str(e.uscc): g for g, es in grades.items() for e in es}
    assert dict(doc["candidates"]) == by_key  # every stratum is the stored class
    drawn = [by_key[s["key"]] for s in doc["subjects"]]
    assert drawn.count("A") == 0  # A is not drawn proactively
    for grade in "BCD":
        assert drawn.count(grade) == math.ceil(10 * float(RATIOS[grade])), grade
    assert not made.classes_missing and "风险评估系统" in made.classes_source
    assert doc["classes_source"] == made.classes_source
    assert all(c.ok for c in publication.verify(doc))
    published = tmp_path / "draw.json"
    published.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(inspection_cli.app, ["verify-draw", str(published), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["match"] is True


def test_the_plans_table_wins_where_it_names_a_business(db: Session) -> None:
    stored_d = [make_entity(db, region="340104001") for _ in range(4)]
    for business in stored_d:
        classify(db, business, "D")
    overridden = stored_d[0]
    made = drawn_plan(db, "RISK-CLASS-2", table={str(overridden.uscc): ["A", None]})
    strata = dict(commit_reveal.published_file(made)["candidates"])
    assert strata[str(overridden.uscc)] == "A"
    assert {strata[str(b.uscc)] for b in stored_d[1:]} == {"D"}
    assert made.classes_source.startswith("计划提供的信用分类表")


def test_a_risk_filter_uses_the_stored_levels(db: Session) -> None:
    major, low = make_entity(db, region="340104001"), make_entity(db, region="340104001")
    classify(db, major, "C", level=1)
    classify(db, low, "C", level=4)
    now = clock.utcnow()
    made = service.create_plan(
        db, actor=COUNTY, settings=SETTINGS, now=now, classes=None, classes_source="",
        plan=plan("RISK-CLASS-3", subjects={"region": "340104", "risk_levels": ["I"]}),
    )  # fmt: skip
    commit_reveal.commit(db, actor=COUNTY, plan_id=made.id, now=now)
    assert [k for k, _ in commit_reveal.published_file(made)["candidates"]] == [major.uscc]


def test_without_any_class_the_plan_says_so(db: Session) -> None:
    make_entity(db, region="340104001")
    made = drawn_plan(db, "RISK-CLASS-4")
    assert made.classes_missing and made.classes_source.startswith(risk_inputs.MISSING)
    assert set(dict(commit_reveal.published_file(made)["candidates"]).values()) == {"U"}


def test_lookup_merges_the_table_over_the_stored_classes() -> None:
    found = risk_inputs.lookup(
        keys=["K1", "K2", "K3"], grades=["B", None, "D"], levels=[2, None, None],
        given={"K3": ["A", "I"], "K9": ["C", None]},
    )  # fmt: skip
    assert [chr(c) if c else "" for c in found.classes.tolist()] == ["B", "", "A"]
    assert found.risk.tolist() == [2, 0, 1]
    assert not found.missing and "其中 1 户为候选" in found.source
