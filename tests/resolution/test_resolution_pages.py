"""The review queue through the API and the pages, as an official uses it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import login, login_browser, make_entity, make_record, make_user
from lookthrough.audit.models import AuditEvent
from lookthrough.core.roles import Role
from lookthrough.registry.models import Entity
from lookthrough.resolution import run
from lookthrough.resolution.engine import RulesEngine
from lookthrough.resolution.models import MentionLink
from lookthrough.resolution.rules import Thresholds


def twins(db: Session) -> tuple[str, int, int]:
    """A complaint naming 鑫源粮油, which two 蜀山区 businesses could be: it waits for review."""
    a = make_entity(db, region="340104001", name="合肥市蜀山区鑫源粮油有限公司")
    b = make_entity(db, region="340104002", name="蜀山区鑫源粮油店")
    record = make_record(
        db, kind="complaint", region="340104", title="投诉：鑫源粮油", mention="鑫源粮油",
        text="在鑫源粮油买到过期油", channel="12315",
    )  # fmt: skip
    run.resolve_region(db, region="3401", engine=RulesEngine(), thresholds=Thresholds())
    link = db.get(MentionLink, record.id)
    assert link is not None and link.status == "review"
    return record.id, a.id, b.id


def test_queue_page_shows_the_mention_its_candidates_and_the_buttons(
    db: Session, client: TestClient
) -> None:
    twins(db)
    user = make_user(db, role=Role.COUNTY_OFFICIAL, region="340104")
    login_browser(client, user.username)
    page = client.get("/resolution/review")
    assert page.status_code == 200
    for text in ("鑫源粮油", "合肥市蜀山区鑫源粮油有限公司", "蜀山区鑫源粮油店", "是同一主体",
                 "辖区内有 2 户名称同样吻合", "共 1 条", 'href="/resolution/review"'):  # fmt: skip
        assert text in page.text, text


def test_htmx_judgement_returns_the_card_and_confirms_the_link(
    db: Session, client: TestClient
) -> None:
    record_id, _, b = twins(db)
    user = make_user(db, role=Role.COUNTY_OFFICIAL, region="340104")
    csrf = login_browser(client, user.username)
    answer = client.post(
        f"/resolution/mentions/{record_id}/judgements",
        data={"entity_id": str(b), "judgement": "link", "csrf_token": csrf},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert "<html" not in answer.text and f'id="mention-{record_id}"' in answer.text
    assert "人工确认" in answer.text and "当前关联" in answer.text
    link = db.get(MentionLink, record_id)
    assert link is not None and (link.status, link.entity_id) == ("confirmed", b)
    detail = client.get(f"/resolution/mentions/{record_id}")
    assert user.username in detail.text and "是同一主体" in detail.text
    assert client.get("/resolution/review").text.count("共 0 条") == 1


def test_api_judgement_is_audited_and_enterprise_users_are_refused(
    db: Session, client: TestClient
) -> None:
    record_id, a, b = twins(db)
    official = make_user(db, role=Role.CITY_OFFICIAL, region="3401")
    owner = make_user(db, role=Role.ENTERPRISE, entity=db.get_one(Entity, a))
    headers = login(client, official.username)
    queue = client.get("/api/v1/resolution/review", headers=headers).json()
    assert queue["total"] == 1 and queue["items"][0]["mention"] == "鑫源粮油"
    assert {c["entity"]["id"] for c in queue["items"][0]["candidates"]} == {a, b}
    bad = client.post(f"/api/v1/resolution/mentions/{record_id}/judgements", headers=headers,
                      json={"entity_id": a, "judgement": "maybe"})  # fmt: skip
    assert bad.status_code == 422
    judgement = {"entity_id": a, "judgement": "not_a_match", "note": "不是这家"}
    done = client.post(
        f"/api/v1/resolution/mentions/{record_id}/judgements", headers=headers, json=judgement
    )
    assert done.status_code == 200
    body = done.json()
    assert (body["link"]["status"], body["link"]["entity_id"]) == ("review", b)
    assert body["history"][0]["note"] == "不是这家"
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.kind == "resolution.mention_judged")
    ).one()
    assert (event.object_id, event.actor_username) == (record_id, official.username)
    assert event.detail == {"entity_id": a, "judgement": "not_a_match"}
    refused = client.get("/api/v1/resolution/review", headers=login(client, owner.username))
    assert refused.status_code == 403
