"""The canary world for tests/test_jurisdiction_walk.py, as plain text tables.

What lies in 蜀山区 and what lies outside it, and from that, for each actor, which strings it must
never receive (the canaries), which objects it may address, and what every total must be.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import yaml
from sqlalchemy.orm import Session

import walk_inspection
import walk_lists
from factories import make_entity, make_record, make_user, scoring_run
from lookthrough.accounts.models import LoginThrottle
from lookthrough.core import clock
from lookthrough.core.roles import Role
from lookthrough.ingest import mapping as ingest_mappings
from lookthrough.ingest.models import IngestBatch, QuarantineRow
from lookthrough.ingest.service import _mapping_data
from lookthrough.records.models import Record
from lookthrough.regions.models import Region
from lookthrough.registry.models import Entity, Person, Relation
from lookthrough.resolution import service as resolution_service
from lookthrough.resolution.models import MentionCandidate, MentionLink, MentionScored
from lookthrough.resolution.rules import Thresholds
from lookthrough.risk.models import Alert, Assessment, Indicator

COUNTY = "county"  # county_official of 340104 蜀山区
ENTERPRISE = "enterprise"  # enterprise user bound to entity E (in 340104)
ACTORS = (COUNTY, ENTERPRISE)
HERE = "340104"  # 蜀山区: the county official's jurisdiction, where entity E is registered too
USERNAMES = {COUNTY: "walk_county", ENTERPRISE: "walk_enterprise"}


@dataclass(frozen=True, slots=True)
class EntitySpec:
    key: str
    region: str
    name: str
    uscc: str
    legal_rep: str
    phone: str
    address: str


@dataclass(frozen=True, slots=True)
class RecordSpec:
    key: str
    entity: str  # "-": none
    region: str
    kind: str
    title: str


@dataclass(frozen=True, slots=True)
class BatchSpec:
    """An import batch (region: the importer's jurisdiction) and the one row it quarantined."""

    key: str
    region: str
    file_name: str
    source: str
    created_by: str
    row: tuple[str, ...]  # the quarantined row's cells, under QUARANTINE_HEADER

    @property
    def id(self) -> str:
        return f"walk-batch-{self.key}"

    @property
    def secrets(self) -> tuple[str, ...]:
        """Its strings that give it away: file, source, record number, business, phone."""
        return (self.file_name, self.source, self.row[0], self.row[4], self.row[5])


# A, E, F lie in 蜀山区 (E is the enterprise user's own). C (庐阳区), W (芜湖) and P (合肥市 level)
# lie outside: every string they carry is a canary. So are the 3401 and 34 records, and e2, E's
# record made in 庐阳区 — which its enterprise user sees, but 蜀山区 does not. A's credit code has
# valid check characters: the uploaded file and the fixed quarantine row name A by it.
ENTITIES = [
    EntitySpec(*line.split())
    for line in """
    A  340104001  蜀山甲商贸有限公司  91340104WALKA00004  欧阳明日  13800000011  蜀山区三里庵路1号
    E  340104     蜀山本单位有限公司  91340104WALKE00001  司马本人  13800000012  蜀山区本单位路2号
    F  340104002  蜀山邻居有限公司    91340104WALKF00001  诸葛邻居  13800000013  蜀山区邻居路3号
    C  340103     金丝雀甲乙公司      91340103CANARY0001  赵雀一    19900000001  金丝雀庐阳路1号
    W  340202     金丝雀丙丁公司      91340202CANARY0002  孙雀二    19900000002  金丝雀芜湖路2号
    P  3401       金丝雀戊己公司      913401CANARY000003  李雀三    19900000003  金丝雀合肥路3号
    """.strip().splitlines()
]
RECORDS = [
    RecordSpec(*line.split())
    for line in """
    a1  A  340104001  inspection      蜀山甲日常检查
    a2  A  340104001  sampling        蜀山甲抽检不合格
    e1  E  340104     licence         本单位许可证换发
    e2  E  340103     complaint       本单位庐阳异地投诉
    f1  F  340104002  complaint       蜀山邻居投诉
    n1  -  340104     public_opinion  蜀山辖区舆情
    l1  -  340103     complaint       金丝雀庐阳投诉名称关联甲
    c1  C  340103     inspection      金丝雀甲乙检查记录
    w1  W  340202     penalty         金丝雀丙丁处罚记录
    p1  P  3401       inspection      金丝雀合肥市级通报
    s1  -  34         inspection      金丝雀安徽省级通报
    m1  -  340103     complaint       金丝雀庐阳被投诉对象
    """.strip().splitlines()
]
# Mentions waiting for review (resolution): n1 in 蜀山区 names A — and C of 庐阳区 is a
# candidate too, which the county official must never be shown; m1 (庐阳区) is nobody's here.
MENTIONS = {"n1": ("蜀山甲商贸", (("A", 0.6), ("C", 0.35))), "m1": ("金丝雀甲乙", (("C", 0.5),))}
# Batches imported by 蜀山区 (h), by 庐阳区 (c) and by 合肥市 (p), each with one quarantined row
# whose date cannot be read. No actor but the county official sees h; nobody here sees c or p.
QUARANTINE_HEADER = ("检查编号", "统一社会信用代码", "所属区划代码", "检查日期", "主体名称",
                     "联系电话", "检查类型", "检查结果")  # fmt: skip
QUARANTINED = {
    line.split()[0]: (*line.split()[1:], "日常检查", "合格")
    for line in """
    h  SS-Q-0001       91340104WALKA00004  340104001  2026-13-45  蜀山甲商贸有限公司  13900000021
    c  金丝雀编号0077  91340103CANARY0001  340103     金丝雀日期  金丝雀隔离行公司    19900000077
    p  金丝雀编号0078  913401CANARY000003  3401       2026-02-30  金丝雀市级隔离公司  19900000078
    """.strip().splitlines()
}
BATCHES = [
    BatchSpec(key, region, file_name, source, created_by, QUARANTINED[key])
    for key, region, file_name, source, created_by in (
        line.split()
        for line in """
    h  340104  蜀山日常检查批次.csv     蜀山区局日常检查  walk_county
    c  340103  金丝雀庐阳批次.csv       金丝雀庐阳来源    walk_outsider
    p  3401    金丝雀合肥市级批次.xlsx  金丝雀合肥来源    walk_city
    """.strip().splitlines()
    )
]
GRIDS = {"340104001001": "蜀山一号网格", "340103001001": "金丝雀庐阳网格"}
# Actual controllers: X controls A (蜀山区) and C (庐阳区); Y controls C only, so nobody here may
# expand Y. Their names are never shown unmasked. A supplies F; C supplies A (the graph of A
# must count C without naming it). Complaint l1, made in 庐阳区 without a credit code, is linked to
# A by name: it is still outside 蜀山区. Every complaint carries a complainant nobody may see.
PERSONS = {"X": ("欧阳控制人", ("A", "C")), "Y": ("金丝雀控制人乙", ("C",))}
SUPPLIES = (("A", "F"), ("C", "A"))
LINKED = {"l1": "A"}
COMPLAINANT = ("匿名投诉人甲", "19900000066")
# Early warnings (risk): about A and E (in 蜀山区) and about C and W (outside, canary titles).
ALERTS = [
    tuple(line.split())
    for line in """
    a  A  蜀山甲投诉激增预警
    e  E  本单位等级上升预警
    c  C  金丝雀庐阳等级上升预警
    w  W  金丝雀芜湖越限预警
    """.strip().splitlines()
]
OUTSIDER = ("walk_outsider", "金丝雀庐阳用户", "19900000009")  # a locked-out 庐阳区 official
REGION_TARGETS = ("340104", "340104001", "340103", "3402", "3401", "34")
TOWN_TARGETS = ("340104001", "340103001")
TEMPLATE = "inspection"  # a kind of data, not scoped data: every official may have its template


# Each kind of target belongs to one part of the world: two parts naming the same kind would
# send one part's ids to the other's routes (inspection visits once probed rectification tasks).
assert not set(walk_inspection.KINDS) & set(walk_lists.KINDS)


def person_visible(actor: str, key: str) -> bool:
    """A person is addressable by an official who sees one of the businesses they control."""
    return actor == COUNTY and any(
        sees(actor, region=e.region, entity=e.key) for e in ENTITIES if e.key in PERSONS[key][1]
    )


def sees(actor: str, *, region: str, entity: str) -> bool:
    """The scope rule under test, stated without the product code: an official sees rows in
    their region and below; an enterprise user sees the rows of its own business only (so no
    import batch, which belongs to no business)."""
    return region.startswith(HERE) if actor == COUNTY else entity == "E"


@dataclass(frozen=True, slots=True)
class Target:
    label: str
    value: str
    visible: bool
    shown: tuple[str, ...] = ()  # must appear in an allowed answer (name, title)
    raw_pii: tuple[str, ...] = ()  # the unmasked legal representative and phone


@dataclass
class World:
    """The world as one actor sees it, once its rows are in the database."""

    actor: str
    ids: dict[str, int]  # entity key → id
    record_ids: dict[str, str]
    user_ids: dict[str, int]
    row_ids: dict[str, int]  # batch key → id of its quarantined row
    lists: dict[str, dict[str, int]] = field(default_factory=dict)  # matter, problem, proposal
    extra: dict[str, list[tuple[str, str, bool, tuple[str, ...]]]] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)  # more placeholders ({sitem} …)
    person_ids: dict[str, int] = field(default_factory=dict)
    alert_ids: dict[str, int] = field(default_factory=dict)  # alert key → id
    indicator_id: int = 0
    headers: dict[str, str] = field(default_factory=dict)  # bearer token (API routes)
    csrf: str = ""  # CSRF token of the cookie session (pages)

    @property
    def username(self) -> str:
        return USERNAMES[self.actor]

    def targets(self, kind: str) -> list[Target]:
        """Every object of a kind the walk addresses, in and out of this actor's scope."""
        if kind == "entity":
            return [
                Target(f"entity {e.key} @{e.region}", str(self.ids[e.key]),
                       sees(self.actor, region=e.region, entity=e.key),
                       (e.name,), (e.legal_rep, e.phone))
                for e in ENTITIES
            ]  # fmt: skip
        if kind == "record":
            return [
                Target(f"record {r.key} @{r.region}", self.record_ids[r.key],
                       sees(self.actor, region=r.region, entity=r.entity), (r.title,))
                for r in RECORDS
            ]  # fmt: skip
        if kind == "mention":
            by_key = {r.key: r for r in RECORDS}
            return [
                Target(f"mention {key} @{by_key[key].region}", self.record_ids[key],
                       sees(self.actor, region=by_key[key].region, entity="-"), (written,))
                for key, (written, _) in MENTIONS.items()
            ]  # fmt: skip
        if kind == "batch":
            return [
                Target(f"batch {b.key} @{b.region}", b.id,
                       sees(self.actor, region=b.region, entity="-"), (b.file_name,))
                for b in BATCHES
            ]  # fmt: skip
        if kind == "qrow":
            return [
                Target(f"quarantined row of batch {b.key} @{b.region}", str(self.row_ids[b.key]),
                       sees(self.actor, region=b.region, entity="-"), (b.row[0],))
                for b in BATCHES
            ]  # fmt: skip
        if kind in ("region", "town"):
            codes = REGION_TARGETS if kind == "region" else TOWN_TARGETS
            return [Target(f"{kind} {code}", code, code.startswith(HERE)) for code in codes]
        if kind in walk_inspection.KINDS:  # plans, visits, measures, incidents: officials only
            return [
                Target(label, value, visible and self.actor == COUNTY, shown)
                for label, value, visible, shown in self.extra[kind]
            ]
        if kind == "person":
            return [
                Target(f"person {key}", str(self.person_ids[key]),
                       person_visible(self.actor, key))
                for key in PERSONS
            ]  # fmt: skip
        if kind == "alert":
            regions = {e.key: e.region for e in ENTITIES}
            return [
                Target(f"alert {key} @{regions[entity]}", str(self.alert_ids[key]),
                       self.actor == COUNTY and regions[entity].startswith(HERE), (title,))
                for key, entity, title in ALERTS
            ]  # fmt: skip
        if kind == "indicator":
            return [Target("published indicator", str(self.indicator_id), True)]
        if kind == "template":
            return [Target(f"template {TEMPLATE}", TEMPLATE, True)]
        if kind in walk_lists.KINDS:
            regions = {e.key: e.region for e in ENTITIES}
            return [Target(*row) for row in walk_lists.targets(self.actor == COUNTY, self.lists,
                                                               kind, regions)]  # fmt: skip
        if kind == "user":
            return [
                Target("own account", str(self.user_ids[self.actor]), True),
                Target("庐阳区 account", str(self.user_ids["outsider"]), False),
            ]
        assert kind == "locked", kind
        return [Target("locked 庐阳区 account", OUTSIDER[0], False)]

    def canaries(self) -> dict[str, str]:
        """Strings this actor must never receive, each with what it would give away."""
        found: dict[str, str] = {}
        for e in ENTITIES:
            if sees(self.actor, region=e.region, entity=e.key):
                found[e.legal_rep] = f"unmasked legal rep of entity {e.key}"
                found[e.phone] = f"unmasked phone of entity {e.key}"
                continue
            for what in ("name", "uscc", "address", "legal_rep", "phone"):
                found[getattr(e, what)] = f"{what} of out-of-scope entity {e.key} @{e.region}"
        for r in RECORDS:
            if not sees(self.actor, region=r.region, entity=r.entity):
                found[r.title] = f"title of out-of-scope record {r.key} @{r.region}"
        for b in BATCHES:
            if not sees(self.actor, region=b.region, entity="-"):
                what = f"import batch {b.key} @{b.region} or its quarantined row"
                found |= dict.fromkeys(b.secrets, what)
        for code, name in GRIDS.items():
            if not (self.actor == COUNTY and code.startswith(HERE)):
                found[name] = f"grid {code}, which this actor may not see"
        regions = {e.key: e.region for e in ENTITIES}
        for _key, entity, title in ALERTS:
            if not (self.actor == COUNTY and regions[entity].startswith(HERE)):
                found[title] = f"alert about entity {entity}, which this actor may not see"
        found[OUTSIDER[1]] = found[OUTSIDER[2]] = "the 庐阳区 official's account"
        found |= walk_lists.canaries(self.actor == COUNTY, {e.key: e.region for e in ENTITIES})
        for kind, canary in walk_inspection.CANARIES.items():
            found[canary] = f"a 庐阳区 {kind}"
        for name, _ in PERSONS.values():
            found[name] = "an actual controller's unmasked name"
        found[COMPLAINANT[0]] = found[COMPLAINANT[1]] = "a complainant's identity"
        return found

    def expected_total(self, counts: str, query: dict[str, str]) -> int:
        """What a list, export or map total must say: the in-scope rows matching the query."""
        if counts == "batches":
            return sum(sees(self.actor, region=b.region, entity="-") for b in BATCHES)
        if counts == "mentions":  # all of MENTIONS wait in the review queue
            regions = {r.key: r.region for r in RECORDS}
            return sum(sees(self.actor, region=regions[k], entity="-") for k in MENTIONS)
        if counts == "alerts":  # officials see alerts of their region; no one else any
            regions = {e.key: e.region for e in ENTITIES}
            return sum(
                self.actor == COUNTY and regions[entity].startswith(HERE)
                for _key, entity, _title in ALERTS
            )
        if counts == "map":
            counts, query = query.get("metric", "entities"), {"region": query.get("region", HERE)}
        region = query.get("region", "")
        if counts == "entities":
            q = query.get("q", "")
            return sum(
                sees(self.actor, region=e.region, entity=e.key)
                and e.region.startswith(region)
                and (q in e.name or q in e.uscc or q in e.address)
                for e in ENTITIES
            )
        by_id = {str(v): k for k, v in self.ids.items()}
        return sum(
            sees(self.actor, region=r.region, entity=r.entity)
            and r.region.startswith(region)
            and query.get("kind", r.kind) == r.kind
            and ("entity_id" not in query or by_id.get(query["entity_id"]) == r.entity)
            for r in RECORDS
        )


