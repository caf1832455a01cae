"""成因清单: representative subjects, joint dissections and root causes linked to evidence."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from chain_world import BEFORE, build, enterprise, official
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factories import make_entity, make_record, scoring_run
from lookthrough.audit.models import AuditEvent
from lookthrough.core.errors import NotFound, PermissionDenied, ValidationFailed
from lookthrough.lists import causes, rules
from lookthrough.lists.causes import CauseIn, DissectionIn
from lookthrough.risk.models import Assessment

PANEL = [
    {"name": "王监管", "organisation": "蜀山区市场监督管理局", "kind": "regulator"},
    {"name": "李专家", "organisation": "合肥市食品药品检验中心", "kind": "technical"},
    {"name": "赵研究", "organisation": "安徽大学食品科学研究所", "kind": "research"},
]


def test_representatives_spread_over_strata_with_a_reason_each(db: Session) -> None:
    chain = build(db)
    risky = chain.dirty[2]  # a finding, a penalty and an abnormal-list entry: 高
    for kind in ("penalty", "abnormal_list"):
        make_record(db, entity=risky, kind=kind).occurred_at = BEFORE
    picked = causes.suggest(db, actor=chain.actor, problem_id=chain.problem.id, k=4)
    assert len(picked) == 4
    assert {s.candidate.entity_id for s in picked} <= {e.id for e in chain.dirty}
    strata = [(s.candidate.region_code[:6], s.candidate.size, s.candidate.risk) for s in picked]
    # Three strata (中型高风险, 中型中风险, 小型中风险): one business from each before a second.
    assert len(set(strata[:3])) == 3 and strata[3] in strata[:3]
    assert (picked[0].candidate.entity_id, picked[0].violations) == (risky.id, 3)
    assert picked[0].candidate.risk == "高" and picked[1].candidate.risk == "中"
    assert all("区划" in s.reason and "风险" in s.reason for s in picked)


def _assess(db: Session, entity_id: int, region: str, level: int) -> None:
    db.add(Assessment(entity_id=entity_id, region_code=region, field="catering",
                      model_id="logistic-test", run_id=scoring_run(db), digest=0,
                      probability=0.5, consequence=2.0, level=level,
                      top=[]))  # fmt: skip
    db.flush()


def test_representatives_read_the_risk_assessment_and_say_when_it_is_missing(
    db: Session,
) -> None:
    chain = build(db)
    assessed, low = chain.dirty[4], chain.dirty[5]
    _assess(db, assessed.id, assessed.region_code, level=1)  # I 级 重大 → 高
    _assess(db, low.id, low.region_code, level=4)  # IV 级 低 → 低, whatever its records say
    picked = {
        s.candidate.entity_id: s
        for s in causes.suggest(db, actor=chain.actor, problem_id=chain.problem.id, k=6)
    }
    first = next(iter(picked))
    assert first == assessed.id  # the only 高 business leads
    top = picked[assessed.id]
    assert (top.candidate.risk, top.level, top.violations) == ("高", 1, None)
    assert "风险评估 I级" in top.reason
    assert (picked[low.id].candidate.risk, picked[low.id].level) == ("低", 4)
    others = [s for e, s in picked.items() if e not in (assessed.id, low.id)]
    assert others and all(s.level is None and s.violations is not None for s in others)
    assert all("未作风险评估" in s.reason for s in others)


def test_an_assessment_outside_the_actor_region_is_not_read(db: Session) -> None:
    chain = build(db)
    far = chain.dirty[0]
    # An assessment filed under another county (the business moved): not this official's to read.
    _assess(db, far.id, "340103", level=1)
    risk = causes.risk_of(db, actor=chain.actor, entity_ids=[far.id], until=date(2026, 1, 1))
    assert risk[far.id].level is None and "未作风险评估" in risk[far.id].basis


def test_level_bands_table() -> None:
    assert [rules.level_band(level) for level in (1, 2, 3, 4)] == ["高", "高", "中", "低"]


def test_representatives_table() -> None:
    c = rules.Candidate
    pool = [
        c(1, "甲", "340104001", "小", "高", 5), c(2, "乙", "340104001", "小", "高", 9),
        c(3, "丙", "340103001", "大", "低", 1), c(4, "丁", "340104002", "中", "中", 2),
    ]  # fmt: skip
    picked = [(x.entity_id, reason) for x, reason in rules.representatives(pool, k=3)]
    assert [i for i, _ in picked] == [2, 4, 3]  # high risk first, then 中, then 低
    assert "9 条" in picked[0][1]
    assert [x.entity_id for x, _ in rules.representatives(pool, k=4)][-1] == 1


def test_risk_proxy_counts_violations_in_the_year_up_to_the_date(db: Session) -> None:
    shop = make_entity(db)
    for kind, days in (("penalty", 10), ("finding", 200), ("abnormal_list", 400), ("licence", 5)):
        record = make_record(db, entity=shop, kind=kind)
        record.occurred_at = record.occurred_at - timedelta(days=days)
    counted = causes.risk_proxy(db, entity_ids=[shop.id], until=date(2026, 1, 1))
    assert counted == {shop.id: 2}
    assert rules.risk_band(2) == "中" and rules.risk_band(3) == "高" and rules.risk_band(0) == "低"


def test_a_dissection_needs_regulators_with_experts_and_subjects_in_scope(db: Session) -> None:
    chain = build(db)
    actor = chain.actor
    data = DissectionIn(held_on=date(2026, 3, 1), place="区局会议室", summary="后厨排查",
                        participants=PANEL, subjects=[{"entity_id": chain.dirty[0].id,
                                                       "reason": "问题记录最多"}])  # fmt: skip
    made = causes.record_dissection(db, actor=actor, problem_id=chain.problem.id, data=data)
    assert made.region_code == "340104" and len(made.participants) == 3
    assert causes.dissections(db, actor=actor, problem_id=chain.problem.id) == [made]

    far = make_entity(db, region="340103", name="庐阳饭店")
    for change, error, match in (
        ({"participants": PANEL[:1]}, ValidationFailed, "技术机构或科研院所"),
        ({"participants": PANEL[1:]}, ValidationFailed, "监管部门"),
        ({"held_on": date.today() + timedelta(days=3)}, ValidationFailed, "晚于今天"),
        ({"subjects": [{"entity_id": far.id, "reason": "x"}]}, NotFound, "管辖范围"),
    ):
        wrong = DissectionIn.model_validate({**data.model_dump(), **change})
        with pytest.raises(error, match=match):
            causes.record_dissection(db, actor=actor, problem_id=chain.problem.id, data=wrong)
    n = db.scalar(select(func.count()).where(AuditEvent.kind == "lists.dissection_recorded"))
    assert n == 1


def test_a_root_cause_links_records_or_a_penetration_factor(db: Session) -> None:
    chain = build(db)
    actor = chain.actor
    run_factors = causes.factor_refs(db, actor=actor, problem_id=chain.problem.id)
    supplier_ref = f"supplier:entity:{chain.supplier.id}"
    assert run_factors[supplier_ref] == "问题批发部"
    evidence = make_record(db, entity=chain.dirty[0], kind="inspection")
    cause = causes.record_cause(
        db, actor=actor, problem_id=chain.problem.id,
        data=CauseIn(category="责任落实", description="批发部未落实进货查验，问题油脂流入饭店",
                     evidence_records=[evidence.id, evidence.id], factor=supplier_ref),
    )  # fmt: skip
    assert cause.evidence_records == [evidence.id] and cause.factor == supplier_ref
    listed, total = causes.search(db, actor=official("3401"), matter_id=chain.matter.id)
    assert total == 1 and listed[0][0].id == cause.id

    with pytest.raises(ValidationFailed, match="须关联证据"):
        causes.record_cause(db, actor=actor, problem_id=chain.problem.id,
                            data=CauseIn(category="管理制度", description="没有证据"))  # fmt: skip
    with pytest.raises(ValidationFailed, match="穿透分析结果"):
        causes.record_cause(db, actor=actor, problem_id=chain.problem.id,
                            data=CauseIn(category="管理制度", description="x",
                                         factor="address:不存在"))  # fmt: skip
    elsewhere = make_record(db, entity=make_entity(db, region="340103"), kind="inspection")
    with pytest.raises(NotFound):
        causes.record_cause(db, actor=actor, problem_id=chain.problem.id,
                            data=CauseIn(category="管理制度", description="x",
                                         evidence_records=[elsewhere.id]))  # fmt: skip


def test_causes_are_for_officials_of_the_problem_region(db: Session) -> None:
    chain = build(db)
    with pytest.raises(NotFound):
        causes.causes(db, actor=official("340103"), problem_id=chain.problem.id)
    with pytest.raises(PermissionDenied):
        causes.suggest(db, actor=enterprise(chain.dirty[0]), problem_id=chain.problem.id)
    with pytest.raises(PermissionDenied):
        causes.record_cause(db, actor=enterprise(chain.dirty[0]), problem_id=chain.problem.id,
                            data=CauseIn(category="管理制度", description="x",
                                         factor="x"))  # fmt: skip
