"""`lookthrough get PATH`: one request answered in-process, without a server (datasette's --get).

With ``--as USER`` the request runs in a short-lived session of that user, opened directly: the
command line already holds the database, so this grants nothing new; the session is ended and
both steps are audited.
"""

from __future__ import annotations

from sqlalchemy import select

from lookthrough.accounts import sessions
from lookthrough.accounts.models import User
from lookthrough.api.app import create_app
from lookthrough.api.deps import SESSION_COOKIE
from lookthrough.audit import service as audit
from lookthrough.audit.events import LoginSucceeded
from lookthrough.cli_common import cli_actor, open_session, settings_for_cli
from lookthrough.core.errors import NotFound


def request_as(path: str, *, username: str | None = None) -> tuple[int, str]:
    from fastapi.testclient import TestClient

    settings = settings_for_cli()
    token: str | None = None
    if username:
        with open_session(settings) as session:
            user = session.scalar(
                select(User).where(User.username == username, User.is_active.is_(True))
            )
            if user is None:
                raise NotFound(f"用户 {username} 不存在或已停用")
            token, _session = sessions.open_session(
                session, settings=settings, user=user, ip="cli", user_agent="lookthrough get"
            )
            audit.record(
                session,
                actor=cli_actor(f"get --as {username}"),
                event=LoginSucceeded(object_id=str(user.id)),
            )
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        if token:
            client.cookies.set(SESSION_COOKIE, token)
        response = client.get(path, follow_redirects=False)
        if token:
            client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.text