def _add_batches(db: Session) -> dict[str, int]:
    """The batches of BATCHES as an upload leaves them, with the mapping a fix is re-read by."""
    now = clock.utcnow()
    mapping_yaml = yaml.safe_dump(
        _mapping_data(ingest_mappings.builtin("inspection")), allow_unicode=True
    )
    rows = {}
    for b in BATCHES:
        db.add(
            IngestBatch(id=b.id, fingerprint=b.id, target="inspection", source=b.source,
                        file_name=b.file_name, file_sha256="0" * 64,
                        file_format=b.file_name.rsplit(".", 1)[1], mapping_yaml=mapping_yaml,
                        region_code=b.region, created_by=b.created_by, status="done",
                        rows_total=1, rows_read=1, accepted=0, quarantined=1, duplicates=0,
                        last_row=2, started_at=now, updated_at=now, finished_at=now)
        )  # fmt: skip
        date = b.row[QUARANTINE_HEADER.index("检查日期")]
        problem = {"column": "检查日期", "rule": "date_invalid", "value": date,
                   "reason": f"日期“{date}”无法识别，请使用 YYYY-MM-DD 格式"}  # fmt: skip
        raw = dict(zip(QUARANTINE_HEADER, b.row, strict=True))
        rows[b.key] = row = QuarantineRow(
            batch_id=b.id, row_no=2, problems=[problem], raw=raw, region_code=b.region,
            status="open", created_at=now
        )  # fmt: skip
        db.add(row)
    db.flush()
    return {key: row.id for key, row in rows.items()}


