"""A small world around one business, 甲 (蜀山区), for the file's tests.

甲 has an elevator maintained by 维保 (also 蜀山区) and a shop on 平台 (庐阳区, outside 蜀山区); it
buys from 供应 and sells to 客户; 控制人 controls it and 壳 (same county, same legal rep); 邻 has
甲's address. Records: 甲's own, one corrected, one complaint linked to 甲 by name (with a
complainant), one linked complaint made in 庐阳区, one link still in review, list entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from factories import make_entity, make_record
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.roles import Role
from lookthrough.registry.models import Entity, Person, Relation, Subject
from lookthrough.resolution.models import MentionLink

ADDRESS = "安徽省合肥市蜀山区测试路88号"
COMPLAINANT = ("钱投诉", "13955550001")


@dataclass
class ProfileWorld:
    entities: dict[str, Entity]
    records: dict[str, str]
    person: Person
    subjects: dict[str, Subject]

    def id(self, key: str) -> int:
        return self.entities[key].id


def _prov() -> dict[str, object]:
    now = clock.utcnow()
    return {"source": "tests", "first_seen": now, "last_seen": now}


def relate(db: Session, kind: str, from_: tuple[str, int], to: tuple[str, int]) -> None:
    n = db.query(Relation).count()
    db.add(
        Relation(id=f"t-rel-{n}-{kind}-{from_[1]}-{to[1]}", kind=kind, from_type=from_[0],
                 from_id=from_[1], to_type=to[0], to_id=to[1], attributes={}, **_prov())
    )  # fmt: skip
    db.flush()


def link(
    db: Session, record_id: str, entity: Entity, *, status: str = "auto", score: float = 0.93
) -> None:
    db.add(
        MentionLink(record_id=record_id, entity_id=entity.id, score=score, status=status,
                    reasons=["名称相同"], method="rules", updated_at=clock.utcnow())
    )  # fmt: skip
    db.flush()


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 2, tzinfo=UTC)


def build(db: Session) -> ProfileWorld:
    e = {
        "甲": make_entity(db, region="340104001", name="蜀山区德诚粮油店", legal_rep="孙甲方",
                         phone="13800001111"),
        "壳": make_entity(db, region="340104002", name="蜀山区壳一商贸有限公司",
                         legal_rep="孙甲方"),
        "远壳": make_entity(db, region="340103", name="庐阳区同名代表公司", legal_rep="孙甲方"),
        "邻": make_entity(db, region="340104", name="蜀山区邻居餐饮店"),
        "维保": make_entity(db, region="340104", name="合肥蜀山电梯维保有限公司"),
        "平台": make_entity(db, region="340103", name="庐阳区直播平台有限公司"),
        "供应": make_entity(db, region="340104", name="蜀山区油脂供应有限公司"),
        "客户": make_entity(db, region="340104", name="蜀山区小吃客户店"),
        "外": make_entity(db, region="340202", name="芜湖外地粮油店"),
    }  # fmt: skip
    e["甲"].entity_type, e["甲"].capital_wan = "个体工商户", 12
    e["甲"].address = e["邻"].address = ADDRESS
    person = Person(key="t:ctl", name="周控制", **_prov())
    db.add(person)
    db.flush()
    subjects = {}
    for key, kind, ident in (("电梯", "elevator", "31103401000001"), ("网店", "shop", "DY-001")):
        subjects[key] = Subject(key=f"{kind}:{ident}", kind=kind, identifier=ident,
                                name=f"{key}一号", entity_id=e["甲"].id, region_code="340104",
                                attributes={}, **_prov())  # fmt: skip
        db.add(subjects[key])
    db.flush()
    relate(db, "maintains", ("entity", e["维保"].id), ("subject", subjects["电梯"].id))
    relate(db, "sells_on", ("subject", subjects["网店"].id), ("entity", e["平台"].id))
    relate(db, "supplies", ("entity", e["供应"].id), ("entity", e["甲"].id))
    relate(db, "supplies", ("entity", e["甲"].id), ("entity", e["客户"].id))
    relate(db, "supplies", ("entity", e["外"].id), ("entity", e["甲"].id))
    relate(db, "controls", ("person", person.id), ("entity", e["甲"].id))
    relate(db, "controls", ("person", person.id), ("entity", e["壳"].id))

    def rec(
        key: str,
        kind: str,
        title: str,
        when: datetime,
        entity: Entity | None = e["甲"],
        region: str | None = None,
        **payload: object,
    ) -> str:
        made = make_record(db, entity=entity, region=region, kind=kind, title=title, **payload)
        made.occurred_at = when
        return made.id  # fmt: skip

    r = {
        "检查": rec("检查", "inspection", "日常检查：发现问题", at(2025, 3, 1),
                   inspection_type="日常检查", result="发现问题"),
        "抽检": rec("抽检", "sampling", "菜籽油抽检不合格", at(2025, 6, 1), product="菜籽油",
                   conclusion="不合格", items=[{"item": "酸价", "passed": False}]),
        "旧许可": rec("旧许可", "licence", "食品经营许可（误）", at(2023, 1, 1),
                     licence_no="JY-OLD", licence_type="食品经营许可证"),
        "异常": rec("异常", "abnormal_list", "列入经营异常名录", at(2024, 5, 1),
                   reason="未按期年报", authority="蜀山区市场监督管理局", removed_on="2024-09-01"),
        "失信": rec("失信", "dishonesty_list", "列入严重违法失信名单", at(2025, 8, 1),
                   reason="提供虚假材料", authority="合肥市市场监督管理局"),
        "投诉": rec("投诉", "complaint", "投诉：德诚粮油以次充好", at(2025, 9, 1), entity=None,
                   region="340104001", channel="12315", text="德诚粮油卖的油有哈喇味",
                   complainant_name=COMPLAINANT[0], complainant_phone=COMPLAINANT[1],
                   mention="德诚粮油"),
        "外地投诉": rec("外地投诉", "complaint", "庐阳投诉德诚粮油", at(2025, 10, 1), entity=None,
                       region="340103", text="在庐阳买到的", mention="德诚粮油"),
        "待审": rec("待审", "complaint", "疑似德诚投诉", at(2025, 11, 1), entity=None,
                   region="340104", text="不确定是哪家", mention="德成"),
        "邻检查": rec("邻检查", "inspection", "邻居检查", at(2025, 2, 1), entity=e["邻"]),
    }  # fmt: skip
    new_licence = make_record(db, entity=e["甲"], kind="licence", title="食品经营许可",
                              licence_no="JY-NEW", licence_type="食品经营许可证",
                              valid_from="2023-01-01", valid_to="2028-01-01")  # fmt: skip
    new_licence.occurred_at = at(2023, 1, 2)
    new_licence.supersedes_id = r["旧许可"]
    r["新许可"] = new_licence.id
    link(db, r["投诉"], e["甲"])
    link(db, r["外地投诉"], e["甲"])
    link(db, r["待审"], e["甲"], status="review", score=0.6)
    db.flush()
    return ProfileWorld(e, r, person, subjects)


def enterprise_of(entity_id: int) -> Actor:
    return Actor(user_id=None, username="t_ent", role=Role.ENTERPRISE, jurisdiction="340104",
                 region="340104", entity_id=entity_id)  # fmt: skip
