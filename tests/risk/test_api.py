"""The risk API: officials see assessments and work alerts in scope; enterprise users never see
scores; the inbox refuses illegal moves with 409; the indicator library is for province analysts."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factories import login, make_entity, make_user
from lookthrough.audit.models import AuditEvent
from lookthrough.core.actor import Actor
from lookthrough.core.roles import Role
from lookthrough.risk import indicators, service
from lookthrough.risk.models import Indicator
from risk.conftest import ANALYST
from risk.risk_support import alert, assess

DEFINITION = {
    "code": "hygiene_complaints",
    "name": "卫生投诉",
    "kinds": ["complaint"],
    "where": [{"field": "text", "op": "contains", "value": "卫生"}],
    "window_days": 365,
    "threshold": 1,
    "matter": "餐饮服务食品安全",
    "risk_point": "后厨卫生",
    "explanation": "投诉内容提到卫生的件数。",
}


def test_officials_read_assessments_in_scope_only(db: Session, client: TestClient) -> None:
    here, there = make_entity(db, region="340104001"), make_entity(db, region="340103")
    assess(db, here)
    assess(db, there)
    make_user(db, username="risk_county")
    headers = login(client, "risk_county")
    got = client.get(f"/api/v1/risk/assessments/{here.id}", headers=headers)
    assert got.status_code == 200
    body = got.json()
    assert body["level_label"] == "II级 较大风险（橙）" and body["credit_classes"] == {
        "general": "C"
    }
    assert body["reasons"][0]["text"] == "近12个月投诉举报量：7件"
    assert client.get(f"/api/v1/risk/assessments/{there.id}", headers=headers).status_code == 404
    top = client.get("/api/v1/risk/top", headers=headers).json()
    assert top["total"] == 1 and top["items"][0]["name"] == here.name


def test_enterprise_users_never_see_scores(db: Session, client: TestClient) -> None:
    own = make_entity(db)
    assess(db, own)
    alert(db, own)
    make_user(db, role=Role.ENTERPRISE, entity=own, username="risk_shop")
    headers = login(client, "risk_shop")
    for path in (f"/api/v1/risk/assessments/{own.id}", "/api/v1/risk/top", "/api/v1/risk/map",
                 "/api/v1/risk/alerts", "/api/v1/risk/distribution"):  # fmt: skip
        assert client.get(path, headers=headers).status_code == 403, path


def test_inbox_moves_follow_the_state_machine(db: Session, client: TestClient) -> None:
    shop = make_entity(db, region="340104001")
    item = alert(db, shop)
    make_user(db, username="risk_boss")
    inspector = make_user(db, role=Role.INSPECTOR, region="340104", username="risk_inspector")
    make_user(db, region="340103", username="risk_elsewhere")
    headers = login(client, "risk_boss")
    base = f"/api/v1/risk/alerts/{item.id}"

    early = client.post(f"{base}/close", json={"note": "已处理"}, headers=headers)
    assert early.status_code == 409 and early.json()["code"] == "invalid_transition"
    assert "待处理" in early.json()["detail"]
    assert client.post(f"{base}/acknowledge", headers=headers).json()["state"] == "acknowledged"
    assert client.post(f"{base}/acknowledge", headers=headers).status_code == 409
    bad = client.post(f"{base}/assign", json={"assignee_id": 999999}, headers=headers)
    assert bad.status_code == 422
    assigned = client.post(f"{base}/assign", json={"assignee_id": inspector.id}, headers=headers)
    assert assigned.status_code == 200 and assigned.json()["assignee"] == inspector.display_name
    # The inspector it was assigned to closes it.
    inspector_headers = login(client, "risk_inspector")
    closed = client.post(
        f"{base}/close", json={"note": "现场检查，已责令整改"}, headers=inspector_headers
    )
    assert closed.json()["state"] == "closed" and closed.json()["actions"] == []
    assert client.post(f"{base}/assign", json={"assignee_id": inspector.id},
                       headers=headers).status_code == 409  # fmt: skip
    moves = db.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "risk.alert_changed")
    )
    assert moves == 3
    feed = client.get("/api/v1/risk/alerts", params={"state": "closed"}, headers=headers).json()
    assert feed["total"] == 1 and feed["items"][0]["note"] == "现场检查，已责令整改"


def test_assignees_are_responsible_for_the_alerts_region(db: Session, client: TestClient) -> None:
    shop = make_entity(db, region="340104001")
    item = alert(db, shop)
    make_user(db, username="risk_lead")
    other = make_user(db, region="340103", username="risk_other_county")
    headers = login(client, "risk_lead")
    refused = client.post(
        f"/api/v1/risk/alerts/{item.id}/assign", json={"assignee_id": other.id}, headers=headers
    )
    assert refused.status_code == 422


def test_indicator_library_for_province_analysts(db: Session, client: TestClient) -> None:
    indicators.seed_defaults(db, actor=ANALYST)
    make_user(db, role=Role.PROVINCE_ANALYST, region="34", username="risk_analyst")
    make_user(db, username="risk_county_2")
    analyst, county = login(client, "risk_analyst"), login(client, "risk_county_2")
    assert (
        client.post("/api/v1/risk/indicators", json=DEFINITION, headers=county).status_code == 403
    )
    wrong = client.post(
        "/api/v1/risk/indicators", json={**DEFINITION, "kinds": ["complaints"]}, headers=analyst
    )
    assert wrong.status_code == 422 and "未知的类别：complaints" in wrong.json()["detail"]
    made = client.post("/api/v1/risk/indicators", json=DEFINITION, headers=analyst)
    assert made.status_code == 201 and made.json()["status"] == "draft"
    published = client.post(f"/api/v1/risk/indicators/{made.json()['id']}/publish", headers=analyst)
    assert published.json()["status"] == "published"
    again = client.post(f"/api/v1/risk/indicators/{made.json()['id']}/publish", headers=analyst)
    assert again.status_code == 409
    edited = client.post(
        "/api/v1/risk/indicators", json={**DEFINITION, "threshold": 2}, headers=analyst
    )
    assert edited.json()["version"] == 2
    client.post(f"/api/v1/risk/indicators/{edited.json()['id']}/publish", headers=analyst)
    statuses = dict(
        db.execute(
            select(Indicator.version, Indicator.status).where(
                Indicator.code == "hygiene_complaints"
            )
        ).all()
    )
    assert statuses == {1: "retired", 2: "published"}


def test_indicator_test_on_live_data(db: Session, client: TestClient) -> None:
    from factories import make_record

    shop = make_entity(db, region="340104001", name="卫生差饭店")
    for _ in range(3):
        make_record(db, entity=shop, kind="complaint", text="后厨卫生很差")
    make_user(db, role=Role.PROVINCE_ANALYST, region="34", username="risk_tester")
    headers = login(client, "risk_tester")
    result = client.post("/api/v1/risk/indicators/test", json=DEFINITION, headers=headers).json()
    assert result["nonzero"] == 1 and result["over_threshold"] == 1
    assert result["top"] == [{"entity_id": shop.id, "name": "卫生差饭店", "value": 3.0}]


def test_profile_part_for_officials(db: Session) -> None:
    shop = make_entity(db, region="340104001")
    assess(db, shop, level=2, probability=0.42)
    county = make_user(db, username="risk_profile")
    official = Actor(county.id, county.username, Role.COUNTY_OFFICIAL, "340104", "340104")
    part = service.profile_part(db, actor=official, entity_id=shop.id)
    assert part is not None and part.badge == "橙" and part.badge_kind == "orange"
    assert ("信用风险分类", "综合 C 类") in part.facts and ("风险可能性", "42%") in part.facts
    assert part.rows == [("近12个月投诉举报量", "7件", "8.50")]
    outsider = Actor(None, "x", Role.COUNTY_OFFICIAL, "340103", "340103")
    assert service.profile_part(db, actor=outsider, entity_id=shop.id) is None