def _add_mentions(db: Session, entities: dict[str, Entity], record_ids: dict[str, str]) -> None:
    """The mentions of MENTIONS, scored as a resolution run leaves them, waiting for review."""
    now = clock.utcnow()
    for key, (written, candidates) in MENTIONS.items():
        record = db.get(Record, record_ids[key])
        assert record is not None
        record.payload = {"mention": written, "text": f"{written}服务差", "platform": "微博"}
        db.add(MentionScored(record_id=record.id, method="rules", candidates=len(candidates),
                             scored_at=now))  # fmt: skip
        for rank, (entity, score) in enumerate(candidates, start=1):
            db.add(MentionCandidate(record_id=record.id, entity_id=entities[entity].id, rank=rank,
                                    score=score, reasons=["名称相近"], method="rules",
                                    scored_at=now))  # fmt: skip
    db.flush()
    resolution_service.rebuild_links(
        db, thresholds=Thresholds(), record_ids=list(record_ids.values())
    )


def _add_relations(
    db: Session, entities: dict[str, Entity], record_ids: dict[str, str]
) -> dict[str, int]:
    """PERSONS, SUPPLIES and LINKED as rows; returns the persons' ids."""
    now = clock.utcnow()
    prov = {"source": "tests", "first_seen": now, "last_seen": now}
    people = {}
    for key, (name, _) in PERSONS.items():
        people[key] = Person(key=f"walk:{key}", name=name, **prov)
        db.add(people[key])
    db.flush()
    edges = [("controls", "person", people[p].id, e) for p, (_, ents) in PERSONS.items()
             for e in ents]  # fmt: skip
    edges += [("supplies", "entity", entities[a].id, b) for a, b in SUPPLIES]
    for n, (kind, from_type, from_id, to) in enumerate(edges):
        db.add(
            Relation(id=f"walk-rel-{n}", kind=kind, from_type=from_type, from_id=from_id,
                     to_type="entity", to_id=entities[to].id, attributes={}, **prov)
        )  # fmt: skip
    for record, entity in LINKED.items():
        db.add(
            MentionLink(record_id=record_ids[record], entity_id=entities[entity].id, score=0.97,
                        status="auto", reasons=["名称一致"], method="rules", updated_at=now)
        )  # fmt: skip
    db.flush()
    return {key: person.id for key, person in people.items()}


