"""Account administration and security administration, with 三权分立 and jurisdiction."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import PASSWORD, login, make_entity, make_user
from lookthrough.audit.models import AuditEvent
from lookthrough.core.roles import Role


def new_user(**fields: object) -> dict[str, object]:
    body: dict[str, object] = {
        "username": "newbie",
        "display_name": "新同事",
        "role": "county_official",
        "region_code": "340104",
        "password": "Start-Pass-2026!",
    }
    body.update(fields)
    return body


def test_system_admin_creates_an_audited_account(db: Session, client: TestClient) -> None:
    admin = login(client, make_user(db, role=Role.SYSTEM_ADMIN, region="34").username)
    created = client.post("/api/v1/users", headers=admin, json=new_user(phone="13912345678"))
    assert created.status_code == 201, created.text
    assert created.json()["must_change_password"] is True
    assert created.json()["phone"] == "139****5678"
    event = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.kind == "accounts.user_created")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.after is not None
    assert event.after["username"] == "newbie"
    assert "Start-Pass-2026!" not in str(event.after) and "argon2" not in str(event.after)


def test_account_rules_are_explained(db: Session, client: TestClient) -> None:
    admin = login(client, make_user(db, role=Role.SYSTEM_ADMIN, region="34").username)
    wrong_level = client.post(
        "/api/v1/users", headers=admin, json=new_user(role="city_official", region_code="340104")
    )
    assert wrong_level.status_code == 422
    assert "市级" in wrong_level.json()["detail"]
    weak = client.post("/api/v1/users", headers=admin, json=new_user(password="123456"))
    assert weak.status_code == 422 and weak.json()["code"] == "password_rejected"
    client.post("/api/v1/users", headers=admin, json=new_user())
    again = client.post("/api/v1/users", headers=admin, json=new_user())
    assert again.status_code == 409
    extra = client.post(
        "/api/v1/users", headers=admin, json=new_user(username="x2", is_active=False)
    )
    assert extra.status_code == 422, "unknown fields are refused, not silently ignored"


def test_enterprise_accounts_bind_to_a_business(db: Session, client: TestClient) -> None:
    entity = make_entity(db, region="340104001")
    admin = login(client, make_user(db, role=Role.SYSTEM_ADMIN, region="34").username)
    unbound = client.post("/api/v1/users", headers=admin, json=new_user(role="enterprise"))
    assert unbound.status_code == 422
    bound = client.post(
        "/api/v1/users",
        headers=admin,
        json=new_user(role="enterprise", entity_uscc=entity.uscc, region_code=""),
    )
    assert bound.status_code == 201, bound.text
    assert bound.json()["entity_id"] == entity.id
    assert bound.json()["region_code"] == "340104001"


def test_city_admin_manages_only_their_city(db: Session, client: TestClient) -> None:
    make_user(db, role=Role.COUNTY_OFFICIAL, region="340202", username="wuhu_user")
    admin = login(client, make_user(db, role=Role.SYSTEM_ADMIN, region="3401").username)
    outside = client.post("/api/v1/users", headers=admin, json=new_user(region_code="340202"))
    assert outside.status_code == 403
    listed = client.get("/api/v1/users", headers=admin).json()
    assert "wuhu_user" not in [u["username"] for u in listed["items"]]
    assert all(u["region_code"].startswith("3401") for u in listed["items"])


def test_admin_roles_are_separated(db: Session, client: TestClient) -> None:
    system = login(client, make_user(db, role=Role.SYSTEM_ADMIN, region="34").username)
    security = login(client, make_user(db, role=Role.SECURITY_ADMIN, region="34").username)
    auditor = login(client, make_user(db, role=Role.AUDIT_ADMIN, region="34").username)
    assert client.get("/api/v1/audit/events", headers=system).status_code == 403
    assert client.get("/api/v1/entities", headers=system).status_code == 403
    assert client.get("/api/v1/users", headers=security).status_code == 403
    assert client.get("/api/v1/audit/events", headers=security).status_code == 403
    assert client.post("/api/v1/users", headers=auditor, json=new_user()).status_code == 403
    assert client.get("/api/v1/security/locked", headers=auditor).status_code == 403
    assert client.get("/api/v1/entities", headers=auditor).status_code == 403
    assert client.get("/api/v1/audit/events", headers=auditor).status_code == 200


def test_disabling_an_account_ends_its_sessions(db: Session, client: TestClient) -> None:
    target = make_user(db)
    their = login(client, target.username)
    admin = login(client, make_user(db, role=Role.SYSTEM_ADMIN, region="34").username)
    assert (
        client.post(
            f"/api/v1/users/{target.id}/active", headers=admin, json={"active": False}
        ).status_code
        == 200
    )
    assert client.get("/api/v1/auth/me", headers=their).status_code == 401
    refused = client.post(
        "/api/v1/auth/login", json={"username": target.username, "password": PASSWORD}
    )
    assert refused.status_code == 401


def test_security_admin_unlocks_and_forces_logout(db: Session, client: TestClient) -> None:
    target = make_user(db)
    for _ in range(5):
        client.post("/api/v1/auth/login", json={"username": target.username, "password": "x"})
    security = login(client, make_user(db, role=Role.SECURITY_ADMIN, region="34").username)
    locked = client.get("/api/v1/security/locked", headers=security).json()
    assert [a["username"] for a in locked] == [target.username]
    assert (
        client.post(
            f"/api/v1/security/locked/{target.username}/unlock", headers=security
        ).status_code
        == 200
    )
    their = login(client, target.username)
    sessions = client.get("/api/v1/security/sessions", headers=security).json()
    assert target.username in [s["username"] for s in sessions]
    ended = client.post(f"/api/v1/security/users/{target.id}/logout", headers=security)
    assert ended.json()["count"] == 1
    assert client.get("/api/v1/auth/me", headers=their).status_code == 401
    policy = client.get("/api/v1/security/policy", headers=security).json()
    assert policy["password_profile"] == "dengbao" and policy["audit_retention_days"] >= 186


def test_users_page_creates_an_account(db: Session, client: TestClient) -> None:
    from factories import login_browser

    csrf = login_browser(client, make_user(db, role=Role.SYSTEM_ADMIN, region="34").username)
    page = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": "page_user",
            "display_name": "页面用户",
            "role": "inspector",
            "region_code": "340104",
            "password": "Start-Pass-2026!",
        },
    )
    assert page.status_code == 200 and "page_user" in page.text
    bad = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": "page_user2",
            "display_name": "页面用户",
            "role": "inspector",
            "region_code": "340104",
            "password": "short",
        },
    )
    assert bad.status_code == 422 and "密码长度至少" in bad.text
    assert 'value="page_user2"' in bad.text, "the form keeps what was typed"
