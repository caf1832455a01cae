"""The four lists' pages through forms, as an official and as the targeted business — and the
public guideline pages without logging in."""

from __future__ import annotations

import re
from datetime import date, timedelta

from chain_world import DIRTY, build, inspection
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import login_browser, make_user
from lookthrough.core import clock
from lookthrough.core.roles import Role
from lookthrough.lists.models import Guideline, Problem, Rectification, RectificationTarget

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def _post(client: TestClient, url: str, csrf: str, **data: object) -> object:
    return client.post(url, data={**data, "csrf_token": csrf}, follow_redirects=False)


def test_matter_problem_pages_create_propose_confirm(db: Session, client: TestClient) -> None:
    build(db, run=False)  # the kitchens, and a catering matter already made from the template
    make_user(db, username="page_county", region="340104")
    csrf = login_browser(client, "page_county")
    page = client.get("/lists/matters")
    assert (
        page.status_code == 200
        and "餐饮服务食品安全" in page.text
        and "从政策模板创建" in page.text
    )
    made = _post(client, "/lists/matters", csrf, template="edible_oil")
    assert made.status_code == 303
    oil = client.get(made.headers["location"])
    assert "食用植物油" in oil.text and "OIL-1" in oil.text
    again = _post(client, "/lists/matters", csrf, template="edible_oil")
    assert again.status_code == 409 and "本辖区已有同名事项" in again.text

    matter_id = int(made.headers["location"].rsplit("/", 1)[1])
    edited = _post(client, f"/lists/matters/{matter_id}", csrf, name="食用植物油（2026）",
                   risk_points="OIL-1|原料检验|原料验收缺项|oil_sampling_failures_24m\n",
                   note="年度调整", industry_prefixes="C1331,F5121")  # fmt: skip
    assert edited.status_code == 200 and "已保存为新版本" in edited.text and "v2" in edited.text
    bad = _post(client, f"/lists/matters/{matter_id}", csrf, name="x", risk_points="只有一列")
    assert bad.status_code == 422 and "风险点格式" in bad.text

    catering = db.scalar(select(Problem.matter_id).where(Problem.title == DIRTY))
    proposed = _post(client, f"/lists/matters/{catering}/proposals", csrf)
    listing = client.get(proposed.headers["location"])
    assert "已生成或更新" in listing.text and "餐具消毒设施未正常使用" in listing.text
    other = db.scalar(select(Problem).where(Problem.title == "餐具消毒设施未正常使用"))
    assert other is not None
    refused = _post(client, f"/lists/problems/{other.id}/reject", csrf, note="")
    assert refused.status_code == 422 and "驳回理由" in refused.text
    done = _post(client, f"/lists/problems/{other.id}/confirm", csrf, title="餐具消毒不到位",
                 manifestations="消毒柜未通电\n无消毒记录")  # fmt: skip
    assert done.status_code == 303
    chain_page = client.get(done.headers["location"])
    assert "餐具消毒不到位" in chain_page.text and "无消毒记录" in chain_page.text
    assert client.get("/api/v1/problems.xlsx").status_code == 200  # the page's export link


def test_the_chain_page_from_penetration_to_a_verified_fix(db: Session, client: TestClient) -> None:
    chain = build(db, run=False)
    make_user(db, username="page_county", region="340104")
    csrf = login_browser(client, "page_county")
    pid = chain.problem.id
    page = client.get(f"/lists/problems/{pid}")
    assert page.status_code == 200 and "尚未做穿透分析" in page.text
    assert _post(client, f"/lists/problems/{pid}/penetration", csrf).status_code == 303
    page = client.get(f"/lists/problems/{pid}")
    assert 'id="lt-graph"' in page.text and "问题批发部" in page.text and "显著" in page.text
    assert "/static/penetration.js" in page.text and "建议解剖的代表性主体" in page.text

    shop = chain.dirty[0]
    bad = _post(client, f"/lists/problems/{pid}/dissections", csrf, held_on="2026-03-01",
                participants="王监管|区局|监管部门", subject=str(shop.id))  # fmt: skip
    assert bad.status_code == 422 and "技术机构或科研院所" in bad.text
    ok = _post(client, f"/lists/problems/{pid}/dissections", csrf, held_on="2026-03-01",
               place="区局", participants="王监管|区局|监管部门\n李专家|检验中心|技术机构",
               subject=str(shop.id), **{f"reason_{shop.id}": "问题记录最多"})  # fmt: skip
    assert ok.status_code == 303
    supplier = f"supplier:entity:{chain.supplier.id}"
    cause = _post(client, f"/lists/problems/{pid}/causes", csrf, category="管理制度",
                  description="进货查验制度缺失", factor=supplier)  # fmt: skip
    assert cause.status_code == 303
    page = client.get(f"/lists/problems/{pid}")
    assert "进货查验制度缺失" in page.text and "检验中心" in page.text

    deadline = (date.today() + timedelta(days=20)).isoformat()
    task = _post(client, f"/lists/problems/{pid}/rectifications", csrf, title="后厨整改",
                 scope="one", entity_id=str(shop.id), measures="清理后厨", responsible="食品科",
                 deadline=deadline)  # fmt: skip
    assert task.status_code == 303
    task_url = task.headers["location"]
    target = db.scalar(select(RectificationTarget).where(RectificationTarget.entity_id == shop.id))
    assert target is not None
    move = f"/lists/rectifications/targets/{target.id}/move"
    illegal = _post(client, move, csrf, action="close")
    assert illegal.status_code == 409 and "不能" in illegal.text
    assert _post(client, move, csrf, action="start").status_code == 303

    make_user(db, username="page_shop", role=Role.ENTERPRISE, entity=shop)
    client.cookies.clear()
    shop_csrf = login_browser(client, "page_shop")
    mine = client.get("/my/rectifications")
    assert "后厨整改" in mine.text
    assert client.get(task_url).status_code == 403  # officials' page
    portal = f"/my/rectifications/{target.id}"
    form = {"description": "后厨已清理", "csrf_token": shop_csrf}
    sent = client.post(f"{portal}/evidence", data=form,
                       files={"file": ("后厨.png", PNG, "image/png")})  # fmt: skip
    assert sent.status_code == 200, sent.text[-3000:]
    assert "整改材料已上传" in sent.text and "后厨.png" in sent.text
    assert _post(client, f"{portal}/move", shop_csrf, action="submit").status_code == 303
    assert "已提交" in client.get(portal).text

    client.cookies.clear()
    csrf = login_browser(client, "page_county")
    record = inspection(db, shop, clock.utcnow())
    assert _post(client, move, csrf, action="verify", record_id=record.id).status_code == 303
    detail = client.get(task_url)
    assert "已核验" in detail.text and "后厨.png" in detail.text and "核验记录" in detail.text
    assert "后厨整改" in client.get("/lists/rectifications").text
    assert "后厨整改" not in client.get("/lists/rectifications?overdue=true").text
    chain_page = client.get(f"/lists/problems/{pid}?cut=2025-06-01")
    assert 'id="effect-reading"' in chain_page.text
    assert db.scalar(select(Rectification.state)) == "verified"


