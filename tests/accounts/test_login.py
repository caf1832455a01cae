"""Login, lockout, session lifetime, CSRF and forced password change, through the real app."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import PASSWORD, login, login_browser, make_user
from lookthrough.audit.models import AuditEvent
from lookthrough.core import clock
from lookthrough.core.roles import Role


def kinds(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEvent.kind).order_by(AuditEvent.id)))


def test_login_is_audited_with_source(db: Session, client: TestClient) -> None:
    user = make_user(db)
    login(client, user.username)
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.kind == "accounts.login_succeeded")
    ).one()
    assert event.actor_username == user.username
    assert event.ip == "testclient" and event.request_id


def test_lockout_after_repeated_failures(db: Session, client: TestClient) -> None:
    user = make_user(db)
    for _ in range(5):
        bad = client.post(
            "/api/v1/auth/login", json={"username": user.username, "password": "wrong"}
        )
        assert bad.status_code in (401, 423)
    assert bad.status_code == 423  # the fifth failure locks
    locked = client.post(
        "/api/v1/auth/login", json={"username": user.username, "password": PASSWORD}
    )
    assert locked.status_code == 423, "the right password is refused while locked"
    assert kinds(db).count("accounts.login_failed") == 6
    assert "accounts.account_locked" in kinds(db)
    with time_machine.travel(clock.utcnow() + timedelta(minutes=31), tick=False):
        assert (
            client.post(
                "/api/v1/auth/login", json={"username": user.username, "password": PASSWORD}
            ).status_code
            == 200
        )


def test_unknown_usernames_lock_the_same_way(db: Session, client: TestClient) -> None:
    answers = [
        client.post("/api/v1/auth/login", json={"username": "nobody-here", "password": "x"}).json()[
            "detail"
        ]
        for _ in range(6)
    ]
    user = make_user(db)
    known = [
        client.post("/api/v1/auth/login", json={"username": user.username, "password": "x"}).json()[
            "detail"
        ]
        for _ in range(6)
    ]
    assert answers == known, "responses must not reveal whether a username exists"


def test_idle_timeout_and_absolute_lifetime(db: Session, client: TestClient) -> None:
    user = make_user(db)
    start = clock.utcnow()
    with time_machine.travel(start, tick=False) as traveller:
        headers = login(client, user.username)
        traveller.shift(timedelta(minutes=29))
        assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
        traveller.shift(timedelta(minutes=31))
        expired = client.get("/api/v1/auth/me", headers=headers)
        assert expired.status_code == 401 and expired.json()["code"] == "session_expired"
        headers = login(client, user.username)
        for _ in range(25):  # active every 29 minutes, still cut at 12 hours
            traveller.shift(timedelta(minutes=29))
            status = client.get("/api/v1/auth/me", headers=headers).status_code
            if status == 401:
                break
        assert status == 401
        assert clock.utcnow() - start >= timedelta(hours=12)


def test_logout_ends_the_session(db: Session, client: TestClient) -> None:
    headers = login(client, make_user(db).username)
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 200
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_cookie_posts_need_the_csrf_token(db: Session, client: TestClient) -> None:
    user = make_user(db, role=Role.CITY_OFFICIAL, region="3401")
    token = login_browser(client, user.username)
    refused = client.post("/region", data={"region_code": "340104"}, follow_redirects=False)
    assert refused.status_code == 403
    accepted = client.post(
        "/region", data={"region_code": "340104", "csrf_token": token}, follow_redirects=False
    )
    assert accepted.status_code == 303
    assert client.get("/api/v1/auth/me").json()["region"] == "340104"
    header = client.post(
        "/api/v1/auth/region", json={"region_code": "3401"}, headers={"X-CSRF-Token": token}
    )
    assert header.status_code == 200


def test_region_switch_stays_inside_the_jurisdiction(db: Session, client: TestClient) -> None:
    headers = login(client, make_user(db, role=Role.CITY_OFFICIAL, region="3401").username)
    for outside in ("3402", "34", "340202"):
        response = client.post(
            "/api/v1/auth/region", json={"region_code": outside}, headers=headers
        )
        assert response.status_code == 403, outside
    assert client.get("/api/v1/auth/me", headers=headers).json()["region"] == "3401"


def test_first_login_forces_a_password_change(db: Session, client: TestClient) -> None:
    user = make_user(db, must_change=True)
    headers = login(client, user.username)
    blocked = client.get("/api/v1/entities", headers=headers)
    assert blocked.status_code == 403 and blocked.json()["context"]["must_change_password"]
    changed = client.post(
        "/api/v1/auth/password",
        headers=headers,
        json={"old_password": PASSWORD, "new_password": "Brand-New-2026#"},
    )
    assert changed.status_code == 200
    assert client.get("/api/v1/entities", headers=headers).status_code == 200


def test_password_change_ends_other_sessions(db: Session, client: TestClient) -> None:
    user = make_user(db)
    first, second = login(client, user.username), login(client, user.username)
    client.post(
        "/api/v1/auth/password",
        headers=first,
        json={"old_password": PASSWORD, "new_password": "Brand-New-2026#"},
    )
    assert client.get("/api/v1/auth/me", headers=first).status_code == 200
    assert client.get("/api/v1/auth/me", headers=second).status_code == 401
    weak = client.post(
        "/api/v1/auth/password",
        headers=first,
        json={"old_password": "Brand-New-2026#", "new_password": "abc"},
    )
    assert weak.status_code == 422 and weak.json()["code"] == "password_rejected"


def test_login_page_flow_and_open_redirect(db: Session, client: TestClient) -> None:
    user = make_user(db)
    page = client.get("/login?next=https://evil.example/")
    prelogin = page.text.split('name="prelogin" value="')[1].split('"')[0]
    response = client.post(
        "/login",
        data={
            "username": user.username,
            "password": PASSWORD,
            "prelogin": prelogin,
            "next": "https://evil.example/",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")


def test_login_form_without_prelogin_token_is_refused(db: Session, client: TestClient) -> None:
    user = make_user(db)
    response = client.post(
        "/login",
        data={"username": user.username, "password": PASSWORD, "prelogin": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "lt_session" not in response.headers.get("set-cookie", "")


def test_unauthenticated_pages_go_to_login(client: TestClient) -> None:
    response = client.get("/entities?q=x", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/entities%3Fq%3Dx&reason=not_authenticated"
