"""Opening a business's file: registration, licences, subjects, lists and the timeline."""

from __future__ import annotations

from datetime import date

import pytest
from profile_world import COMPLAINANT, ProfileWorld, enterprise_of
from sqlalchemy import text
from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.errors import NotFound, PermissionDenied
from lookthrough.core.roles import Role
from lookthrough.profile import sections, service, timeline
from lookthrough.profile.rules import Audience
from lookthrough.profile.timeline import Filters


def titles(db: Session, actor: Actor, entity_id: int, filters: Filters | None = None) -> list[str]:
    rows, total = service.timeline_page(
        db, actor=actor, entity_id=entity_id, filters=filters or Filters(), limit=100, offset=0
    )
    assert total == len(rows)
    # The page opens the file first and passes it on: its counts by kind stand in for the
    # count query, and must agree with it under every filter and scope.
    opened = service.open_file(db, actor=actor, entity_id=entity_id)
    again, counted = service.timeline_page(
        db, actor=actor, entity_id=entity_id, filters=filters or Filters(), limit=100,
        offset=0, opened=opened,
    )  # fmt: skip
    assert (counted, [r.id for r in again]) == (total, [r.id for r in rows])
    return [r.title for r in rows]


def test_registration_is_masked_and_keeps_its_source(
    db: Session, world: ProfileWorld, shushan: Actor
) -> None:
    file = service.open_file(db, actor=shushan, entity_id=world.id("甲"))
    reg = file.registration
    assert (reg.name, reg.entity_type, reg.capital_wan) == ("蜀山区德诚粮油店", "个体工商户", 12)
    assert (reg.legal_rep, reg.phone) == ("孙**", "138****1111")
    assert reg.region_names[:3] == ["安徽省", "合肥市", "蜀山区"]
    assert reg.source == "tests"


def test_timeline_has_own_and_linked_records_newest_first(
    db: Session, world: ProfileWorld, shushan: Actor
) -> None:
    rows, _ = service.timeline_page(
        db, actor=shushan, entity_id=world.id("甲"), filters=Filters(), limit=100, offset=0
    )
    assert [r.title for r in rows] == [
        "投诉：德诚粮油以次充好",
        "列入严重违法失信名单",
        "菜籽油抽检不合格",
        "日常检查：发现问题",
        "列入经营异常名录",
        "食品经营许可",  # the correction; the record it superseded is gone
    ]
    linked = [r for r in rows if r.linked]
    assert [(r.title, r.link_label, r.link_score) for r in linked] == [
        ("投诉：德诚粮油以次充好", "经名称匹配关联", pytest.approx(0.93))
    ]
    assert next(r for r in rows if r.title == "食品经营许可").correction


def test_a_link_in_review_is_not_in_the_file(
    db: Session, world: ProfileWorld, shushan: Actor
) -> None:
    assert "疑似德诚投诉" not in titles(db, shushan, world.id("甲"))


def test_linked_record_made_outside_the_region_stays_out(
    db: Session, world: ProfileWorld, shushan: Actor, hefei: Actor
) -> None:
    assert "庐阳投诉德诚粮油" not in titles(db, shushan, world.id("甲"))
    assert "庐阳投诉德诚粮油" in titles(db, hefei, world.id("甲"))


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(kinds=("complaint",)), ["投诉：德诚粮油以次充好"]),
        (Filters(kinds=("inspection", "sampling")), ["菜籽油抽检不合格", "日常检查：发现问题"]),
        (Filters(date_from=date(2025, 6, 1), date_to=date(2025, 8, 1)),
         ["列入严重违法失信名单", "菜籽油抽检不合格"]),
        (Filters(text="哈喇味"), ["投诉：德诚粮油以次充好"]),  # found in the complaint's text
        (Filters(text="抽检"), ["菜籽油抽检不合格"]),
        (Filters(text="钱投诉"), []),  # never by a complainant's name
    ],
)  # fmt: skip
def test_timeline_filters(
    db: Session, world: ProfileWorld, shushan: Actor, filters: Filters, expected: list[str]
) -> None:
    assert titles(db, shushan, world.id("甲"), filters) == expected


