from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from factories import login, make_user
from lookthrough.core.roles import Role


def test_login_and_me(db: Session, client: TestClient) -> None:
    user = make_user(db, role=Role.CITY_OFFICIAL, region="3401")
    headers = login(client, user.username)
    me = client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["jurisdiction"] == "3401"


def test_every_answer_carries_its_request_id_and_the_security_headers(client: TestClient) -> None:
    page = client.get("/login")
    other = client.get("/login")
    assert len(page.headers["X-Request-ID"]) == 32
    assert page.headers["X-Request-ID"] != other.headers["X-Request-ID"]
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Cache-Control"] == "no-store"
    missing = client.get("/api/v1/profiles/1")  # an error answer carries them too
    assert missing.status_code == 401 and missing.headers["X-Content-Type-Options"] == "nosniff"
    static = client.get("/static/app.css")
    assert static.status_code == 200 and static.headers.get("Cache-Control") != "no-store"
