"""The left menu: every section once, whatever the role (a section split in two showed its
heading twice)."""

from __future__ import annotations

import itertools

import pytest

from lookthrough.core.actor import Actor
from lookthrough.core.roles import Role
from lookthrough.web.templating import SECTION_ORDER, menu_for


@pytest.mark.parametrize("role", list(Role))
def test_each_section_of_the_menu_is_one_group(role: Role) -> None:
    actor = Actor(user_id=1, username="menu", role=role, jurisdiction="34", region="34",
                  entity_id=1 if role is Role.ENTERPRISE else None)  # fmt: skip
    items = menu_for(actor)
    groups = [section for section, _ in itertools.groupby(item.section for item in items)]
    assert len(groups) == len(set(groups)), groups
    assert groups == [s for s in SECTION_ORDER if s in groups]
    assert len({item.href for item in items}) == len(items)
