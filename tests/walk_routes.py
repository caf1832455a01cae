"""The route table for tests/test_jurisdiction_walk.py (the world it runs on: walk_world.py).

The table says how to call every route and which of the two actors may. A route the app serves
but the table lacks (or the reverse) fails ``test_route_table_matches_the_app``, so a new route
must be described here before the jurisdiction walk passes.

A route's target — its path parameter, or the query or body ``field`` named — takes every value
of its kind in turn, inside and outside the actor's scope (``World.targets``). Placeholders in
queries and bodies are filled in by the walker: ``{username}``, ``{password}``, ``{new_password}``
and ``{prelogin}`` are the acting user's own, ``{id_C}`` is entity C's id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from walk_inspection import plan_file
from walk_lists import EVIDENCE_PDF
from walk_world import ACTORS, BATCHES, COUNTY, ENTERPRISE, WALK_INDICATOR

EVERYONE = frozenset(ACTORS)  # any signed-in user (login routes: anyone at all)
OFFICIALS = frozenset({COUNTY})  # officials only: the enterprise user is refused
ADMINS_ONLY: frozenset[str] = frozenset()  # 三权分立 administrators: both actors are refused

GRID = {"number": 901, "name": "巡检新网格"}
NEW_USER = {
    "username": "walk_new_user",
    "display_name": "巡检新用户",
    "role": "county_official",
    "region_code": "340103",
    "password": "{new_password}",
}
LOGIN = {"username": "{username}", "password": "{password}"}
PASSWORD_CHANGE = {"old_password": "{password}", "new_password": "{new_password}"}
ENTITY_SEARCHES: tuple[dict[str, str], ...] = (
    {},
    {"q": "金丝雀"},  # every out-of-scope business is named 金丝雀…
    {"q": "CANARY"},  # … and has CANARY in its credit code
    {"q": "蜀山"},
    {"region": "340104001"},
    {"region": "340103"},
    {"region": "3402"},
    {"region": "34"},
)
# The inspection template's columns and one row for entity A (蜀山区) of walk_world.py.
UPLOAD = """检查编号,统一社会信用代码,所属区划代码,检查日期,检查类型,检查结果
WALK-UP-0001,91340104WALKA00004,340104001,2026-02-01,日常检查,合格
"""
FIX = {"检查日期": "2026-03-01"}  # the quarantined rows' unreadable date, corrected
# The quarantine forms post back the batch whose page shows the result: always 蜀山区's own. Were
# it the row's own batch, a row from elsewhere would be stopped by that batch's 404 (which rolls
# the whole request back) even if the check on the row itself were missing.
OWN_BATCH = BATCHES[0].id
# "Not sure" leaves the mention in the queue, so every probe of the walk finds it there.
JUDGEMENT = {"entity_id": "{id_A}", "judgement": "unsure", "note": "巡检判定"}
RECORD_SEARCHES: tuple[dict[str, str], ...] = (
    {},
    {"kind": "inspection"},
    {"region": "340103"},
    {"region": "34"},
    {"entity_id": "{id_C}"},
    {"entity_id": "{id_E}"},
    {"entity_id": "{id_W}"},
)
NEW_PLAN = {"plan": plan_file("WALK-NEW", "340104", "巡检新计划")}
CHECKLIST = {"answers": [{"item_id": "{sitem}", "result": "不符合", "note": "维保记录缺失"}]}
NEW_MEASURE = {"entity_id": "{id_A}", "probability": 3, "consequence": 2, "basis": "巡检研判"}
NEW_INCIDENT = {
    "title": "巡检电梯困人", "incident_type": "电梯困人", "region_code": "340104001",
    "place": "三里庵路1号", "occurred_at": "2026-03-01T08:00:00+08:00",
    "learned_at": "2026-03-01T08:10:00+08:00", "text": "电梯困人，已救出", "entity_id": "{id_A}",
}  # fmt: skip

TIMELINE_FILTERS: tuple[dict[str, str], ...] = (
    {},
    {"kind": "complaint"},
    {"kind": "inspection,sampling", "date_from": "2025-01-01", "date_to": "2026-12-31"},
    {"text": "金丝雀"},  # the linked 庐阳区 complaint's title: out of scope all the same
)


OWN_ENTITY = frozenset({ENTERPRISE})

# The chain's forms. Entity A (蜀山区) is named by its credit code in JSON and by its id in forms.
PANEL = [
    {"name": "巡检监管", "organisation": "蜀山区局", "kind": "regulator"},
    {"name": "巡检专家", "organisation": "检验所", "kind": "technical"},
]

DISSECTION = {
    "held_on": "2026-01-02",
    "participants": PANEL,
    "subjects": [{"uscc": "91340104WALKA00004", "reason": "巡检代表"}],
}

CAUSE = {
    "category": "管理制度",
    "description": "巡检成因",
    "factor": "address:address:蜀山因素甲",
}

TASK = {
    "title": "巡检整改",
    "scope": "one",
    "measures": "巡检措施",
    "responsible": "巡检责任人",
    "deadline": "2099-12-31",
}

SECTIONS = [{"heading": "合规要求", "body": "巡检修订正文。"}]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str
    allowed: frozenset[str]  # which of the two actors may call it at all
    target: str | None = None  # kind addressed: entity, record, region, town, user, batch, qrow…
    field: str | None = None  # where {t} goes when not in the path: a query (GET) or body field
    queries: tuple[dict[str, str], ...] = ({},)
    body: dict[str, Any] | None = None  # JSON under /api, form fields for pages (+ csrf_token)
    ok: int = 200
    denied: int = 403  # what an actor outside ``allowed`` gets
    counts: str | None = None  # entities | records | map: totals must equal in-scope rows
    shows: bool = False  # the target's name or title must appear when allowed
    reveals: bool = False  # answers with the target's unmasked personal data (audited)
    creates: str | None = None  # grid | batch: what an allowed call must have made
    resolves: str | None = None  # the status an allowed call leaves a quarantined row in
    upload: str | None = None  # a CSV file sent as the multipart field "file" (body: the rest)
    note: str = ""  # why the row is as it is, where that is not obvious

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def is_page(self) -> bool:
        return not self.path.startswith("/api/")

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _admin(method: str, path: str, **kwargs: Any) -> Route:
    return Route(method, path, ADMINS_ONLY, **kwargs)


MATTER_EDIT = {"name": "蜀山餐饮事项（修订）", "industry_prefixes": ["H62"], "note": "巡检修订"}


ROUTES: tuple[Route, ...] = (
    # --- accounts: login, session, own password (JSON) ---
    Route("POST", "/api/v1/auth/login", EVERYONE, body=LOGIN),
    Route("POST", "/api/v1/auth/logout", EVERYONE),
    Route("GET", "/api/v1/auth/me", EVERYONE),
    Route("POST", "/api/v1/auth/region", EVERYONE, target="region", field="region_code", body={}),
    Route("POST", "/api/v1/auth/password", EVERYONE, body=PASSWORD_CHANGE),
    # --- system and security administration (JSON) ---
    _admin("GET", "/api/v1/users"),
    _admin("POST", "/api/v1/users", body=NEW_USER),
    _admin("GET", "/api/v1/users/{user_id}", target="user"),
    _admin("POST", "/api/v1/users/{user_id}/active", target="user", body={"active": False}),
    _admin(
        "POST",
        "/api/v1/users/{user_id}/password",
        target="user",
        body={"new_password": "{new_password}"},
    ),
    _admin("GET", "/api/v1/security/locked"),
    _admin("POST", "/api/v1/security/locked/{username}/unlock", target="locked"),
    _admin("GET", "/api/v1/security/sessions"),
    _admin("POST", "/api/v1/security/users/{user_id}/logout", target="user"),
    _admin("GET", "/api/v1/security/policy"),
    _admin("GET", "/api/v1/audit/events"),
    _admin("GET", "/api/v1/audit/events.xlsx"),
    # --- business data (JSON and Excel) ---
    Route(
        "GET",
        "/api/v1/stats/map",
        OFFICIALS,
        target="region",
        field="region",
        queries=({}, {"metric": "records"}),
        counts="map",
    ),
    Route("GET", "/api/v1/regions/{code}", OFFICIALS, target="region"),
    Route(
        "POST",
        "/api/v1/regions/{town_code}/grids",
        OFFICIALS,
        target="town",
        body=GRID,
        ok=201,
        creates="grid",
    ),
    Route("GET", "/api/v1/entities", EVERYONE, queries=ENTITY_SEARCHES, counts="entities"),
    Route("GET", "/api/v1/entities.xlsx", EVERYONE, queries=ENTITY_SEARCHES, counts="entities"),
    Route("GET", "/api/v1/entities/{entity_id}", EVERYONE, target="entity", shows=True),
    Route(
        "POST",
        "/api/v1/entities/{entity_id}/reveal",
        OFFICIALS,
        target="entity",
        reveals=True,
        note="pii.reveal: province, city and county officials only",
    ),
    # --- the file 一户一档 (JSON, Excel, PDF) ---
    Route("GET", "/api/v1/profiles", EVERYONE, queries=ENTITY_SEARCHES, counts="entities"),
    Route("GET", "/api/v1/profiles/{entity_id}", EVERYONE, target="entity", shows=True),
    Route(
        "GET",
        "/api/v1/profiles/{entity_id}/timeline",
        EVERYONE,
        target="entity",
        queries=TIMELINE_FILTERS,
    ),
    Route(
        "GET",
        "/api/v1/profiles/{entity_id}/graph",
        OFFICIALS,
        target="entity",
        shows=True,
        note="relations name other businesses: officials only",
    ),
    Route("GET", "/api/v1/profiles/persons/{person_id}/graph", OFFICIALS, target="person"),
    Route("GET", "/api/v1/profiles/{entity_id}/file.xlsx", EVERYONE, target="entity", shows=True),
    Route("GET", "/api/v1/profiles/{entity_id}/file.pdf", EVERYONE, target="entity", shows=True),
    Route("GET", "/api/v1/records", EVERYONE, queries=RECORD_SEARCHES, counts="records"),
    Route("GET", "/api/v1/records/{record_id}", EVERYONE, target="record", shows=True),
    # --- entity resolution: the review queue and judgements (JSON) ---
    Route("GET", "/api/v1/resolution/review", OFFICIALS, counts="mentions"),
    Route(
        "GET", "/api/v1/resolution/mentions/{record_id}", OFFICIALS, target="mention", shows=True
    ),
    Route(
        "POST",
        "/api/v1/resolution/mentions/{record_id}/judgements",
        OFFICIALS,
        target="mention",
        body=JUDGEMENT,
        shows=True,
        note="the entity judged is 蜀山区's own A; the mention's region decides",
    ),
    # --- data import and its quarantine (JSON and Excel) ---
    Route(
        "GET", "/api/v1/ingest/batches", OFFICIALS, queries=({}, {"offset": "1"}), counts="batches"
    ),
    Route("GET", "/api/v1/ingest/batches/{batch_id}", OFFICIALS, target="batch", shows=True),
    Route(
        "GET",
        "/api/v1/ingest/batches/{batch_id}/quarantine",
        OFFICIALS,
        target="batch",
        queries=({}, {"status": "dismissed"}),
    ),
    Route("GET", "/api/v1/ingest/batches/{batch_id}/quarantine.xlsx", OFFICIALS, target="batch"),
    Route(
        "POST",
        "/api/v1/ingest/quarantine/{row_id}/resubmit",
        OFFICIALS,
        target="qrow",
        body={"values": FIX},
        resolves="resubmitted",
    ),
    Route(
        "POST",
        "/api/v1/ingest/quarantine/{row_id}/dismiss",
        OFFICIALS,
        target="qrow",
        body={"reason": "测试行，不予处理"},
        shows=True,
        resolves="dismissed",
    ),
    Route("GET", "/api/v1/ingest/templates/{target}.xlsx", OFFICIALS, target="template"),
    Route(
        "POST",
        "/api/v1/ingest/upload",
        OFFICIALS,
        body={"target": "inspection"},
        upload=UPLOAD,
        ok=202,
        creates="batch",
        note="imported on a thread: the walk waits for it, then checks the batch it made",
    ),
    # --- the four lists and penetration (JSON) ---
    Route("GET", "/api/v1/matters", OFFICIALS),
    Route("POST", "/api/v1/matters", OFFICIALS, body={"template": "catering"}, ok=201),
    Route("GET", "/api/v1/matters/{matter_id}", OFFICIALS, target="matter", shows=True),
    Route("PUT", "/api/v1/matters/{matter_id}", OFFICIALS, target="matter", body=MATTER_EDIT),
    Route("GET", "/api/v1/matters/{matter_id}/versions", OFFICIALS, target="matter"),
    Route("POST", "/api/v1/matters/{matter_id}/proposals", OFFICIALS, target="matter"),
    Route("GET", "/api/v1/problems", OFFICIALS, queries=({}, {"status": "confirmed"})),
    Route("GET", "/api/v1/problems/{problem_id}", OFFICIALS, target="problem", shows=True),
    Route(
        "POST",
        "/api/v1/problems/{problem_id}/confirm",
        OFFICIALS,
        target="proposal",
        body={},
        shows=True,
    ),
    Route(
        "POST",
        "/api/v1/problems/{problem_id}/reject",
        OFFICIALS,
        target="proposal",
        body={"note": "巡检驳回"},
        shows=True,
    ),
    Route(
        "POST",
        "/api/v1/problems/{problem_id}/merge",
        OFFICIALS,
        target="proposal",
        body={"title": "巡检合并"},
        ok=422,
        note="merging needs a second proposal; the walk proves the target is scoped first",
    ),
    Route("POST", "/api/v1/problems/{problem_id}/penetration", OFFICIALS, target="problem", ok=201),
    Route("GET", "/api/v1/problems/{problem_id}/penetration", OFFICIALS, target="problem"),
    # --- inspections: plans, the draw, visits, manuals (JSON and Excel) ---
    Route("GET", "/api/v1/inspection/plans", OFFICIALS),
    Route("POST", "/api/v1/inspection/plans", OFFICIALS, body=NEW_PLAN, ok=201),
    Route("GET", "/api/v1/inspection/plans/{plan_id}", OFFICIALS, target="draft_plan", shows=True),
    Route("POST", "/api/v1/inspection/plans/{plan_id}/commit", OFFICIALS, target="draft_plan"),
    Route("POST", "/api/v1/inspection/plans/{plan_id}/draw", OFFICIALS, target="committed_plan"),
    Route(
        "GET", "/api/v1/inspection/plans/{plan_id}/draw.json", OFFICIALS, target="committed_plan"
    ),
    Route(
        "GET", "/api/v1/inspection/plans/{plan_id}/visits.xlsx", OFFICIALS, target="committed_plan"
    ),
    Route("GET", "/api/v1/inspection/tasks", OFFICIALS),
    Route("GET", "/api/v1/inspection/tasks/{task_id}", OFFICIALS, target="task", shows=True),
    Route(
        "POST",
        "/api/v1/inspection/tasks/{task_id}/checklist",
        OFFICIALS,
        target="task",
        body=CHECKLIST,
    ),
    Route("GET", "/api/v1/inspection/manuals", OFFICIALS),
    Route(
        "POST",
        "/api/v1/inspection/manuals",
        OFFICIALS,
        ok=201,
        body={"matter": "巡检事项", "title": "巡检手册", "items": [{"content": "巡检内容"}]},
    ),
    Route("GET", "/api/v1/public/inspection/results", EVERYONE, note="public: 一公开"),
    # --- disposal and quick incident reports (JSON and Word) ---
    Route("GET", "/api/v1/disposal/matrix", OFFICIALS),
    Route("GET", "/api/v1/disposal/measures", OFFICIALS),
    Route("POST", "/api/v1/disposal/measures", OFFICIALS, body=NEW_MEASURE, ok=201),
    Route("GET", "/api/v1/disposal/measures/{measure_id}", OFFICIALS, target="measure", shows=True),
    Route(
        "POST",
        "/api/v1/disposal/measures/{measure_id}/actions",
        OFFICIALS,
        target="measure",
        body={"action": "issue"},
    ),
    Route("GET", "/api/v1/disposal/measures/{measure_id}/notice.docx", OFFICIALS, target="measure"),
    Route("POST", "/api/v1/disposal/escalations", OFFICIALS, body={}),
    Route(
        "GET",
        "/api/v1/disposal/proposals",
        OFFICIALS,
        note="names of businesses to dispose of: out-of-scope ones are canaries",
    ),
    Route(
        "POST",
        "/api/v1/disposal/proposals/assessments/{entity_id}",
        OFFICIALS,
        target="entity",
        ok=201,
        note="every business of the world has an assessment",
    ),
    Route(
        "POST", "/api/v1/disposal/proposals/alerts/{alert_id}", OFFICIALS, target="alert", ok=201
    ),
    Route("GET", "/api/v1/incidents", OFFICIALS),
    Route("POST", "/api/v1/incidents", OFFICIALS, body=NEW_INCIDENT, ok=201),
    Route("GET", "/api/v1/incidents/{report_id}", OFFICIALS, target="incident", shows=True),
    Route(
        "POST",
        "/api/v1/incidents/{report_id}/updates",
        OFFICIALS,
        target="incident",
        body={"text": "续报：已恢复运行"},
        ok=201,
    ),
    Route(
        "POST",
        "/api/v1/incidents/acks/{ack_id}",
        frozenset(),
        target="ack",
        note="only the city (3401) and the province (34) confirm receipt",
    ),
    # --- pages: login, session, own password ---
    Route("GET", "/login", EVERYONE),
    Route("POST", "/login", EVERYONE, body={**LOGIN, "prelogin": "{prelogin}"}, ok=303),
    Route("POST", "/logout", EVERYONE, body={}, ok=303),
    Route(
        "POST",
        "/region",
        EVERYONE,
        target="region",
        field="region_code",
        body={"back": "/"},
        ok=303,
    ),
    Route("GET", "/account/password", EVERYONE),
    Route(
        "POST",
        "/account/password",
        EVERYONE,
        body={**PASSWORD_CHANGE, "confirm_password": "{new_password}"},
    ),
    # --- pages: administration ---
    _admin("GET", "/admin/users"),
    _admin("POST", "/admin/users", body=NEW_USER),
    _admin("POST", "/admin/users/{user_id}/active", target="user", body={"active": "false"}),
    _admin(
        "POST",
        "/admin/users/{user_id}/password",
        target="user",
        body={"new_password": "{new_password}"},
    ),
    _admin("GET", "/admin/security"),
    _admin("POST", "/admin/security/unlock", target="locked", field="username", body={}),
    _admin("POST", "/admin/security/logout", target="user", field="user_id", body={}),
    _admin("GET", "/admin/audit"),
    # --- pages: business data ---
    Route("GET", "/", OFFICIALS, denied=303, note="others are sent to their own home page"),
    Route("GET", "/regions", OFFICIALS, target="region", field="code"),
    Route(
        "POST",
        "/regions/{town_code}/grids",
        OFFICIALS,
        target="town",
        body={k: str(v) for k, v in GRID.items()},
        creates="grid",
    ),
    Route(
        "GET",
        "/entities",
        EVERYONE,
        queries=({}, {"q": "金丝雀"}, {"q": "CANARY"}, {"q": "蜀山"}, {"page": "2"}),
        counts="entities",
    ),
    Route(
        "GET",
        "/entities/{entity_id}",
        EVERYONE,
        target="entity",
        queries=({}, *TIMELINE_FILTERS[1:]),
        shows=True,
    ),
    Route(
        "GET", "/entities/{entity_id}/timeline", EVERYONE, target="entity", queries=TIMELINE_FILTERS
    ),
    Route("GET", "/records", EVERYONE, queries=({}, {"kind": "inspection"}), counts="records"),
    Route("GET", "/records/{record_id}", EVERYONE, target="record", shows=True),
    # --- pages: inspections ---
    Route("GET", "/inspection", OFFICIALS),
    Route(
        "POST",
        "/inspection/plans",
        OFFICIALS,
        ok=303,
        body={"plan_yaml": yaml.safe_dump(NEW_PLAN["plan"], allow_unicode=True)},
    ),
    Route("GET", "/inspection/plans/{plan_id}", OFFICIALS, target="draft_plan", shows=True),
    Route(
        "POST",
        "/inspection/plans/{plan_id}/commit",
        OFFICIALS,
        target="draft_plan",
        body={},
        ok=303,
    ),
    Route(
        "POST",
        "/inspection/plans/{plan_id}/draw",
        OFFICIALS,
        target="committed_plan",
        body={},
        ok=303,
    ),
    Route("GET", "/inspection/tasks", OFFICIALS),
    Route("GET", "/inspection/tasks/{task_id}", OFFICIALS, target="task", shows=True),
    Route(
        "POST",
        "/inspection/tasks/{task_id}",
        OFFICIALS,
        target="task",
        body={"r:{sitem}": "符合"},
        ok=303,
    ),
    Route("GET", "/public/inspection", EVERYONE, note="public: 一公开"),
    # --- pages: disposal and quick incident reports ---
    Route("GET", "/disposal", OFFICIALS),
    Route(
        "POST",
        "/disposal/measures",
        OFFICIALS,
        ok=303,
        body={k: str(v) for k, v in NEW_MEASURE.items()},
    ),
    Route("GET", "/disposal/proposals", OFFICIALS),
    Route(
        "POST",
        "/disposal/proposals/assessments/{entity_id}",
        OFFICIALS,
        target="entity",
        body={},
        ok=303,
    ),
    Route(
        "POST", "/disposal/proposals/alerts/{alert_id}", OFFICIALS, target="alert", body={}, ok=303
    ),
    Route("GET", "/disposal/measures/{measure_id}", OFFICIALS, target="measure", shows=True),
    Route(
        "POST",
        "/disposal/measures/{measure_id}/actions",
        OFFICIALS,
        target="measure",
        body={"action": "issue"},
        ok=303,
    ),
    Route("GET", "/incidents", OFFICIALS),
    Route(
        "POST",
        "/incidents",
        OFFICIALS,
        ok=303,
        body={
            **{k: str(v) for k, v in NEW_INCIDENT.items() if k != "entity_id"},
            "occurred_at": "2026-03-01T08:00",
            "learned_at": "2026-03-01T08:10",
        },
    ),
    Route("GET", "/incidents/{report_id}", OFFICIALS, target="incident", shows=True),
    Route(
        "POST",
        "/incidents/{report_id}/updates",
        OFFICIALS,
        target="incident",
        body={"text": "续报：已恢复运行"},
        ok=303,
    ),
    Route(
        "POST",
        "/incidents/acks/{ack_id}",
        frozenset(),
        target="ack",
        body={"report_id": "1"},
        note="only the city (3401) and the province (34) confirm receipt",
    ),
    # --- pages: entity resolution ---
    Route("GET", "/resolution/review", OFFICIALS, counts="mentions"),
    Route("GET", "/resolution/mentions/{record_id}", OFFICIALS, target="mention", shows=True),
    Route(
        "POST",
        "/resolution/mentions/{record_id}/judgements",
        OFFICIALS,
        target="mention",
        body=JUDGEMENT,
        shows=True,
    ),
    # --- pages: data import and its quarantine ---
    Route("GET", "/ingest", OFFICIALS, counts="batches"),
    Route("GET", "/ingest/batches", OFFICIALS, counts="batches", note="the list's htmx refresh"),
    Route(
        "POST",
        "/ingest/upload",
        OFFICIALS,
        body={"target": "inspection"},
        upload=UPLOAD,
        ok=303,
        creates="batch",
    ),
    Route(
        "GET",
        "/ingest/batches/{batch_id}",
        OFFICIALS,
        target="batch",
        queries=({}, {"status": "dismissed"}, {"status": ""}),  # "": rows of every status
        shows=True,
    ),
    Route(
        "POST",
        "/ingest/quarantine/{row_id}/resubmit",
        OFFICIALS,
        target="qrow",
        body={"batch_id": OWN_BATCH, **{f"v:{k}": v for k, v in FIX.items()}},
        resolves="resubmitted",
    ),
    Route(
        "POST",
        "/ingest/quarantine/{row_id}/dismiss",
        OFFICIALS,
        target="qrow",
        body={"batch_id": OWN_BATCH, "reason": "测试行，不予处理"},
        resolves="dismissed",
    ),
    Route("GET", "/api/v1/matters.xlsx", OFFICIALS),
    Route("GET", "/api/v1/problems.xlsx", OFFICIALS, queries=({}, {"status": "confirmed"})),
    Route("GET", "/api/v1/problems/{problem_id}/representatives", OFFICIALS, target="problem"),
    Route("GET", "/api/v1/problems/{problem_id}/dissections", OFFICIALS, target="problem"),
    Route(
        "POST",
        "/api/v1/problems/{problem_id}/dissections",
        OFFICIALS,
        target="problem",
        body=DISSECTION,
        ok=201,
    ),
    Route("GET", "/api/v1/problems/{problem_id}/causes", OFFICIALS, target="problem"),
    Route(
        "POST",
        "/api/v1/problems/{problem_id}/causes",
        OFFICIALS,
        target="problem",
        body=CAUSE,
        ok=201,
    ),
    Route("GET", "/api/v1/causes", OFFICIALS),
    Route("GET", "/api/v1/causes.xlsx", OFFICIALS),
    Route(
        "POST",
        "/api/v1/problems/{problem_id}/rectifications",
        OFFICIALS,
        target="problem",
        body={**TASK, "uscc": "91340104WALKA00004"},
        ok=201,
    ),
    Route("GET", "/api/v1/problems/{problem_id}/effect", OFFICIALS, target="problem"),
    Route(
        "GET",
        "/api/v1/rectifications",
        EVERYONE,
        queries=({}, {"overdue": "true"}),
        note="an enterprise user gets the tasks that target its business",
    ),
    Route("GET", "/api/v1/rectifications.xlsx", OFFICIALS),
    Route("GET", "/api/v1/rectifications/{task_id}", EVERYONE, target="rectification", shows=True),
    Route("GET", "/api/v1/rectifications/{task_id}/events", EVERYONE, target="rectification"),
    Route(
        "POST",
        "/api/v1/rectification-targets/{target_id}/moves",
        EVERYONE,
        target="rtarget",
        body={"action": "start"},
    ),
    Route("GET", "/api/v1/rectification-targets/{target_id}/evidence", EVERYONE, target="rtarget"),
    Route(
        "POST",
        "/api/v1/rectification-targets/{target_id}/evidence",
        EVERYONE,
        target="rtarget",
        body={"description": "巡检整改材料"},
        upload=EVIDENCE_PDF,
        ok=201,
    ),
    Route("GET", "/api/v1/rectification-evidence/{evidence_id}/file", EVERYONE, target="evidence"),
    Route(
        "POST",
        "/api/v1/matters/{matter_id}/guidelines",
        OFFICIALS,
        target="matter",
        body={"audience": "business"},
        ok=201,
    ),
    Route("GET", "/api/v1/guidelines", OFFICIALS),
    Route("GET", "/api/v1/guidelines/{guideline_id}", OFFICIALS, target="guideline", shows=True),
    Route(
        "PUT",
        "/api/v1/guidelines/{guideline_id}",
        OFFICIALS,
        target="guideline",
        body={"title": "巡检修订指引", "sections": SECTIONS},
    ),
    Route(
        "POST",
        "/api/v1/guidelines/{guideline_id}/publish",
        OFFICIALS,
        target="guideline",
        note="the published one was edited since: it may be published again",
    ),
    Route("POST", "/api/v1/guidelines/{guideline_id}/withdraw", OFFICIALS, target="published"),
    Route("GET", "/api/v1/guidelines/{guideline_id}/document.docx", OFFICIALS, target="guideline"),
    Route("GET", "/api/v1/guidelines/{guideline_id}/document.pdf", OFFICIALS, target="guideline"),
    Route("GET", "/lists/matters", OFFICIALS),
    Route("POST", "/lists/matters", OFFICIALS, body={"template": "catering"}, ok=303),
    Route("GET", "/lists/matters/{matter_id}", OFFICIALS, target="matter", shows=True),
    Route(
        "POST",
        "/lists/matters/{matter_id}",
        OFFICIALS,
        target="matter",
        body={**MATTER_EDIT, "industry_prefixes": "H62"},
    ),
    Route(
        "POST", "/lists/matters/{matter_id}/proposals", OFFICIALS, target="matter", body={}, ok=303
    ),
    Route("GET", "/lists/problems", OFFICIALS, queries=({}, {"status": "proposed"})),
    Route(
        "POST",
        "/lists/problems/{problem_id}/confirm",
        OFFICIALS,
        target="proposal",
        body={},
        ok=303,
    ),
    Route(
        "POST",
        "/lists/problems/{problem_id}/reject",
        OFFICIALS,
        target="proposal",
        body={"note": "巡检驳回"},
        ok=303,
    ),
    Route(
        "POST",
        "/lists/problems/merge",
        OFFICIALS,
        target="proposal",
        field="problem_ids",
        body={"title": "巡检合并"},
        ok=422,
        note="merging needs a second proposal; the walk proves the target is scoped first",
    ),
    Route(
        "GET",
        "/lists/problems/{problem_id}",
        OFFICIALS,
        target="problem",
        shows=True,
        note="the chain page",
    ),
    Route(
        "POST",
        "/lists/problems/{problem_id}/penetration",
        OFFICIALS,
        target="problem",
        body={},
        ok=303,
    ),
    Route(
        "POST",
        "/lists/problems/{problem_id}/dissections",
        OFFICIALS,
        target="problem",
        body={
            "held_on": "2026-01-02",
            "participants": "巡检监管|区局|监管部门\n巡检专家|检验所|技术机构",
            "subject": "{id_A}",
        },
        ok=303,
    ),
    Route(
        "POST",
        "/lists/problems/{problem_id}/causes",
        OFFICIALS,
        target="problem",
        body=CAUSE,
        ok=303,
    ),
    Route(
        "POST",
        "/lists/problems/{problem_id}/rectifications",
        OFFICIALS,
        target="problem",
        body={**TASK, "entity_id": "{id_A}"},
        ok=303,
    ),
    Route("GET", "/lists/causes", OFFICIALS),
    Route(
        "GET",
        "/lists/rectifications",
        OFFICIALS,
        queries=({}, {"overdue": "true"}),
        denied=303,
        note="an enterprise user is sent to its own tasks",
    ),
    Route("GET", "/lists/rectifications/{task_id}", OFFICIALS, target="rectification", shows=True),
    Route(
        "POST",
        "/lists/rectifications/targets/{target_id}/move",
        OFFICIALS,
        target="rtarget",
        body={"action": "start"},
        ok=303,
    ),
    Route("GET", "/my/rectifications", OWN_ENTITY),
    Route("GET", "/my/rectifications/{target_id}", OWN_ENTITY, target="rtarget"),
    Route(
        "POST",
        "/my/rectifications/{target_id}/evidence",
        OWN_ENTITY,
        target="rtarget",
        body={"description": "巡检整改材料"},
        upload=EVIDENCE_PDF,
    ),
    Route(
        "POST",
        "/my/rectifications/{target_id}/move",
        OWN_ENTITY,
        target="rtarget",
        body={"action": "start"},
        ok=303,
    ),
    Route("GET", "/lists/guidelines", OFFICIALS),
    Route(
        "POST",
        "/lists/matters/{matter_id}/guidelines",
        OFFICIALS,
        target="matter",
        body={"audience": "official"},
        ok=303,
    ),
    Route("GET", "/lists/guidelines/{guideline_id}", OFFICIALS, target="guideline", shows=True),
    Route(
        "POST",
        "/lists/guidelines/{guideline_id}",
        OFFICIALS,
        target="guideline",
        body={"title": "巡检修订指引", "heading": "合规要求", "body": "巡检修订正文。"},
    ),
    Route(
        "POST", "/lists/guidelines/{guideline_id}/publish", OFFICIALS, target="guideline", body={}
    ),
    Route(
        "POST", "/lists/guidelines/{guideline_id}/withdraw", OFFICIALS, target="published", body={}
    ),
    Route("GET", "/public/guidelines", EVERYONE),
    Route("GET", "/public/guidelines/{guideline_id}", EVERYONE, target="public", shows=True),
    Route("GET", "/public/guidelines/{guideline_id}/document.pdf", EVERYONE, target="public"),
)

RISK_ROUTES: tuple[Route, ...] = (
    # --- risk (JSON): assessments, dashboards, the alert feed and inbox, the indicator library ---
    Route("GET", "/api/v1/risk/assessments/{entity_id}", OFFICIALS, target="entity"),
    Route("GET", "/api/v1/risk/top", OFFICIALS, target="region", field="region",
          note="names of the riskiest businesses: out-of-scope ones are canaries"),
    Route("GET", "/api/v1/risk/map", OFFICIALS, target="region", field="region",
          queries=({}, {"metric": "major"}, {"metric": "permille"})),
    Route("GET", "/api/v1/risk/distribution", OFFICIALS, target="region", field="region"),
    Route("GET", "/api/v1/risk/trend", OFFICIALS, target="region", field="region"),
    Route("GET", "/api/v1/risk/alerts", OFFICIALS, queries=({}, {"state": "open"}),
          counts="alerts"),
    Route("GET", "/api/v1/risk/alerts/{alert_id}", OFFICIALS, target="alert", shows=True),
    Route("POST", "/api/v1/risk/alerts/{alert_id}/acknowledge", OFFICIALS, target="alert",
          shows=True),
    Route("POST", "/api/v1/risk/alerts/{alert_id}/assign", OFFICIALS, target="alert",
          body={"assignee_id": "{user_id}"}, shows=True,
          note="to the county official themself: responsible for the alert's region"),
    Route("POST", "/api/v1/risk/alerts/{alert_id}/close", OFFICIALS, target="alert",
          body={"note": "巡检办结"}, ok=409, note="an open alert cannot be closed: 409"),
    Route("GET", "/api/v1/risk/indicators", ADMINS_ONLY, note="province analysts only"),
    Route("POST", "/api/v1/risk/indicators", ADMINS_ONLY, body=WALK_INDICATOR, ok=201),
    Route("POST", "/api/v1/risk/indicators/test", ADMINS_ONLY, body=WALK_INDICATOR),
    Route("GET", "/api/v1/risk/indicators/{indicator_id}", ADMINS_ONLY, target="indicator"),
    Route("POST", "/api/v1/risk/indicators/{indicator_id}/publish", ADMINS_ONLY,
          target="indicator"),
    Route("GET", "/api/v1/risk/models", ADMINS_ONLY),
    # --- risk pages ---
    Route("GET", "/risk", OFFICIALS, target="region", field="region"),
    Route("GET", "/risk/alerts", OFFICIALS, queries=({}, {"state": "all"}), counts="alerts"),
    Route("GET", "/risk/alerts/{alert_id}", OFFICIALS, target="alert", shows=True),
    Route("POST", "/risk/alerts/{alert_id}/acknowledge", OFFICIALS, target="alert", body={},
          ok=303),
    Route("POST", "/risk/alerts/{alert_id}/assign", OFFICIALS, target="alert",
          body={"assignee_id": "{user_id}"}, ok=303),
    Route("POST", "/risk/alerts/{alert_id}/close", OFFICIALS, target="alert",
          body={"note": "巡检办结"}, ok=409),
    Route("GET", "/risk/indicators", ADMINS_ONLY),
    Route("GET", "/risk/indicators/new", ADMINS_ONLY),
    Route("GET", "/risk/indicators/{indicator_id}", ADMINS_ONLY, target="indicator"),
    Route("POST", "/risk/indicators", ADMINS_ONLY, body={"code": "walk_page_indicator"}),
    Route("POST", "/risk/indicators/test", ADMINS_ONLY, body={"code": "walk_page_indicator"}),
    Route("POST", "/risk/indicators/{indicator_id}/publish", ADMINS_ONLY, target="indicator",
          body={}),
)  # fmt: skip
ROUTES = ROUTES + RISK_ROUTES

# Served by the framework or static files, never touching business data.
FRAMEWORK_PATHS = ("/static", "/openapi.json", "/api/docs", "/docs/oauth2-redirect")