def _add_risk(db: Session, entities: dict[str, Entity]) -> tuple[dict[str, int], int]:
    """A current assessment for every business, the alerts of ALERTS, one published indicator."""
    now = clock.utcnow()
    run = scoring_run(db, as_of=now.date())
    for e in entities.values():
        db.add(
            Assessment(entity_id=e.id, region_code=e.region_code, field="general",
                       model_id="walk-model", run_id=run, digest=0,
                       probability=0.6, consequence=1.0, level=2,
                       top=[{"code": "complaints_12m", "name": "近12个月投诉举报量",
                             "value": 5.0, "unit": "件", "points": 9.0}])
        )  # fmt: skip
    alerts = {}
    for key, entity, title in ALERTS:
        e = entities[entity]
        alerts[key] = row = Alert(kind="level_rise", entity_id=e.id, region_code=e.region_code,
                                  indicator_code=None, level=2, title=title,
                                  detail={"from": 4, "to": 2}, dedup_key=f"walk:{key}",
                                  raised_at=now, state="open", updated_at=now)  # fmt: skip
        db.add(row)
    indicator = Indicator(code="walk_indicator", version=1, status="draft",
                          definition=WALK_INDICATOR, created_by="walk", created_at=now)  # fmt: skip
    db.add(indicator)
    db.flush()
    return {key: row.id for key, row in alerts.items()}, indicator.id


