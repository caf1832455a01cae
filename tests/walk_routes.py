"""The route table and the canary world for tests/test_jurisdiction_walk.py.

The table says how to call every route and which of the two actors may. A route the app serves
but the table lacks (or the reverse) fails ``test_route_table_matches_the_app``, so a new route
must be described here before the jurisdiction walk passes.

The world is the data the walk runs on, as plain text tables: what lies in 蜀山区 and what lies
outside it, and from that, for each actor, which strings it must never receive (the canaries),
which objects it may address, and what every total must be.

A route's target — its path parameter, or the query or body ``field`` named — takes every value
of its kind in turn, inside and outside the actor's scope (``World.targets``). Placeholders in
queries and bodies are filled in by the walker: ``{username}``, ``{password}``, ``{new_password}``
and ``{prelogin}`` are the acting user's own, ``{id_C}`` is entity C's id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

COUNTY = "county"  # county_official of 340104 蜀山区
ENTERPRISE = "enterprise"  # enterprise user bound to entity E (in 340104)
ACTORS = (COUNTY, ENTERPRISE)

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
RECORD_SEARCHES: tuple[dict[str, str], ...] = (
    {},
    {"kind": "inspection"},
    {"region": "340103"},
    {"region": "34"},
    {"entity_id": "{id_C}"},
    {"entity_id": "{id_E}"},
    {"entity_id": "{id_W}"},
)


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str
    allowed: frozenset[str]  # which of the two actors may call it at all
    target: str | None = None  # kind of object addressed: entity, record, region, town, user
    field: str | None = None  # where {t} goes when not in the path: a query (GET) or body field
    queries: tuple[dict[str, str], ...] = ({},)
    body: dict[str, Any] | None = None  # JSON under /api, form fields for pages (+ csrf_token)
    ok: int = 200
    denied: int = 403  # what an actor outside ``allowed`` gets
    counts: str | None = None  # entities | records | map: totals must equal in-scope rows
    shows: bool = False  # the target's name or title must appear when allowed
    reveals: bool = False  # answers with the target's unmasked personal data (audited)
    creates_grid: bool = False
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
        creates_grid=True,
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
    Route("GET", "/api/v1/records", EVERYONE, queries=RECORD_SEARCHES, counts="records"),
    Route("GET", "/api/v1/records/{record_id}", EVERYONE, target="record", shows=True),
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
        creates_grid=True,
    ),
    Route(
        "GET",
        "/entities",
        EVERYONE,
        queries=({}, {"q": "金丝雀"}, {"q": "CANARY"}, {"q": "蜀山"}, {"page": "2"}),
        counts="entities",
    ),
    Route("GET", "/entities/{entity_id}", EVERYONE, target="entity", shows=True),
    Route("GET", "/records", EVERYONE, queries=({}, {"kind": "inspection"}), counts="records"),
    Route("GET", "/records/{record_id}", EVERYONE, target="record", shows=True),
)

# Served by the framework or static files, never touching business data.
FRAMEWORK_PATHS = ("/static", "/openapi.json", "/api/docs", "/docs/oauth2-redirect")


HERE = "340104"  # 蜀山区: the county official's jurisdiction, where entity E is registered too
USERNAMES = {COUNTY: "walk_county", ENTERPRISE: "walk_enterprise"}


@dataclass(frozen=True, slots=True)
class EntitySpec:
    key: str
    region: str
    name: str
    uscc: str
    legal_rep: str
    phone: str
    address: str


@dataclass(frozen=True, slots=True)
class RecordSpec:
    key: str
    entity: str  # "-": none
    region: str
    kind: str
    title: str


# A, E, F lie in 蜀山区 (E is the enterprise user's own). C (庐阳区), W (芜湖) and P (合肥市 level)
# lie outside: every string they carry is a canary. So are the 3401 and 34 records, and e2, E's
# record made in 庐阳区 — which its enterprise user sees, but 蜀山区 does not.
ENTITIES = [
    EntitySpec(*line.split())
    for line in """
    A  340104001  蜀山甲商贸有限公司  91340104WALKA00001  欧阳明日  13800000011  蜀山区三里庵路1号
    E  340104     蜀山本单位有限公司  91340104WALKE00001  司马本人  13800000012  蜀山区本单位路2号
    F  340104002  蜀山邻居有限公司    91340104WALKF00001  诸葛邻居  13800000013  蜀山区邻居路3号
    C  340103     金丝雀甲乙公司      91340103CANARY0001  赵雀一    19900000001  金丝雀庐阳路1号
    W  340202     金丝雀丙丁公司      91340202CANARY0002  孙雀二    19900000002  金丝雀芜湖路2号
    P  3401       金丝雀戊己公司      913401CANARY000003  李雀三    19900000003  金丝雀合肥路3号
    """.strip().splitlines()
]
RECORDS = [
    RecordSpec(*line.split())
    for line in """
    a1  A  340104001  inspection      蜀山甲日常检查
    a2  A  340104001  sampling        蜀山甲抽检不合格
    e1  E  340104     licence         本单位许可证换发
    e2  E  340103     complaint       本单位庐阳异地投诉
    f1  F  340104002  complaint       蜀山邻居投诉
    n1  -  340104     public_opinion  蜀山辖区舆情
    c1  C  340103     inspection      金丝雀甲乙检查记录
    w1  W  340202     penalty         金丝雀丙丁处罚记录
    p1  P  3401       inspection      金丝雀合肥市级通报
    s1  -  34         inspection      金丝雀安徽省级通报
    """.strip().splitlines()
]
GRIDS = {"340104001001": "蜀山一号网格", "340103001001": "金丝雀庐阳网格"}
OUTSIDER = ("walk_outsider", "金丝雀庐阳用户", "19900000009")  # a locked-out 庐阳区 official
REGION_TARGETS = ("340104", "340104001", "340103", "3402", "3401", "34")
TOWN_TARGETS = ("340104001", "340103001")


def sees(actor: str, *, region: str, entity: str) -> bool:
    """The scope rule under test, stated without the product code: an official sees rows in
    their region and below; an enterprise user sees the rows of its own business only."""
    return region.startswith(HERE) if actor == COUNTY else entity == "E"


@dataclass(frozen=True, slots=True)
class Target:
    label: str
    value: str
    visible: bool
    shown: tuple[str, ...] = ()  # must appear in an allowed answer (name, title)
    raw_pii: tuple[str, ...] = ()  # the unmasked legal representative and phone


@dataclass
class World:
    """The world as one actor sees it, once its rows are in the database."""

    actor: str
    ids: dict[str, int]  # entity key → id
    record_ids: dict[str, str]
    user_ids: dict[str, int]
    headers: dict[str, str] = field(default_factory=dict)  # bearer token (API routes)
    csrf: str = ""  # CSRF token of the cookie session (pages)

    @property
    def username(self) -> str:
        return USERNAMES[self.actor]

    def targets(self, kind: str) -> list[Target]:
        """Every object of a kind the walk addresses, in and out of this actor's scope."""
        if kind == "entity":
            return [
                Target(f"entity {e.key} @{e.region}", str(self.ids[e.key]),
                       sees(self.actor, region=e.region, entity=e.key),
                       (e.name,), (e.legal_rep, e.phone))
                for e in ENTITIES
            ]  # fmt: skip
        if kind == "record":
            return [
                Target(f"record {r.key} @{r.region}", self.record_ids[r.key],
                       sees(self.actor, region=r.region, entity=r.entity), (r.title,))
                for r in RECORDS
            ]  # fmt: skip
        if kind in ("region", "town"):
            codes = REGION_TARGETS if kind == "region" else TOWN_TARGETS
            return [Target(f"{kind} {code}", code, code.startswith(HERE)) for code in codes]
        if kind == "user":
            return [
                Target("own account", str(self.user_ids[self.actor]), True),
                Target("庐阳区 account", str(self.user_ids["outsider"]), False),
            ]
        assert kind == "locked", kind
        return [Target("locked 庐阳区 account", OUTSIDER[0], False)]

    def canaries(self) -> dict[str, str]:
        """Strings this actor must never receive, each with what it would give away."""
        found: dict[str, str] = {}
        for e in ENTITIES:
            if sees(self.actor, region=e.region, entity=e.key):
                found[e.legal_rep] = f"unmasked legal rep of entity {e.key}"
                found[e.phone] = f"unmasked phone of entity {e.key}"
                continue
            for what in ("name", "uscc", "address", "legal_rep", "phone"):
                found[getattr(e, what)] = f"{what} of out-of-scope entity {e.key} @{e.region}"
        for r in RECORDS:
            if not sees(self.actor, region=r.region, entity=r.entity):
                found[r.title] = f"title of out-of-scope record {r.key} @{r.region}"
        for code, name in GRIDS.items():
            if not (self.actor == COUNTY and code.startswith(HERE)):
                found[name] = f"grid {code}, which this actor may not see"
        found[OUTSIDER[1]] = found[OUTSIDER[2]] = "the 庐阳区 official's account"
        return found

    def expected_total(self, counts: str, query: dict[str, str]) -> int:
        """What a list, export or map total must say: the in-scope rows matching the query."""
        if counts == "map":
            counts, query = query.get("metric", "entities"), {"region": query.get("region", HERE)}
        region = query.get("region", "")
        if counts == "entities":
            q = query.get("q", "")
            return sum(
                sees(self.actor, region=e.region, entity=e.key)
                and e.region.startswith(region)
                and (q in e.name or q in e.uscc or q in e.address)
                for e in ENTITIES
            )
        by_id = {str(v): k for k, v in self.ids.items()}
        return sum(
            sees(self.actor, region=r.region, entity=r.entity)
            and r.region.startswith(region)
            and query.get("kind", r.kind) == r.kind
            and ("entity_id" not in query or by_id.get(query["entity_id"]) == r.entity)
            for r in RECORDS
        )
