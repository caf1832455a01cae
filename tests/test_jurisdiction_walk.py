"""Walk every route as a county official and as an enterprise user and prove that no record,
count, export or search result from outside their scope comes back (OWASP API1, API3, API5).

Every out-of-scope row carries canary strings (金丝雀… names, CANARY credit codes, 199… phones);
a canary anywhere in an answer — JSON, HTML, headers, the XML inside an exported workbook — is a
leak. Totals must equal the in-scope rows exactly. Addressing an out-of-scope object is refused
(403/404) and changes nothing; every 403 leaves a ``security.access_denied`` audit row. Legal
representatives and phones of in-scope businesses stay masked except in the audited reveal.
The route table is in ``walk_routes.py``, the world the walk runs on in ``walk_world.py``.
"""

from __future__ import annotations

import html
import io
import json
import re
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import unquote, urlencode

import openpyxl
import pypdf
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factories import PASSWORD, login, login_browser
from lookthrough.accounts import passwords
from lookthrough.accounts.models import LoginThrottle, User, UserSession
from lookthrough.audit.models import AuditEvent
from lookthrough.ingest.models import IngestBatch, QuarantineRow
from lookthrough.records.models import Record
from lookthrough.regions.models import Region
from lookthrough.registry.models import Entity
from lookthrough.resolution.models import MentionJudgement, MentionLink
from lookthrough.risk.models import Alert, Indicator
from walk_routes import ADMINS_ONLY, FRAMEWORK_PATHS, ROUTES, UPLOAD, Route
from walk_world import (
    ACTORS,
    BATCHES,
    COUNTY,
    ENTERPRISE,
    HERE,
    USERNAMES,
    Target,
    World,
    build_world,
)

NEW_PASSWORD = "Walk-Pass-2027!y"
DENIED = "security.access_denied"
REVEALED = "data.personal_revealed"
ADMIN_PATHS = ("/admin/", "/api/v1/users", "/api/v1/security/", "/api/v1/audit/")
OFFICIAL_PATHS = (
    "/api/v1/stats/",
    "/api/v1/regions/",
    "/regions",
    "/api/v1/entities/{entity_id}/",
    "/api/v1/profiles/{entity_id}/graph",
    "/api/v1/profiles/persons/",
    "/api/v1/ingest/",
    "/ingest",
    "/api/v1/resolution/",
    "/resolution",
    "/api/v1/risk/",
    "/risk",
)
UPLOAD_NAME = "蜀山上传检查.csv"


@dataclass(frozen=True, slots=True)
class Probe:
    url: str
    query: dict[str, str]
    body: dict[str, Any] | None
    target: Target | None


def probes(route: Route, world: World, client: TestClient) -> Iterator[Probe]:
    """Each way the walk calls a route: every target of its kind times every query variant."""
    values: dict[str, Any] = {
        "username": world.username,
        "password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "user_id": str(world.user_ids[world.actor]),
        **{f"id_{key}": value for key, value in world.ids.items()},
        **world.values,
    }
    if route.body and "{prelogin}" in route.body.values():
        page = client.get("/login")
        values["prelogin"] = page.text.split('name="prelogin" value="')[1].split('"')[0]
    in_query = route.field is not None and route.method == "GET"

    def fill(template: Any) -> Any:  # placeholders in keys and values, at any depth
        if isinstance(template, str):
            return template.format_map(values)
        if isinstance(template, list):
            return [fill(v) for v in template]
        if isinstance(template, dict):
            return {fill(k): fill(v) for k, v in template.items()}
        return template

    targets: list[Target | None] = list(world.targets(route.target)) if route.target else [None]
    if in_query:
        targets.insert(0, None)  # also as opened from the menu, with no region chosen
    for target in targets:
        path = route.path if target is None else re.sub(r"\{\w+\}", target.value, route.path)
        body = None if route.body is None else fill(route.body)
        if body is not None and target is not None and route.field:
            body[route.field] = target.value
        for template in route.queries:
            query = fill(template)
            if in_query and target is not None:
                query[route.field or ""] = target.value
            yield Probe(path, query, body, target)