def test_timeline_pages(db: Session, world: ProfileWorld, shushan: Actor) -> None:
    pages = [
        service.timeline_page(
            db, actor=shushan, entity_id=world.id("甲"), filters=Filters(), limit=4, offset=o
        )
        for o in (0, 4)
    ]
    assert [len(rows) for rows, _ in pages] == [4, 2]
    assert {total for _, total in pages} == {6}
    assert not {r.id for r in pages[0][0]} & {r.id for r in pages[1][0]}


def test_officials_see_complainants_masked(
    db: Session, world: ProfileWorld, shushan: Actor
) -> None:
    rows, _ = service.timeline_page(
        db, actor=shushan, entity_id=world.id("甲"), filters=Filters(kinds=("complaint",)),
        limit=10, offset=0,
    )  # fmt: skip
    assert rows[0].payload["complainant_name"] == "钱**"
    assert COMPLAINANT[1] not in str(rows[0].payload)


def test_the_business_sees_its_own_file_without_complainants(
    db: Session, world: ProfileWorld
) -> None:
    own = enterprise_of(world.id("甲"))
    file = service.open_file(db, actor=own, entity_id=world.id("甲"))
    assert file.audience is Audience.ENTERPRISE
    rows, _ = service.timeline_page(
        db, actor=own, entity_id=world.id("甲"), filters=Filters(), limit=100, offset=0
    )
    complaints = [r for r in rows if r.kind == "complaint"]
    # Its own file has every record about it, wherever it was made.
    assert {r.title for r in complaints} == {"投诉：德诚粮油以次充好", "庐阳投诉德诚粮油"}
    for row in complaints:
        assert "complainant_name" not in row.payload
        assert "complainant_phone" not in row.payload
        assert COMPLAINANT[0] not in row.summary
    assert complaints[-1].payload["text"] == "德诚粮油卖的油有哈喇味"


def test_the_business_cannot_open_another_file(db: Session, world: ProfileWorld) -> None:
    with pytest.raises(NotFound):
        service.open_file(db, actor=enterprise_of(world.id("甲")), entity_id=world.id("邻"))


def test_a_file_outside_the_jurisdiction_is_not_found(
    db: Session, world: ProfileWorld, shushan: Actor
) -> None:
    with pytest.raises(NotFound):
        service.open_file(db, actor=shushan, entity_id=world.id("外"))
    with pytest.raises(NotFound):
        service.timeline_page(
            db, actor=shushan, entity_id=world.id("外"), filters=Filters(), limit=5, offset=0
        )


def test_administrators_read_no_file(db: Session, world: ProfileWorld) -> None:
    admin = Actor.system("t", role=Role.AUDIT_ADMIN)
    with pytest.raises(PermissionDenied):
        service.open_file(db, actor=admin, entity_id=world.id("甲"))


def test_licences_are_the_current_versions(
    db: Session, world: ProfileWorld, shushan: Actor
) -> None:
    file = service.open_file(db, actor=shushan, entity_id=world.id("甲"))
    assert [(x.licence_no, x.valid_to, x.status) for x in file.licences] == [
        ("JY-NEW", date(2028, 1, 1), "有效")
    ]


def test_subjects_name_their_contractor_and_platform_when_in_scope(
    db: Session, world: ProfileWorld, shushan: Actor, hefei: Actor
) -> None:
    file = service.open_file(db, actor=shushan, entity_id=world.id("甲"))
    assert file.subject_counts == {"电梯": 1, "网店": 1}
    by_kind = {s.kind: s.counterpart for s in file.subjects}
    assert by_kind == {"elevator": "合肥蜀山电梯维保有限公司", "shop": "（不在管辖范围内）"}
    wider = service.open_file(db, actor=hefei, entity_id=world.id("甲"))
    assert {s.kind: s.counterpart for s in wider.subjects}["shop"] == "庐阳区直播平台有限公司"


def test_list_memberships_come_with_their_removal_dates(
    db: Session, world: ProfileWorld, shushan: Actor
) -> None:
    file = service.open_file(db, actor=shushan, entity_id=world.id("甲"))
    lists = next(s for s in file.sections if s.key == "lists")
    assert lists.badge == "列入严重违法失信名单"
    assert [tuple(r) for r in lists.rows] == [
        ("严重违法失信名单", "2025-08-01", "提供虚假材料", "合肥市市场监督管理局", "", "在列"),
        ("经营异常名录", "2024-05-01", "未按期年报", "蜀山区市场监督管理局", "2024-09-01",
         "已移出（2024-09-01）"),
    ]  # fmt: skip


