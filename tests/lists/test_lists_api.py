"""The causes, rectifications, effect, guidelines and Excel lists through /api/v1, as an
official and as the targeted business's own user."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
from chain_world import build, inspection
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from factories import login, make_user
from lookthrough.core import clock
from lookthrough.core.roles import Role

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
PANEL = [
    {"name": "王监管", "organisation": "蜀山区市场监督管理局", "kind": "regulator"},
    {"name": "李专家", "organisation": "合肥市食品药品检验中心", "kind": "technical"},
]


def _sheet(content: bytes) -> list[tuple[object, ...]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    assert sheet is not None
    return [tuple(r) for r in sheet.iter_rows(values_only=True)]


def test_the_chain_through_the_api(db: Session, client: TestClient) -> None:
    chain = build(db)
    shop = chain.dirty[0]
    make_user(db, username="api_county", region="340104")
    make_user(db, username="api_shop", role=Role.ENTERPRISE, entity=shop)
    official, owner = login(client, "api_county"), login(client, "api_shop")
    pid = chain.problem.id

    picked = client.get(f"/api/v1/problems/{pid}/representatives", headers=official).json()
    assert picked and all(p["reason"] for p in picked)
    subject = {"entity_id": picked[0]["entity_id"], "reason": picked[0]["reason"]}
    session = {"held_on": "2026-03-01", "participants": PANEL, "subjects": [subject]}
    made = client.post(f"/api/v1/problems/{pid}/dissections", json=session, headers=official)
    assert made.status_code == 201, made.text
    cause = client.post(f"/api/v1/problems/{pid}/causes", headers=official, json={
        "category": "设施设备", "description": "排水设施缺失", "dissection_id": made.json()["id"],
        "factor": f"supplier:entity:{chain.supplier.id}"})  # fmt: skip
    assert cause.status_code == 201, cause.text
    assert client.get("/api/v1/causes", headers=official).json()["total"] == 1
    assert client.get(f"/api/v1/problems/{pid}/causes", headers=owner).status_code == 403

    task = client.post(f"/api/v1/problems/{pid}/rectifications", headers=official, json={
        "title": "排水整改", "scope": "one", "entity_id": shop.id, "measures": "加装地漏",
        "responsible": "食品科", "deadline": str(date.today() + timedelta(days=10)),
        "cause_id": cause.json()["id"]})  # fmt: skip
    assert task.status_code == 201, task.text
    target = task.json()["targets"][0]["id"]
    mine = client.get("/api/v1/rectifications", headers=owner).json()
    assert mine["total"] == 1 and mine["items"][0]["targets"][0]["id"] == target

    moves = f"/api/v1/rectification-targets/{target}/moves"
    illegal = client.post(moves, json={"action": "verify"}, headers=owner)
    assert illegal.status_code == 403  # the business may not verify itself
    early = client.post(moves, json={"action": "submit"}, headers=owner)
    assert (early.status_code, early.json()["code"]) == (409, "invalid_transition")
    assert client.post(moves, json={"action": "start"}, headers=owner).status_code == 200
    sent = client.post(f"/api/v1/rectification-targets/{target}/evidence", headers=owner,
                       data={"description": "已加装地漏"},
                       files={"file": ("地漏.png", PNG, "image/png")})  # fmt: skip
    assert sent.status_code == 201, sent.text
    bad = client.post(f"/api/v1/rectification-targets/{target}/evidence", headers=owner,
                      data={"description": "x"},
                      files={"file": ("x.png", b"GIF89a", "image/png")})  # fmt: skip
    assert (bad.status_code, bad.json()["code"]) == (422, "file_rejected")
    got = client.get(f"/api/v1/rectification-evidence/{sent.json()['id']}/file", headers=official)
    assert got.content == PNG and got.headers["content-type"] == "image/png"
    assert (
        client.post(moves, json={"action": "submit"}, headers=owner).json()["state"] == "submitted"
    )

    record = inspection(db, shop, clock.utcnow())
    verified = client.post(moves, json={"action": "verify", "record_id": record.id},
                           headers=official)  # fmt: skip
    assert verified.status_code == 200, verified.text
    assert verified.json()["state"] == "verified"
    events = client.get(f"/api/v1/rectifications/{task.json()['id']}/events", headers=owner)
    assert [e["action"] for e in events.json()] == ["verify", "submit", "start"]

    seen = client.get(f"/api/v1/problems/{pid}/effect", params={"cut": "2025-01-01"},
                      headers=official).json()  # fmt: skip
    assert seen["treated_units"] == 1 and seen["low"] <= seen["estimate"] <= seen["high"]
    assert client.get(f"/api/v1/problems/{pid}/effect", headers=owner).status_code == 403

    rows = _sheet(client.get("/api/v1/rectifications.xlsx", headers=official).content)
    assert rows[0][:4] == ("序号", "所属事项", "问题名称", "整改任务")
    assert rows[1][3] == "排水整改" and rows[1][5] == shop.name and rows[1][11] == "已核验"
    assert _sheet(client.get("/api/v1/causes.xlsx", headers=official).content)[1][3] == "设施设备"
    matters = _sheet(client.get("/api/v1/matters.xlsx", headers=official).content)
    assert matters[0][3] == "监管事项" and len(matters) == 3  # the template's two risk points
    problems = _sheet(client.get("/api/v1/problems.xlsx", headers=official).content)
    assert any(r[2] == chain.problem.title for r in problems[1:])
    assert client.get("/api/v1/rectifications.xlsx", headers=owner).status_code == 403


def test_guidelines_through_the_api(db: Session, client: TestClient) -> None:
    chain = build(db, run=False)
    make_user(db, username="api_county", region="340104")
    official = login(client, "api_county")
    made = client.post(f"/api/v1/matters/{chain.matter.id}/guidelines", headers=official,
                       json={"audience": "business"})  # fmt: skip
    assert made.status_code == 201 and made.json()["status"] == "draft"
    gid = made.json()["id"]
    edit = {
        "title": "餐饮合规指引（2026）",
        "sections": [{"heading": "合规要求", "body": "保持后厨清洁。"}],
    }
    saved = client.put(f"/api/v1/guidelines/{gid}", json=edit, headers=official).json()
    assert saved["version"] == 2
    published = client.post(f"/api/v1/guidelines/{gid}/publish", headers=official).json()
    assert published["status"] == "published" and published["published_version"] == 2
    again = client.post(f"/api/v1/guidelines/{gid}/publish", headers=official)
    assert again.status_code == 409
    docx = client.get(f"/api/v1/guidelines/{gid}/document.docx", headers=official)
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    pdf = client.get(f"/api/v1/guidelines/{gid}/document.pdf", headers=official)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert "attachment" in pdf.headers["content-disposition"]