def test_guideline_pages_and_the_public_copy(db: Session, client: TestClient) -> None:
    chain = build(db, run=False)
    make_user(db, username="page_county", region="340104")
    csrf = login_browser(client, "page_county")
    made = _post(client, f"/lists/matters/{chain.matter.id}/guidelines", csrf, audience="business")
    assert made.status_code == 303
    editor = client.get(made.headers["location"])
    assert "经营主体合规指引" in editor.text and "自查要点" in editor.text
    gid = int(made.headers["location"].rsplit("/", 1)[1])
    saved = client.post(f"/lists/guidelines/{gid}", data={
        "csrf_token": csrf, "title": "餐饮合规指引", "heading": ["合规要求", ""],
        "body": ["保持后厨清洁。\n建立台账。", ""]})  # fmt: skip
    assert saved.status_code == 200 and "已保存为新版本" in saved.text
    published = _post(client, f"/lists/guidelines/{gid}/publish", csrf)
    assert "已在公开页面发布" in published.text
    assert "餐饮合规指引" in client.get("/lists/guidelines").text

    client.cookies.clear()  # the public pages need no login
    listing = client.get("/public/guidelines")
    assert listing.status_code == 200 and "餐饮合规指引" in listing.text
    page = client.get(f"/public/guidelines/{gid}")
    assert "建立台账。" in page.text and "蜀山区" in page.text and 'id="lt-menu"' not in page.text
    pdf = client.get(f"/public/guidelines/{gid}/document.pdf")
    assert pdf.content.startswith(b"%PDF-")
    g = db.scalar(select(Guideline).where(Guideline.id == gid))
    assert g is not None and g.published_version == 2
    draft = client.get(f"/public/guidelines/{gid + 999}")
    assert draft.status_code == 404


def test_every_form_carries_the_csrf_token(db: Session, client: TestClient) -> None:
    chain = build(db)
    make_user(db, username="page_county", region="340104")
    csrf = login_browser(client, "page_county")
    for url in ("/lists/matters", f"/lists/matters/{chain.matter.id}", "/lists/problems",
                f"/lists/problems/{chain.problem.id}"):  # fmt: skip
        tokens = re.findall(r'name="csrf_token" value="([^"]*)"', client.get(url).text)
        assert len(tokens) >= 2 and set(tokens) == {csrf}, url  # the page's forms and logout


def test_the_menu_has_the_four_lists_and_the_enterprise_portal(
    db: Session, client: TestClient
) -> None:
    chain = build(db, run=False)
    make_user(db, username="page_county", region="340104")
    login_browser(client, "page_county")
    menu = client.get("/lists/matters").text
    for href in ("/lists/matters", "/lists/problems", "/lists/causes", "/lists/rectifications",
                 "/lists/guidelines"):  # fmt: skip
        assert re.search(f'href="{href}"', menu), href
    make_user(db, username="page_shop", role=Role.ENTERPRISE, entity=chain.dirty[0])
    client.cookies.clear()
    login_browser(client, "page_shop")
    menu = client.get("/my/rectifications").text
    assert 'href="/my/rectifications"' in menu and 'href="/lists/matters"' not in menu