def send(client: TestClient, route: Route, world: World, probe: Probe) -> Response:
    files = None if route.upload is None else {"file": (UPLOAD_NAME, route.upload.encode())}
    call: dict[str, Any]
    if route.is_page:  # the cookie session, with the form's CSRF token
        form = None if probe.body is None else {**probe.body, "csrf_token": world.csrf}
        call = {"data": form}
    elif files is not None:  # multipart: the file and the other form fields
        call = {"data": probe.body, "headers": world.headers}
    else:
        call = {"json": probe.body, "headers": world.headers}
    with imports_held(cast(FastAPI, client.app)):
        return client.request(
            route.method,
            probe.url,
            params=probe.query,
            files=files,
            follow_redirects=False,
            **call,
        )


@contextmanager
def imports_held(app: FastAPI) -> Iterator[None]:
    """Hold an upload's import thread until the answer is back, then wait for it to finish.

    In tests every session shares the test's one connection (conftest.py), which two threads
    must not use at once. So the thread's sessions wait until the request is over, and the walk
    looks at the database only once the thread is done: the same order every run."""
    answered = threading.Event()
    make = app.state.sessionmaker

    def held() -> Session:
        if threading.current_thread().name.startswith("upload-"):
            answered.wait(timeout=60)
        return cast(Session, make())

    app.state.sessionmaker = held
    try:
        yield
    finally:
        app.state.sessionmaker = make
        answered.set()
        for thread in threading.enumerate():
            if thread.name.startswith("upload-"):
                thread.join(timeout=60)
                assert not thread.is_alive(), f"{thread.name} is still importing after 60 s"


def is_xlsx(response: Response) -> bool:
    return "spreadsheetml" in response.headers.get("content-type", "")


def pdf_text(response: Response) -> str:
    """The text a PDF shows (its streams are compressed: the bytes would hide a canary).

    A file someone uploaded (rectification evidence) need not be a PDF pypdf can read: then its
    bytes are the text, and a canary in them is still found.
    """
    try:
        reader = pypdf.PdfReader(io.BytesIO(response.content))
        return "\n".join(page.extract_text() for page in reader.pages)
    except pypdf.errors.PyPdfError:
        return response.content.decode("utf-8", "replace")


def everything_in(response: Response) -> str:
    """The whole answer as text: headers, and the XML parts of a workbook, entities decoded."""
    if is_xlsx(response):
        with zipfile.ZipFile(io.BytesIO(response.content)) as book:
            text = "\n".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xml"))
    elif response.headers.get("content-type", "").startswith("application/pdf"):
        text = pdf_text(response)
    elif "json" in response.headers.get("content-type", ""):
        text = json.dumps(response.json(), ensure_ascii=False)
    else:
        text = response.text
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return html.unescape(text) + "\n" + unquote(headers)


def reported_total(response: Response, counts: str) -> int:
    if is_xlsx(response):
        sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
        assert sheet is not None
        return sum(1 for _ in sheet.iter_rows(min_row=2))
    if "json" in response.headers.get("content-type", ""):
        return int(response.json()["total"])
    if counts == "batches":  # the import page lists batches without a total: count their links
        return len(set(re.findall(r'href="/ingest/batches/([^"?/]+)"', response.text)))
    found = re.search(r"共\s*([\d,]+)\s*[户条]", response.text)
    assert found, "no 共 N 户/条 on the page"
    return int(found.group(1).replace(",", ""))


def snapshot(db: Session) -> dict[str, list[tuple[Any, ...]]]:
    """What a refused request must leave untouched."""
    queries = {
        "grids": select(Region.code, Region.name).where(Region.level == "grid"),
        "entities": select(Entity.id, Entity.name, Entity.region_code, Entity.phone),
        "records": select(Record.id, Record.title, Record.region_code),
        "accounts": select(User.id, User.display_name, User.is_active, User.password_hash),
        "sessions": select(UserSession.id, UserSession.region_code, UserSession.ended_at),
        "lockouts": select(LoginThrottle.username, LoginThrottle.locked_until),
        "import batches": select(IngestBatch.id, IngestBatch.status, IngestBatch.rows_read),
        "quarantined rows": select(QuarantineRow.id, QuarantineRow.status, QuarantineRow.raw),
        "mention judgements": select(MentionJudgement.id, MentionJudgement.record_id),
        "mention links": select(MentionLink.record_id, MentionLink.status, MentionLink.entity_id),
        "alerts": select(Alert.id, Alert.state, Alert.assignee_id, Alert.note),
        "indicators": select(Indicator.id, Indicator.status, Indicator.version),
        "audit trail": select(AuditEvent.kind, func.count())
        .where(AuditEvent.kind != DENIED)
        .group_by(AuditEvent.kind),
    }
    return {
        name: [tuple(row) for row in db.execute(query.order_by(query.selected_columns[0]))]
        for name, query in queries.items()
    }


