"""Matters (versioned), problems proposed from records and decided by officials, and a kept
penetration run — on the real database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factories import make_entity, make_record
from lookthrough.audit.models import AuditEvent
from lookthrough.core.actor import Actor
from lookthrough.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from lookthrough.core.roles import Role
from lookthrough.lists import matters, problems, templates
from lookthrough.lists.models import MatterVersion, ProblemEvidence
from lookthrough.penetration import service as penetration
from lookthrough.registry.models import Relation
from lookthrough.risk import indicators as risk_indicators
from lookthrough.risk.models import Indicator

DIRTY = "后厨卫生状况差，地面有积水油污"


def official(region: str = "340104", role: Role = Role.COUNTY_OFFICIAL) -> Actor:
    return Actor(user_id=None, username=f"tests:{region}", role=role, jurisdiction=region,
                 region=region)  # fmt: skip


def _kitchen_world(db: Session) -> list[int]:
    """Twelve restaurants; the six supplied by one wholesaler have dirty kitchens."""
    supplier = make_entity(db, name="问题批发部")
    supplier.industry_code = "F5124"  # a wholesaler: not in the catering matter itself
    shops = [make_entity(db, name=f"测试饭店{n}") for n in range(12)]
    for n, shop in enumerate(shops):
        if n < 6:
            db.add(Relation(id=f"rel-{shop.id}", kind="supplies", from_type="entity",
                            from_id=supplier.id, to_type="entity", to_id=shop.id, attributes={},
                            source="tests", first_seen=shop.created_at,
                            last_seen=shop.created_at))  # fmt: skip
            inspection = make_record(db, entity=shop, kind="inspection")
            make_record(db, entity=shop, kind="finding", description=DIRTY, severity="较重")
            inspection.title = "检查"
        else:
            make_record(db, entity=shop, kind="finding", description="餐具消毒设施未正常使用")
    db.flush()
    return [s.id for s in shops]


def test_a_matter_from_a_template_is_versioned_on_every_change(db: Session) -> None:
    actor = official()
    matter = matters.create_from_template(db, actor=actor, template="catering")
    assert (matter.version, matter.region_code, matter.field) == (1, "340104", "food")
    data = matters.MatterIn(name="餐饮服务食品安全（2026）", risk_points=[], note="年度调整",
                            industry_prefixes=["H62"])  # fmt: skip
    matters.update(db, actor=actor, matter_id=matter.id, data=data)
    history = matters.versions(db, actor=actor, matter_id=matter.id)
    assert [v.version for v in history] == [2, 1]
    assert set(history[0].changed) == {"name", "description", "risk_points"}
    assert history[1].snapshot["risk_points"][0]["indicators"]
    with pytest.raises(Conflict):
        matters.update(db, actor=actor, matter_id=matter.id, data=data)  # nothing changed
    assert db.scalar(select(func.count()).select_from(MatterVersion)) == 2


def test_every_template_indicator_is_in_the_risk_library(db: Session) -> None:
    codes = templates.template_codes()
    assert codes and templates.unknown_indicators(db, sorted(codes)) == []
    shipped = {item["code"] for item in risk_indicators.default_library()}
    assert codes <= shipped


def test_a_matter_refuses_indicator_codes_the_risk_library_lacks(db: Session) -> None:
    actor = official()
    bad = matters.MatterIn(
        name="x",
        risk_points=[
            matters.RiskPointIn(
                code="A",
                name="a",
                indicators=["findings_24m", "trap_rate_x", "不是代码", "trap_rate_x"],
            )
        ],
    )
    unknown = "风险指标库中没有以下指标代码：trap_rate_x、不是代码"
    with pytest.raises(ValidationFailed, match=unknown):
        matters.create(db, actor=actor, code="x", field="food", data=bad)
    # A draft the province is still writing counts as known; a retired one does not.
    for code, status in (("trap_rate_x", "draft"), ("old_rate", "retired")):
        db.add(Indicator(code=code, version=1, status=status, definition={}, created_by="t",
                         created_at=datetime.now(UTC)))  # fmt: skip
    db.flush()
    assert templates.unknown_indicators(db, ["trap_rate_x", "old_rate"]) == ["old_rate"]


def test_a_matter_refuses_other_regions_and_inspectors(db: Session) -> None:
    actor = official()
    mine = matters.create_from_template(db, actor=actor, template="catering")
    with pytest.raises(NotFound):
        matters.get(db, actor=official("340103"), matter_id=mine.id)
    inspector = Actor(user_id=None, username="i", role=Role.INSPECTOR, jurisdiction="340104",
                      region="340104")  # fmt: skip
    with pytest.raises(PermissionDenied):
        matters.create_from_template(db, actor=inspector, template="catering")


def test_common_findings_are_proposed_then_confirmed_with_their_evidence(db: Session) -> None:
    shops = _kitchen_world(db)
    actor = official()
    matter = matters.create_from_template(db, actor=actor, template="catering")
    proposed = problems.propose(db, actor=actor, matter_id=matter.id)
    dirty = next(p for p in proposed if p.title == DIRTY)
    assert (dirty.records, dirty.businesses, dirty.severity) == (6, 6, "较重")
    assert sum(dirty.trend.values()) == 6
    again = problems.propose(db, actor=actor, matter_id=matter.id)
    assert dirty.id in {p.id for p in again}  # proposals are updated, not duplicated

    confirmed = problems.confirm(db, actor=actor, problem_id=dirty.id,
                                 manifestations=["地面积水油污"])  # fmt: skip
    assert confirmed.status == "confirmed" and confirmed.manifestations == ["地面积水油污"]
    evidence = problems.evidence(db, actor=actor, problem_id=dirty.id)
    assert set(evidence) == set(shops[:6])
    with pytest.raises(Conflict):
        problems.reject(db, actor=actor, problem_id=dirty.id, note="重复")
    assert db.scalar(
        select(func.count()).where(AuditEvent.kind == "lists.problem_decided")
    ) == 1  # fmt: skip


def test_proposals_merge_into_one_problem_or_are_rejected_with_a_reason(db: Session) -> None:
    _kitchen_world(db)
    actor = official()
    matter = matters.create_from_template(db, actor=actor, template="catering")
    proposed = {p.title: p for p in problems.propose(db, actor=actor, matter_id=matter.id)}
    a, b = proposed[DIRTY], proposed["餐具消毒设施未正常使用"]
    with pytest.raises(ValidationFailed):
        problems.reject(db, actor=actor, problem_id=a.id, note=" ")
    merged = problems.merge(db, actor=actor, problem_ids=[a.id, b.id], title="后厨卫生不达标")
    assert merged.status == "confirmed" and len(merged.signatures) == 2
    assert merged.records == 12 and merged.businesses == 12
    assert (a.status, a.merged_into_id) == ("merged", merged.id)
    n = db.scalar(select(func.count()).where(ProblemEvidence.problem_id == merged.id))
    assert n == 12


def test_penetration_of_a_confirmed_problem_is_kept_with_its_chains(db: Session) -> None:
    _kitchen_world(db)
    actor = official()
    matter = matters.create_from_template(db, actor=actor, template="catering")
    dirty = next(p for p in problems.propose(db, actor=actor, matter_id=matter.id)
                 if p.title == DIRTY)  # fmt: skip
    with pytest.raises(Conflict):
        penetration.run(db, actor=actor, problem_id=dirty.id)  # not confirmed yet
    problems.confirm(db, actor=actor, problem_id=dirty.id)
    made = penetration.run(db, actor=actor, problem_id=dirty.id)
    assert (made.universe, made.affected) == (12, 6)
    top = penetration.factors(db, run=made)[0]
    assert (top.factor_type, top.label, top.affected, top.members) == ("supplier", "问题批发部",
                                                                        6, 6)  # fmt: skip
    assert top.significant and top.q_value <= 0.05
    assert all(c["affected"] and c["records"] for c in top.chains)
    assert penetration.latest(db, actor=actor, problem_id=dirty.id) is made
    assert penetration.latest(db, actor=official("3401", Role.CITY_OFFICIAL),
                              problem_id=dirty.id) is made  # fmt: skip
    with pytest.raises(NotFound):
        penetration.get_run(db, actor=official("340103"), run_id=made.id)
