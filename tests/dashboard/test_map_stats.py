"""The dashboard's numbers: counts by sub-region, scoped to what the user may see."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from factories import login, login_browser, make_entity, make_record, make_user
from lookthrough.core.roles import Role


def seed(db: Session) -> None:
    for region in ("340104001", "340104", "340103002", "340202", "341002"):
        entity = make_entity(db, region=region)
        make_record(db, entity=entity)
        make_record(db, entity=entity, kind="complaint")


def test_province_analyst_sees_every_city(db: Session, client: TestClient) -> None:
    seed(db)
    headers = login(client, make_user(db, role=Role.PROVINCE_ANALYST, region="34").username)
    stats = client.get("/api/v1/stats/map", headers=headers).json()
    assert stats["region_code"] == "34" and len(stats["children"]) == 16
    values = {c["name"]: c["value"] for c in stats["children"]}
    assert values["合肥市"] == 3 and values["芜湖市"] == 1 and values["黄山市"] == 1
    assert stats["total"] == 5 and stats["geo_url"] == "/static/geo/34.json"
    records = client.get("/api/v1/stats/map?metric=records", headers=headers).json()
    assert records["total"] == 10


def test_drill_to_county_counts_towns_and_unassigned(db: Session, client: TestClient) -> None:
    seed(db)
    headers = login(client, make_user(db, role=Role.PROVINCE_ANALYST, region="34").username)
    county = client.get("/api/v1/stats/map?region=340104", headers=headers).json()
    assert county["level"] == "county" and county["total"] == 2
    assert county["unassigned"] == 1  # registered at county level, no town
    assert {c["code"]: c["value"] for c in county["children"]}["340104001"] == 1


def test_county_official_is_kept_to_the_county(db: Session, client: TestClient) -> None:
    seed(db)
    headers = login(client, make_user(db, role=Role.COUNTY_OFFICIAL, region="340104").username)
    stats = client.get("/api/v1/stats/map", headers=headers).json()
    assert stats["region_code"] == "340104" and stats["total"] == 2
    assert stats["parent_code"] is None, "no way up out of the jurisdiction"
    for outside in ("34", "3401", "340103"):
        assert client.get(f"/api/v1/stats/map?region={outside}", headers=headers).status_code == 403


def test_dashboard_page_shows_the_numbers(db: Session, client: TestClient) -> None:
    seed(db)
    login_browser(client, make_user(db, role=Role.CITY_OFFICIAL, region="3401").username)
    page = client.get("/")
    assert page.status_code == 200
    assert 'data-region="3401"' in page.text and "蜀山区" in page.text
    assert "/static/vendor/echarts.min.js" in page.text and "/static/dashboard.js" in page.text


def test_admins_land_on_their_own_page(db: Session, client: TestClient) -> None:
    login_browser(client, make_user(db, role=Role.AUDIT_ADMIN, region="34").username)
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/audit"
