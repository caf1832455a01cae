"""Every form a page renders carries the session's CSRF token, as a browser would post it.

The token reaches a macro only when the template imports ``macros.html`` *with context*; a plain
import renders an empty token, which the tests that post their own token would never notice.
"""

from __future__ import annotations

import re
from importlib import resources

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from factories import login_browser, make_user
from lookthrough.core.roles import Role

TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')
TEMPLATES = resources.files("lookthrough.web") / "templates"


def _templates() -> list[str]:
    found = []
    stack = [TEMPLATES]
    while stack:
        folder = stack.pop()
        for item in folder.iterdir():
            if item.is_dir():
                stack.append(item)
            elif item.name.endswith(".html"):
                found.append(item.read_text(encoding="utf-8"))
    return found


def test_every_template_imports_the_macros_with_context() -> None:
    plain = [
        t.splitlines()[0] for t in _templates() if re.search(r'import "macros\.html" as \w+ %}', t)
    ]
    assert plain == []


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.COUNTY_OFFICIAL, "/account/password"),
        (Role.COUNTY_OFFICIAL, "/ingest"),
        (Role.SYSTEM_ADMIN, "/admin/users"),
        (Role.SECURITY_ADMIN, "/admin/security"),
    ],
)
def test_forms_carry_the_session_token(
    db: Session, client: TestClient, role: Role, path: str
) -> None:
    user = make_user(db, role=role, region="34" if role is not Role.COUNTY_OFFICIAL else "340104")
    token = login_browser(client, user.username)
    page = client.get(path)
    assert page.status_code == 200, page.text
    values = TOKEN.findall(page.text)
    assert values, f"{path} renders no form"
    assert set(values) == {token}
