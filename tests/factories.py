"""Tiny helpers that make the rows a test needs (nomenklatura's ``e(...)`` style)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lookthrough.accounts import service as accounts_service
from lookthrough.accounts.models import User
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.core.ids import make_id
from lookthrough.core.roles import Role
from lookthrough.records.models import Record
from lookthrough.registry.models import Entity
from lookthrough.risk.models import ScoringRun

PASSWORD = "Test-Pass-2026!x"
_serial = itertools.count(1)
SETTINGS = Settings(database_url="sqlite://")


def make_entity(
    db: Session,
    *,
    region: str = "340104",
    name: str | None = None,
    uscc: str | None = None,
    legal_rep: str | None = "张三丰",
    phone: str | None = "13812348000",
    industry_code: str | None = "H6210",
) -> Entity:
    n = next(_serial)
    now = clock.utcnow()
    code = uscc or f"91{region[:6].ljust(6, '0')}MA{n:07d}X"[:18]
    entity = Entity(
        key=f"uscc:{code}",
        uscc=code,
        name=name or f"测试企业{n}有限公司",
        region_code=region,
        address=f"安徽省测试路{n}号",
        legal_rep=legal_rep,
        phone=phone,
        industry_code=industry_code,
        created_at=now,
        source="tests",
        first_seen=now,
        last_seen=now,
    )
    db.add(entity)
    db.flush()
    return entity


def make_record(
    db: Session,
    *,
    entity: Entity | None = None,
    region: str | None = None,
    kind: str = "inspection",
    title: str | None = None,
    **payload: Any,
) -> Record:
    n = next(_serial)
    now = clock.utcnow()
    record = Record(
        id=make_id("test", n),
        kind=kind,
        region_code=region or (entity.region_code if entity else "340104"),
        entity_id=entity.id if entity else None,
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
        title=title or f"测试记录{n}",
        payload=payload,
        source="tests",
        source_key=str(n),
        source_row=n,
        first_seen=now,
        last_seen=now,
    )
    db.add(record)
    db.flush()
    return record


def make_user(
    db: Session,
    *,
    role: Role = Role.COUNTY_OFFICIAL,
    region: str = "340104",
    username: str | None = None,
    entity: Entity | None = None,
    password: str = PASSWORD,
    must_change: bool = False,
) -> User:
    n = next(_serial)
    return accounts_service.create_user(
        db,
        actor=Actor.system("tests"),
        settings=SETTINGS,
        new=accounts_service.NewUser(
            username=username or f"user{n}",
            display_name=f"测试用户{n}",
            role=role,
            region_code=region,
            password=password,
            entity_uscc=entity.uscc if entity else None,
            must_change_password=must_change,
        ),
    )


def login(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Log in through the API; returns headers for bearer-token requests."""
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def login_browser(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the login form like a browser; returns the CSRF token for forms."""
    page = client.get("/login")
    prelogin = page.text.split('name="prelogin" value="')[1].split('"')[0]
    response = client.post(
        "/login",
        data={"username": username, "password": password, "prelogin": prelogin, "next": ""},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    home = client.get("/account/password")
    return home.text.split('name="csrf-token" content="')[1].split('"')[0]


def scoring_run(db: Session, *, as_of: date = date(2025, 12, 31)) -> int:
    """The id of a full scoring run dated ``as_of`` (made once per day), for risk rows that a
    test writes by hand: a current row stands for the day of the run that wrote it."""
    found = db.scalar(
        select(ScoringRun.id).where(ScoringRun.created_by == "tests", ScoringRun.as_of == as_of)
    )
    if found is not None:
        return int(found)
    now = clock.utcnow()
    run = ScoringRun(kind="full", model_id="tests", as_of=as_of, watermark=now, started_at=now,
                     finished_at=now, entities=0, events=0, alerts=0, details={},
                     created_by="tests")  # fmt: skip
    db.add(run)
    db.flush()
    return run.id