def test_a_business_on_no_list_has_no_list_section(
    db: Session, world: ProfileWorld, shushan: Actor
) -> None:
    file = service.open_file(db, actor=shushan, entity_id=world.id("邻"))
    assert [s.key for s in file.sections] == []


def test_officials_only_sections_never_reach_the_business(
    db: Session, world: ProfileWorld, shushan: Actor
) -> None:
    """The seam: another domain's section, marked officials-only, is built for officials and
    not even called for the enterprise user."""
    calls: list[Audience] = []

    @sections.provider("test_risk", order=5, audience=sections.OFFICIALS_ONLY)
    def risk(session: Session, ctx: sections.Context) -> sections.Section:
        calls.append(ctx.audience)
        return sections.Section(key="test_risk", title="风险等级", facts=[("等级", "红")])

    try:
        official = service.open_file(db, actor=shushan, entity_id=world.id("甲"))
        own = service.open_file(db, actor=enterprise_of(world.id("甲")), entity_id=world.id("甲"))
    finally:
        sections._REGISTRY.pop("test_risk")
    assert [s.key for s in official.sections] == ["test_risk", "lists"]
    assert [s.key for s in own.sections] == ["lists"]
    assert calls == [Audience.OFFICIAL]


def test_the_region_never_drives_the_timelines_plan(
    db: Session, world: ProfileWorld, shushan: Actor
) -> None:
    """The business's records are found by its id; the jurisdiction only filters them. As a
    parameterised range PostgreSQL's generic plan (prepared statements) read the region index
    over every record of the province instead (bench/RESULTS.md, the file, third pass)."""
    stmt = timeline._page_statement(timeline._Shape.of(Audience.OFFICIAL, Filters()))
    params = timeline._params(world.id("甲"), shushan, Audience.OFFICIAL, Filters())
    params |= {"tl_limit": 30, "tl_offset": 0}
    assert "record.region_code >=" not in str(stmt)
    assert len(db.execute(stmt, params).all()) == 6  # the filter still holds (蜀山区 only)
    if db.get_bind().dialect.name != "postgresql":
        return
    # Run it as the server runs it after five executions: prepared, with a generic plan, and
    # have PostgreSQL's auto_explain send the plan it used back as a notice.
    raw = db.connection().connection.dbapi_connection
    assert raw is not None
    plans: list[str] = []
    raw.add_notice_handler(lambda notice: plans.append(notice.message_primary or ""))
    threshold, raw.prepare_threshold = raw.prepare_threshold, 0
    try:
        for setting in ("LOAD 'auto_explain'", "SET LOCAL auto_explain.log_min_duration = 0",
                        "SET LOCAL client_min_messages = log",
                        "SET LOCAL plan_cache_mode = force_generic_plan",
                        "SET LOCAL enable_seqscan = off"):  # fmt: skip
            db.execute(text(setting))
        db.execute(stmt, params).all()
    finally:
        raw.prepare_threshold = threshold
        db.execute(text("SET LOCAL client_min_messages = notice"))
    plan = next(p for p in plans if "mention_link" in p)
    assert "ix_record_entity_time" in plan and "ix_record_region_code" not in plan, plan


def test_the_file_is_the_same_from_prepared_statements(
    db: Session, world: ProfileWorld, shushan: Actor
) -> None:
    """The file's statements are built once with the business and the viewer as parameters:
    run prepared with PostgreSQL's generic plan (as the server runs them from the sixth time on)
    they give the very file that the first run gave, for an official and for the business."""
    own = enterprise_of(world.id("甲"))
    first = [service.open_file(db, actor=a, entity_id=world.id("甲")) for a in (shushan, own)]
    if db.get_bind().dialect.name != "postgresql":
        return
    raw = db.connection().connection.dbapi_connection
    assert raw is not None
    threshold, raw.prepare_threshold = raw.prepare_threshold, 0
    try:
        db.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
        again = [service.open_file(db, actor=a, entity_id=world.id("甲")) for a in (shushan, own)]
    finally:
        raw.prepare_threshold = threshold
    assert again == first
    assert first[0] != first[1]  # the official's file has parts the business's has not
    with pytest.raises(NotFound):  # and the bound scope still refuses a business out of it
        service.open_file(db, actor=own, entity_id=world.id("邻"))
