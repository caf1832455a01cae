"""The file under /api/v1/profiles and its pages."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from profile_world import ProfileWorld
from sqlalchemy.orm import Session

from factories import login, login_browser, make_user
from lookthrough.core.roles import Role


@pytest.fixture
def official(db: Session, client: TestClient) -> dict[str, str]:
    make_user(db, role=Role.COUNTY_OFFICIAL, region="340104", username="t_api")
    return login(client, "t_api")


def test_file_as_json(client: TestClient, world: ProfileWorld, official: dict[str, str]) -> None:
    body = client.get(f"/api/v1/profiles/{world.id('甲')}", headers=official).json()
    assert body["registration"]["name"] == "蜀山区德诚粮油店"
    assert body["registration"]["legal_rep"] == "孙**"
    assert body["record_counts"] == {
        "abnormal_list": 1, "complaint": 1, "dishonesty_list": 1, "inspection": 1,
        "licence": 1, "sampling": 1,
    }  # fmt: skip
    assert [s["key"] for s in body["sections"]] == ["lists"]
    assert body["subject_counts"] == {"电梯": 1, "网店": 1}


def test_timeline_filters_and_pages(
    client: TestClient, world: ProfileWorld, official: dict[str, str]
) -> None:
    url = f"/api/v1/profiles/{world.id('甲')}/timeline"
    page = client.get(url, params={"limit": 2, "offset": 2}, headers=official).json()
    assert page["total"] == 6 and len(page["items"]) == 2
    only = client.get(url, params={"kind": "complaint,sampling"}, headers=official).json()
    assert [i["kind"] for i in only["items"]] == ["complaint", "sampling"]
    complaint = only["items"][0]
    assert (complaint["linked"], complaint["link_label"]) == (True, "经名称匹配关联")
    assert complaint["payload"]["complainant_name"] == "钱**"
    dated = client.get(
        url, params={"date_from": "2025-03-01", "date_to": "2025-03-01"}, headers=official
    ).json()
    assert [i["title"] for i in dated["items"]] == ["日常检查：发现问题"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kind": "inspection,nonsense"}, "未知的监管信息类别：nonsense"),
        ({"date_from": "2025-05-01", "date_to": "2025-01-01"}, "开始日期不能晚于结束日期"),
        ({"date_from": "2025-13-01"}, "请求参数不正确"),
    ],
)
def test_bad_filters_are_refused_in_chinese(
    client: TestClient, world: ProfileWorld, official: dict[str, str], params: dict[str, str],
    message: str,
) -> None:  # fmt: skip
    response = client.get(
        f"/api/v1/profiles/{world.id('甲')}/timeline", params=params, headers=official
    )
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_graph_routes(client: TestClient, world: ProfileWorld, official: dict[str, str]) -> None:
    g = client.get(f"/api/v1/profiles/{world.id('甲')}/graph", headers=official).json()
    assert g["centre"] == f"e{world.id('甲')}" and g["hidden"] == 2
    person = next(n for n in g["nodes"] if n["kind"] == "person")
    hop = client.get(f"/api/v1/profiles/persons/{person['id'][1:]}/graph", headers=official)
    assert {n["name"] for n in hop.json()["nodes"]} >= {"蜀山区壳一商贸有限公司"}


def test_search_api(client: TestClient, world: ProfileWorld, official: dict[str, str]) -> None:
    body = client.get("/api/v1/profiles", params={"q": "德诚粮油"}, headers=official).json()
    assert [i["name"] for i in body["items"]] == ["蜀山区德诚粮油店"]
    assert body["items"][0]["matched"] == ["name"]
    assert (body["total"], body["capped"]) == (1, False)


def test_file_page_filters_the_timeline(
    db: Session, client: TestClient, world: ProfileWorld
) -> None:
    make_user(db, role=Role.COUNTY_OFFICIAL, region="340104", username="t_page")
    login_browser(client, "t_page")
    page = client.get(f"/entities/{world.id('甲')}")
    assert page.status_code == 200
    for part in ("登记信息", "许可", "名录情况", "监管对象", "关联关系", 'id="lt-graph"',
                 "经名称匹配关联", "共 6 条"):  # fmt: skip
        assert part in page.text, part
    # The form as a browser sends it: empty fields are no filter.
    partial = client.get(
        f"/entities/{world.id('甲')}/timeline",
        params={"kind": "complaint", "date_from": "", "date_to": "", "text": ""},
    )
    assert partial.status_code == 200
    assert "共 1 条" in partial.text and "投诉：德诚粮油以次充好" in partial.text
    bad = client.get(f"/entities/{world.id('甲')}", params={"date_from": "昨天"})
    assert bad.status_code == 422 and "开始日期“昨天”无法识别" in bad.text
    # Records by kind: one bar per kind, longest for the most, each a link to that kind alone.
    kinds = re.findall(
        r'href="/entities/\d+\?kind=(\w+)#timeline-card".*?width: ([\d.]+)%.*?lt-kind-n">(\d+)<',
        page.text,
        re.S,
    )
    assert kinds and sum(int(n) for _, _, n in kinds) == 6
    assert max(float(w) for _, w, _ in kinds) == 100.0
    only = client.get(f"/entities/{world.id('甲')}", params={"kind": "complaint"})
    assert "共 1 条" in only.text and 'lt-kind active" href="/entities/' in only.text


def test_search_page(db: Session, client: TestClient, world: ProfileWorld) -> None:
    make_user(db, role=Role.COUNTY_OFFICIAL, region="340104", username="t_find")
    login_browser(client, "t_find")
    page = client.get("/entities", params={"q": "蜀山区得诚粮油店"})
    assert "共 0 户" in page.text
    assert 'id="similar-names"' in page.text and "蜀山区德诚粮油店" in page.text


def test_the_business_sees_no_graph_on_its_page(
    db: Session, client: TestClient, world: ProfileWorld
) -> None:
    make_user(db, role=Role.ENTERPRISE, entity=world.entities["甲"], username="t_own_page")
    login_browser(client, "t_own_page")
    page = client.get(f"/entities/{world.id('甲')}")
    assert page.status_code == 200
    assert 'id="lt-graph"' not in page.text and "钱投诉" not in page.text
    assert "德诚粮油卖的油有哈喇味" in page.text