def count_events(db: Session, kind: str, username: str, object_id: str | None = None) -> int:
    query = select(func.count()).where(
        AuditEvent.kind == kind, AuditEvent.actor_username == username
    )
    if object_id is not None:
        query = query.where(AuditEvent.object_id == object_id)
    return int(db.scalar(query) or 0)


def walk(db: Session, client: TestClient, world: World, route: Route, probe: Probe) -> list[str]:
    """Call one probe; return what is wrong with the answer (nothing, if all is well)."""
    where = f"{world.actor} {route.method} {probe.url}"
    where += f"?{urlencode(probe.query)}" if probe.query else ""
    where += f" [{probe.target.label}]" if probe.target else ""
    may_call = world.actor in route.allowed
    allowed = may_call and (probe.target is None or probe.target.visible)
    wanted = {route.ok} if allowed else {403, 404} if may_call else {route.denied}
    before = None if allowed else snapshot(db)
    denial_id = f"{route.method} {probe.url}"[:80]  # as api/app.py writes it
    denials = count_events(db, DENIED, world.username, denial_id)
    reveals = count_events(db, REVEALED, world.username)

    response = send(client, route, world, probe)
    problems = []
    if response.status_code not in wanted:
        problems.append(
            f"{where}: status {response.status_code}, expected {sorted(wanted)}: "
            f"{response.text[:200]}"
        )
    canaries = world.canaries()
    shown = probe.target.shown if probe.target and route.shows else ()
    if allowed and route.reveals and probe.target:
        shown = probe.target.raw_pii  # the one answer that may carry them
        for value in shown:
            del canaries[value]
    text = everything_in(response)
    problems += [f"{where}: leaked {what} «{c}»" for c, what in canaries.items() if c in text]
    denied_now = count_events(db, DENIED, world.username, denial_id) - denials
    if response.status_code == 403 and denied_now != 1:
        problems.append(f"{where}: 403 without a {DENIED} audit row for {denial_id!r}")
    if before is not None:
        after = snapshot(db)
        if changed := [name for name in before if before[name] != after[name]]:
            problems.append(f"{where}: a refused request changed {', '.join(changed)}")
    if route.resolves and probe.target:
        want_status = route.resolves if allowed else "open"
        if (status := row_status(db, probe.target)) != want_status:
            problems.append(f"{where}: the quarantined row is {status}, not {want_status}")
    if not allowed or response.status_code != route.ok:
        return problems
    problems += [f"{where}: «{s}» missing from the answer" for s in shown if s not in text]
    if route.counts:
        want = world.expected_total(route.counts, probe.query)
        got = reported_total(response, route.counts)
        if got != want:
            problems.append(f"{where}: total {got}, but {want} rows are in scope")
    if route.counts == "map":
        data = response.json()
        if sum(c["value"] for c in data["children"]) + data["unassigned"] != data["total"]:
            problems.append(f"{where}: map cells and unassigned do not add up to the total")
    if route.reveals and count_events(db, REVEALED, world.username) != reveals + 1:
        problems.append(f"{where}: reveal without a {REVEALED} audit row")
    if route.creates == "grid" and probe.target and not db.get(Region, f"{probe.target.value}901"):
        problems.append(f"{where}: the grid was not created")
    if route.creates == "batch":
        problems += check_upload(db, response, where)
    return problems


def row_status(db: Session, target: Target) -> str | None:
    return db.scalar(select(QuarantineRow.status).where(QuarantineRow.id == int(target.value)))


def check_upload(db: Session, response: Response, where: str) -> list[str]:
    """The upload made one batch, in the uploader's region, and its thread imported the row."""
    made = db.execute(
        select(
            IngestBatch.id, IngestBatch.region_code, IngestBatch.status, IngestBatch.accepted
        ).where(IngestBatch.id.not_in([b.id for b in BATCHES]))
    ).all()
    if len(made) != 1:
        return [f"{where}: {len(made)} batches made, expected one"]
    (batch_id, region, status, accepted), problems = made[0], []
    if region != HERE:
        problems.append(f"{where}: the batch is in {region}, not the uploader's {HERE}")
    if (status, accepted) != ("done", 1):
        problems.append(f"{where}: the batch is {status} with {accepted} rows accepted, not 1")
    if "json" in response.headers.get("content-type", "") and (
        response.json()["batch_id"] != batch_id
    ):
        problems.append(f"{where}: answered batch {response.json()['batch_id']}, made {batch_id}")
    return problems


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real Argon2id at its lowest cost: every walk test makes three accounts and logs in, and
    the production parameters (~0.1 s a hash) would triple the walk's running time."""
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


