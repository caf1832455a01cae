"""A small catering chain for the lists tests: twelve restaurants in 蜀山区, the six supplied by
one wholesaler have dirty kitchens (findings dated in 2025), a confirmed problem and its kept
penetration run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from factories import make_entity, make_record
from lookthrough.core.actor import Actor
from lookthrough.core.roles import Role
from lookthrough.lists import matters, problems
from lookthrough.lists.models import Matter, Problem
from lookthrough.penetration import service as penetration
from lookthrough.records.models import Record
from lookthrough.registry.models import Entity, Relation

DIRTY = "后厨卫生状况差，地面有积水油污"
BEFORE = datetime(2025, 3, 1, tzinfo=UTC)


def official(region: str = "340104", role: Role = Role.COUNTY_OFFICIAL) -> Actor:
    return Actor(user_id=None, username=f"tests:{region}", role=role, jurisdiction=region,
                 region=region)  # fmt: skip


def enterprise(entity: Entity) -> Actor:
    return Actor(user_id=None, username=f"tests:e{entity.id}", role=Role.ENTERPRISE,
                 jurisdiction=entity.region_code, region=entity.region_code,
                 entity_id=entity.id)  # fmt: skip


def dirty_finding(db: Session, shop: Entity, at: datetime) -> Record:
    record = make_record(db, entity=shop, kind="finding", description=DIRTY, severity="较重")
    record.occurred_at = at
    db.flush()
    return record


def inspection(db: Session, shop: Entity, at: datetime, result: str = "未发现问题") -> Record:
    record = make_record(db, entity=shop, kind="inspection", result=result)
    record.occurred_at = at
    db.flush()
    return record


@dataclass
class Chain:
    matter: Matter
    problem: Problem
    supplier: Entity
    dirty: list[Entity]  # supplied by the wholesaler, dirty kitchens
    clean: list[Entity]
    actor: Actor


def build(db: Session, *, run: bool = True) -> Chain:
    actor = official()
    supplier = make_entity(db, name="问题批发部")
    supplier.industry_code = "F5124"  # a wholesaler: not in the catering matter itself
    supplier.legal_rep = "钱批发"
    shops = [make_entity(db, name=f"测试饭店{n}") for n in range(12)]
    for n, shop in enumerate(shops):
        shop.capital_wan = 50 if n % 2 else 500  # type: ignore[assignment]
        if n < 6:
            db.add(Relation(id=f"rel-{shop.id}", kind="supplies", from_type="entity",
                            from_id=supplier.id, to_type="entity", to_id=shop.id, attributes={},
                            source="tests", first_seen=shop.created_at,
                            last_seen=shop.created_at))  # fmt: skip
            dirty_finding(db, shop, BEFORE)
        else:
            make_record(db, entity=shop, kind="finding", description="餐具消毒设施未正常使用")
    penalty = make_record(db, entity=shops[0], kind="penalty", case_no="蜀市监罚〔2025〕1号",
                          violation="后厨卫生不达标")  # fmt: skip
    penalty.occurred_at = BEFORE
    db.flush()
    matter = matters.create_from_template(db, actor=actor, template="catering")
    dirty = next(p for p in problems.propose(db, actor=actor, matter_id=matter.id)
                 if p.title == DIRTY)  # fmt: skip
    problems.confirm(db, actor=actor, problem_id=dirty.id, manifestations=["地面积水油污"])
    if run:
        penetration.run(db, actor=actor, problem_id=dirty.id)
    return Chain(matter, dirty, supplier, shops[:6], shops[6:], actor)
