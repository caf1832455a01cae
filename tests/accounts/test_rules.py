import pytest

from lookthrough.accounts.rules import assignment_problems
from lookthrough.core.roles import Role


@pytest.mark.parametrize(
    ("role", "level", "entity", "ok"),
    [
        (Role.PROVINCE_ANALYST, "province", False, True),
        (Role.PROVINCE_ANALYST, "city", False, False),
        (Role.CITY_OFFICIAL, "city", False, True),
        (Role.CITY_OFFICIAL, "county", False, False),
        (Role.COUNTY_OFFICIAL, "county", False, True),
        (Role.COUNTY_OFFICIAL, "town", False, False),
        (Role.INSPECTOR, "county", False, True),
        (Role.INSPECTOR, "grid", False, False),
        (Role.ENTERPRISE, "county", True, True),
        (Role.ENTERPRISE, "county", False, False),
        (Role.COUNTY_OFFICIAL, "county", True, False),
        (Role.AUDIT_ADMIN, "province", False, True),
        (Role.SYSTEM_ADMIN, "town", False, False),
        (Role.CITY_OFFICIAL, None, False, False),
    ],
)
def test_role_region_entity(role: Role, level: str | None, entity: bool, ok: bool) -> None:
    problems = assignment_problems(
        role=role, region_level=level, has_entity=entity, username="someone"
    )
    assert (problems == []) is ok, problems


@pytest.mark.parametrize("username", ["ab", "has space", "中文名", "x" * 65])
def test_bad_usernames(username: str) -> None:
    assert assignment_problems(
        role=Role.AUDIT_ADMIN, region_level="province", has_entity=False, username=username
    )
