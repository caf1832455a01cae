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
