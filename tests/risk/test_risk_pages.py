"""Risk pages: the dashboard with the map coloured by risk, the inbox and its forms, the
indicator editor with its live test."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import login, login_browser, make_entity, make_record, make_user
from lookthrough.core.roles import Role
from lookthrough.risk import indicators
from lookthrough.risk.models import Alert, Indicator
from risk.conftest import ANALYST
from risk.risk_support import alert, assess


def test_risk_map_counts_high_risk_by_sub_region(db: Session, client: TestClient) -> None:
    for region, level in (("340104001", 1), ("340104002", 2), ("340104002", 4), ("340103", 2)):
        assess(db, make_entity(db, region=region), level=level)
    headers = login(client, make_user(db, role=Role.CITY_OFFICIAL, region="3401").username)
    city = client.get("/api/v1/risk/map", headers=headers).json()
    values = {c["name"]: c["value"] for c in city["children"]}
    assert values["蜀山区"] == 2 and values["庐阳区"] == 1 and city["total"] == 3
    county = client.get("/api/v1/risk/map?region=340104&metric=major", headers=headers).json()
    assert county["total"] == 1 and county["level"] == "county"
    rows = client.get("/api/v1/risk/distribution?region=340104", headers=headers).json()
    assert rows == [{"field": "catering", "label": "餐饮服务", "levels": {"1": 1, "2": 1, "3": 0,
                     "4": 1}, "total": 3}]  # fmt: skip


def test_dashboard_page(db: Session, client: TestClient) -> None:
    shop = make_entity(db, region="340104001", name="红色风险饭店")
    assess(db, shop, level=1, probability=0.7)
    login_browser(client, make_user(db, username="risk_page_county").username)
    page = client.get("/risk")
    assert page.status_code == 200
    assert 'data-api="/api/v1/risk/map"' in page.text and "/static/risk.js" in page.text
    assert "红色风险饭店" in page.text and "近12个月投诉举报量：7件" in page.text
    assert "共 1 户一般及以上风险主体" in page.text


def test_inbox_forms_move_an_alert(db: Session, client: TestClient) -> None:
    item = alert(db, make_entity(db, region="340104001"), title="投诉激增预警")
    login_browser(client, make_user(db, username="risk_inbox").username)
    csrf = client.get("/risk/alerts").text.split('name="csrf-token" content="')[1].split('"')[0]
    assert "投诉激增预警" in client.get("/risk/alerts").text
    refused = client.post(f"/risk/alerts/{item.id}/close", data={"csrf_token": csrf, "note": "x"})
    assert refused.status_code == 409 and "不能办结" in refused.text
    moved = client.post(f"/risk/alerts/{item.id}/acknowledge", data={"csrf_token": csrf},
                        follow_redirects=False)  # fmt: skip
    assert moved.status_code == 303
    empty = client.post(f"/risk/alerts/{item.id}/close", data={"csrf_token": csrf, "note": " "})
    assert empty.status_code == 422 and "办结须填写处置情况" in empty.text
    client.post(f"/risk/alerts/{item.id}/close", data={"csrf_token": csrf, "note": "已约谈"})
    db.refresh(item)
    assert (item.state, item.note) == ("closed", "已约谈")
    assert db.get(Alert, item.id) is not None


def test_indicator_editor_saves_tests_and_publishes(db: Session, client: TestClient) -> None:
    indicators.seed_defaults(db, actor=ANALYST)
    shop = make_entity(db, region="340104001", name="投诉很多的店")
    make_record(db, entity=shop, kind="complaint", text="卫生太差")
    login_browser(client, make_user(db, role=Role.PROVINCE_ANALYST, region="34").username)
    page = client.get("/risk/indicators")
    assert page.status_code == 200 and "近12个月投诉举报量" in page.text
    csrf = page.text.split('name="csrf-token" content="')[1].split('"')[0]
    form = {"csrf_token": csrf, "code": "hygiene_words", "name": "卫生类投诉",
            "kinds": "complaint", "where": "text contains 卫生", "aggregation": "count",
            "window_days": "3650", "threshold": "1", "weight": "5", "unit": "件",
            "fields": "catering", "matter": "餐饮服务食品安全", "risk_point": "后厨卫生",
            "explanation": "投诉内容提到卫生的件数。", "higher_is_riskier": "true",
            "alert": "false", "transform": "none"}  # fmt: skip
    tested = client.post("/risk/indicators/test", data=form)
    assert tested.status_code == 200 and "投诉很多的店" in tested.text
    bad = client.post("/risk/indicators", data={**form, "where": "text bigger 卫生"})
    assert bad.status_code == 422 and "第1行“text bigger 卫生”看不懂" in bad.text
    saved = client.post("/risk/indicators", data=form, follow_redirects=False)
    assert saved.status_code == 303
    row = db.scalars(select(Indicator).where(Indicator.code == "hygiene_words")).one()
    assert row.status == "draft" and row.definition["where"] == [
        {"field": "text", "op": "contains", "value": "卫生"}
    ]
    editor = client.get(f"/risk/indicators/{row.id}")
    assert "text contains 卫生" in editor.text and "发布此版本" in editor.text
    published = client.post(f"/risk/indicators/{row.id}/publish", data={"csrf_token": csrf},
                            follow_redirects=False)  # fmt: skip
    assert published.status_code == 303
    db.refresh(row)
    assert row.status == "published"


def test_county_officials_cannot_edit_indicators(db: Session, client: TestClient) -> None:
    login_browser(client, make_user(db, username="risk_no_editor").username)
    assert client.get("/risk/indicators").status_code == 403
    assert "/risk/indicators" not in client.get("/risk").text.split("lt-menu")[1].split("</ul>")[0]
