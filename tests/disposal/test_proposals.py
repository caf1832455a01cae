"""处置建议: measures proposed from the risk engine's assessments and open alerts, major risks
first, opened in one step with their source kept; the page and its one-click form."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import SETTINGS, login_browser, make_entity, make_user
from lookthrough.audit.models import AuditEvent
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.errors import Conflict, NotFound
from lookthrough.core.roles import Role
from lookthrough.disposal import proposals, risk_inputs
from lookthrough.disposal import service as disposal
from lookthrough.disposal.risk_inputs import judged
from lookthrough.registry.models import Entity
from risk.risk_support import alert, assess

COUNTY = Actor(user_id=None, username="proposals", role=Role.COUNTY_OFFICIAL,
               jurisdiction="340104", region="340104")  # fmt: skip


def world(db: Session) -> dict[str, Entity]:
    """Businesses at each kind of risk, one out of the county, one already being disposed of."""
    found = {
        "major": make_entity(db, region="340104001", name="重大风险饭店"),
        "larger": make_entity(db, region="340104001", name="较大风险饭店"),
        "low": make_entity(db, region="340104001", name="低风险饭店"),
        "alerted": make_entity(db, region="340104002", name="预警饭店"),
        "busy": make_entity(db, region="340104002", name="在办饭店"),
        "away": make_entity(db, region="340103", name="庐阳重大风险饭店"),
    }
    assess(db, found["major"], level=1, probability=0.7)
    assess(db, found["larger"], level=2, probability=0.3)
    assess(db, found["low"], level=4, probability=0.02)
    assess(db, found["alerted"], level=4, probability=0.05)
    alert(db, found["alerted"], title="投诉激增预警")
    assess(db, found["busy"], level=1, probability=0.9)
    disposal.open_measure(
        db, actor=COUNTY, settings=SETTINGS, entity_id=found["busy"].id, levels=judged(4, 4),
        owner_id=None, now=clock.utcnow(),
    )  # fmt: skip
    assess(db, found["away"], level=1, probability=0.9)
    return found


def test_levels_come_from_the_assessment_and_name_its_reasons(db: Session) -> None:
    shop = make_entity(db, region="340104001")
    assess(db, shop, level=1, probability=0.7)  # consequence 2.0: 一般 (≥ 1.5) → level 2
    levels = risk_inputs.from_assessment(db, actor=COUNTY, entity_id=shop.id)
    assert (levels.probability, levels.consequence, levels.source) == (4, 2, "assessment")
    assert levels.source_ref == f"{shop.id}@2025-12-31"
    assert "重大风险" in levels.basis and "近12个月投诉举报量：7件" in levels.basis
    assert [risk_inputs.probability_of_level(n) for n in (1, 2, 3, 4)] == [4, 3, 2, 1]


def test_proposals_put_major_risks_first_and_leave_out_what_is_under_way(db: Session) -> None:
    found = world(db)
    rows = proposals.proposals(db, actor=COUNTY, settings=SETTINGS)
    names = [p.entity_name for p in rows]
    assert names == ["重大风险饭店", "预警饭店", "较大风险饭店"]  # no low, busy or other county
    major, alerted, larger = rows
    assert (major.kind, major.risk_level, major.source) == ("inspection", "II", "assessment")
    assert "建议检查" in major.reason and "近12个月投诉举报量：7件" in major.reason
    assert (alerted.source, alerted.kind) == ("alert", "interview")  # alert II: probability 3
    assert "投诉激增预警" in alerted.reason and alerted.alert_id is not None
    assert (larger.levels.probability, larger.kind) == (3, "interview")
    assert found["away"].id not in {p.entity_id for p in rows}


def test_a_proposal_opens_once_with_its_source(db: Session) -> None:
    found = world(db)
    now = clock.utcnow()
    measure = proposals.open_from_assessment(
        db, actor=COUNTY, settings=SETTINGS, entity_id=found["major"].id, now=now
    )
    assert (measure.kind, measure.state, measure.source) == ("inspection", "proposed", "assessment")
    assert measure.source_ref == f"{found['major'].id}@2025-12-31"
    assert "近12个月投诉举报量" in measure.reason
    with pytest.raises(Conflict):
        proposals.open_from_assessment(
            db, actor=COUNTY, settings=SETTINGS, entity_id=found["major"].id, now=now
        )
    [pending] = [p for p in proposals.proposals(db, actor=COUNTY, settings=SETTINGS)
                 if p.source == "alert"]  # fmt: skip
    assert pending.alert_id is not None
    from_alert = proposals.open_from_alert(
        db, actor=COUNTY, settings=SETTINGS, alert_id=pending.alert_id, now=now
    )
    assert (from_alert.source, from_alert.source_ref) == ("alert", str(pending.alert_id))
    left = [p.entity_name for p in proposals.proposals(db, actor=COUNTY, settings=SETTINGS)]
    assert left == ["较大风险饭店"]
    opened = db.scalars(
        select(AuditEvent.object_id).where(
            AuditEvent.kind == "disposal.measure_opened", AuditEvent.actor_username == "proposals"
        )
    ).all()
    assert {str(measure.id), str(from_alert.id)} <= set(opened)
    with pytest.raises(NotFound):
        proposals.open_from_assessment(
            db, actor=COUNTY, settings=SETTINGS, entity_id=found["away"].id, now=now
        )


def test_the_proposals_page_opens_a_measure_in_one_click(db: Session, client: TestClient) -> None:
    found = world(db)
    login_browser(client, make_user(db, username="proposals_page").username)
    page = client.get("/disposal/proposals")
    assert page.status_code == 200
    assert "重大风险饭店" in page.text and "预警饭店" in page.text
    assert "庐阳重大风险饭店" not in page.text and 'href="/disposal/proposals"' in page.text
    csrf = page.text.split('name="csrf-token" content="')[1].split('"')[0]
    action = f"/disposal/proposals/assessments/{found['major'].id}"
    assert f'action="{action}"' in page.text
    opened = client.post(action, data={"csrf_token": csrf}, follow_redirects=False)
    assert opened.status_code == 303
    measure_page = client.get(opened.headers["location"])
    assert measure_page.status_code == 200 and "近12个月投诉举报量" in measure_page.text
    assert "风险评估</a>" in measure_page.text
    again = client.post(action, data={"csrf_token": csrf}, follow_redirects=False)
    assert again.status_code == 409 and "已提出处置措施" in again.text
    away = client.post(
        f"/disposal/proposals/assessments/{found['away'].id}", data={"csrf_token": csrf},
        follow_redirects=False,
    )  # fmt: skip
    assert away.status_code == 404