WALK_INDICATOR = {
    "code": "walk_indicator",
    "name": "巡检指标",
    "kinds": ["complaint"],
    "window_days": 365,
    "threshold": 1,
    "matter": "巡检事项",
    "risk_point": "巡检风险点",
    "explanation": "巡检用的投诉计数指标。",
}


def build_world(db: Session, actor: str) -> World:
    """Put the world in the database, seen by ``actor``."""
    now = clock.utcnow()
    entities = {}
    for e in ENTITIES:
        entities[e.key] = made = make_entity(
            db, region=e.region, name=e.name, uscc=e.uscc, legal_rep=e.legal_rep, phone=e.phone
        )
        made.address = e.address
    complaint = {"text": "投诉内容", "complainant_name": COMPLAINANT[0],
                 "complainant_phone": COMPLAINANT[1]}  # fmt: skip
    record_ids = {
        r.key: make_record(
            db, entity=entities.get(r.entity), region=r.region, kind=r.kind, title=r.title,
            **(complaint if r.kind == "complaint" else {}),
        ).id
        for r in RECORDS
    }  # fmt: skip
    _add_mentions(db, entities, record_ids)
    for code, name in GRIDS.items():
        db.add(
            Region(code=code, name=name, level="grid", kind="grid", parent_code=code[:9],
                   source="bureau", created_at=now, updated_at=now)
        )  # fmt: skip
    persons = _add_relations(db, entities, record_ids)
    county = make_user(db, role=Role.COUNTY_OFFICIAL, region=HERE, username=USERNAMES[COUNTY])
    enterprise = make_user(
        db, role=Role.ENTERPRISE, entity=entities["E"], username=USERNAMES[ENTERPRISE]
    )
    outsider = make_user(db, role=Role.COUNTY_OFFICIAL, region="340103", username=OUTSIDER[0])
    outsider.display_name, outsider.phone = OUTSIDER[1], OUTSIDER[2]
    db.add(LoginThrottle(username=OUTSIDER[0], failures=0, locked_until=now + timedelta(hours=1)))
    db.flush()
    extra, values = walk_inspection.build(db, entities)
    alert_ids, indicator_id = _add_risk(db, entities)
    return World(
        actor=actor,
        alert_ids=alert_ids,
        indicator_id=indicator_id,
        ids={key: e.id for key, e in entities.items()},
        record_ids=record_ids,
        user_ids={COUNTY: county.id, ENTERPRISE: enterprise.id, "outsider": outsider.id},
        row_ids=_add_batches(db),
        lists=walk_lists.add(db, entities),
        extra=extra,
        values=values,
        person_ids=persons,
    )