def test_route_table_matches_the_app(app: FastAPI) -> None:
    # iter_route_contexts flattens included routers (app.routes nests them since FastAPI 0.137).
    served = {
        (method, context.path or "(no path)")
        for context in iter_route_contexts(app.routes)
        if not (context.path or "").startswith(FRAMEWORK_PATHS)
        for method in context.methods or {"(no method, e.g. a websocket)"}
    }
    table = [route.key for route in ROUTES]
    assert len(table) == len(set(table)), "a route appears twice in tests/walk_routes.py"
    missing, stale = served - set(table), set(table) - served
    assert not missing, f"add these routes to tests/walk_routes.py: {sorted(missing)}"
    assert not stale, f"tests/walk_routes.py lists routes the app no longer has: {sorted(stale)}"


def test_table_keeps_admin_and_official_routes_closed() -> None:
    """Guards the walk itself: the table may not be loosened to let a leak pass (API5)."""
    for route in ROUTES:
        if route.path.startswith(ADMIN_PATHS):
            assert route.allowed == ADMINS_ONLY, f"{route} is for administrators only"
        if route.path.startswith(OFFICIAL_PATHS) or route.path == "/":
            assert ENTERPRISE not in route.allowed, f"{route} is for officials only"


@pytest.mark.parametrize("route", ROUTES, ids=str)
@pytest.mark.parametrize("actor", ACTORS)
def test_walk(db: Session, client: TestClient, actor: str, route: Route) -> None:
    world = build_world(db, actor)
    if route.is_page:
        world.csrf = login_browser(client, world.username)
    else:
        world.headers = login(client, world.username)
    problems: list[str] = []
    for probe in probes(route, world, client):
        problems += walk(db, client, world, route, probe)
    assert not problems, "\n".join(problems)


def test_reveal_is_audited_and_for_officials_only(db: Session, client: TestClient) -> None:
    world = build_world(db, COUNTY)
    official, enterprise = login(client, USERNAMES[COUNTY]), login(client, USERNAMES[ENTERPRISE])
    own = f"/api/v1/entities/{world.ids['E']}"
    masked = client.get(own, headers=enterprise).json()
    assert (masked["legal_rep"], masked["phone"]) == ("司***", "138****0012")
    assert client.post(f"{own}/reveal", headers=enterprise).status_code == 403
    assert count_events(db, DENIED, USERNAMES[ENTERPRISE], f"POST {own}/reveal") == 1
    assert count_events(db, REVEALED, USERNAMES[ENTERPRISE]) == 0

    revealed = client.post(f"{own}/reveal", headers=official)
    assert revealed.status_code == 200
    assert (revealed.json()["legal_rep"], revealed.json()["phone"]) == ("司马本人", "13800000012")
    event = db.scalars(select(AuditEvent).where(AuditEvent.kind == REVEALED)).one()
    assert (event.actor_username, event.object_id) == (USERNAMES[COUNTY], str(world.ids["E"]))
    assert event.detail == {"fields": ["legal_rep", "phone"]}
    assert client.get(own, headers=official).json()["phone"] == "138****0012"  # masked again


def test_upload_target_names_a_kind_not_a_path(db: Session, client: TestClient) -> None:
    """The form's ``target`` picks a shipped mapping: a path (to any YAML file) is refused."""
    build_world(db, COUNTY)
    official = login(client, USERNAMES[COUNTY])
    for target in ("../mappings/inspection", "../../../../../../../../tmp/x"):
        with imports_held(cast(FastAPI, client.app)):  # should one start after all
            refused = client.post(
                "/api/v1/ingest/upload",
                data={"target": target},
                files={"file": (UPLOAD_NAME, UPLOAD.encode())},
                headers=official,
            )
        assert refused.status_code == 422, f"{target}: {refused.text}"
    assert db.scalar(select(func.count()).select_from(IngestBatch)) == len(BATCHES)
