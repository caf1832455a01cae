from __future__ import annotations

import pytest
from profile_world import ProfileWorld, build
from sqlalchemy.orm import Session

from lookthrough.core.actor import Actor
from lookthrough.core.roles import Role


@pytest.fixture
def world(db: Session) -> ProfileWorld:
    return build(db)


@pytest.fixture
def shushan() -> Actor:
    return Actor(user_id=None, username="t_shushan", role=Role.COUNTY_OFFICIAL,
                 jurisdiction="340104", region="340104")  # fmt: skip


@pytest.fixture
def hefei() -> Actor:
    return Actor(user_id=None, username="t_hefei", role=Role.CITY_OFFICIAL,
                 jurisdiction="3401", region="3401")  # fmt: skip


# The browser test's Chromium, page and screenshot fixtures (its own server is in its module).
from test_browser import chromium, page, recorder, screenshots  # noqa: E402, F401
