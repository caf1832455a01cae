"""A real headless Chromium against a real server: log in, drill the Anhui map down to a county,
switch language — and record every request the page makes: none may leave 127.0.0.1.

The server is the installed ``lookthrough`` command on a fresh SQLite file, set up through the
CLI an operator would use (``db upgrade``, ``users create``), so this also checks that the
shipped static files (ECharts, fonts, boundaries) are enough to work offline.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, sync_playwright
from shapely.geometry import shape

from factories import PASSWORD

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI containers run as root, where the sandbox cannot start
    "--disable-gpu",
    # Chromium's own background traffic (updates, sync, safe browsing) is not the page's.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOOKTHROUGH = Path(sys.executable).parent / "lookthrough"
GEO = Path(__file__).resolve().parents[1] / "src/lookthrough/web/static/geo"
TIMEOUT_MS = 15_000

# GB/T 2260: the 16 prefecture-level cities of Anhui.
ANHUI_CITIES = {
    "合肥市", "芜湖市", "蚌埠市", "淮南市", "马鞍山市", "淮北市", "铜陵市", "安庆市",
    "黄山市", "滁州市", "阜阳市", "宿州市", "六安市", "亳州市", "池州市", "宣城市",
}  # fmt: skip
# Hefei's county-level units: 4 districts, 4 counties and 1 county-level city in GB/T 2260
# (these have boundaries), plus 3 development zones from the statistical division codes.
HEFEI_WITH_BOUNDARIES = {
    "瑶海区", "庐阳区", "蜀山区", "包河区", "长丰县", "肥东县", "肥西县", "庐江县", "巢湖市",
}  # fmt: skip
HEFEI_DEV_ZONES = {
    "合肥高新技术产业开发区", "合肥经济技术开发区", "合肥新站高新技术产业开发区",
}  # fmt: skip

SERIES_NAMES = "window.ltMap.chart.getOption().series[0].data.map(d => d.name)"
MAP_ERROR = "document.getElementById('lt-map').dataset.error || null"
TABLE_NAMES = "[...document.querySelectorAll('#map-table tbody tr td:first-child')]" + (
    ".map(td => td.textContent.trim())"
)


@dataclass(frozen=True, slots=True)
class Server:
    base_url: str
    port: int
    log: Path


@dataclass  # no slots: Playwright stores a wrapper on the object whose methods it calls
class Recorder:
    """Everything the page asked the network for, and every error it printed."""

    urls: list[str] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)  # Playwright's resource types seen
    errors: list[str] = field(default_factory=list)

    def request(self, request: Request) -> None:
        self.urls.append(request.url)
        self.kinds.add(request.resource_type)

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def page_error(self, error: Exception) -> None:
        self.errors.append(f"page error: {error}")

    def offsite(self, port: int) -> list[str]:
        """URLs not served by the test server (data: URLs never leave the browser)."""
        return [
            url
            for url in self.urls
            if not url.startswith("data:")
            and not (
                urlsplit(url).scheme == "http"
                and urlsplit(url).hostname == "127.0.0.1"
                and urlsplit(url).port == port
            )
        ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cli(*args: str, env: dict[str, str], cwd: Path, stdin: str | None = None) -> None:
    result = subprocess.run(
        [str(LOOKTHROUGH), *args],
        env=env,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"lookthrough {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def _wait_until_up(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urlopen(url, timeout=1) as response:  # noqa: S310 (our own http URL)
                if response.status == 200:
                    return
        except (URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    pytest.fail(f"the server did not answer {url} within 30 s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (Debian: apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`lookthrough serve` on a free port, a fresh database, and the accounts the tests use."""
    if not LOOKTHROUGH.exists():
        pytest.skip(f"{LOOKTHROUGH} not found: install the package into this interpreter's venv")
    home = tmp_path_factory.mktemp("server")
    # Only our two settings: nothing from the developer's environment or a .env file (cwd=home).
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOOKTHROUGH_")}
    env["LOOKTHROUGH_DATABASE_URL"] = f"sqlite:///{home / 'lt.db'}"
    env["LOOKTHROUGH_VAR_DIR"] = str(home)
    _cli("db", "upgrade", env=env, cwd=home)
    for username, role, region in (
        ("anhui_analyst", "province_analyst", "34"),
        ("shushan_official", "county_official", "340104"),
    ):
        _cli(
            "users", "create", "--username", username, "--role", role, "--region", region,
            "--password-stdin", "--no-must-change",
            env=env, cwd=home, stdin=PASSWORD + "\n",
        )  # fmt: skip
    port = _free_port()
    log = home / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(LOOKTHROUGH), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=home,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            _wait_until_up(process, f"{base_url}/login", log)
            yield Server(base_url, port, log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def page(chromium: Browser, server: Server, recorder: Recorder) -> Iterator[Page]:
    context = chromium.new_context(
        base_url=server.base_url, locale="zh-CN", viewport={"width": 1440, "height": 1000}
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.on("request", recorder.request)  # the whole context: workers and popups too
    tab = context.new_page()
    tab.on("console", recorder.console)
    tab.on("pageerror", recorder.page_error)
    yield tab
    context.close()


def shoot(page: Page, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def log_in(page: Page, server: Server, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{server.base_url}/")


def wait_for_map(page: Page, region: str) -> None:
    page.wait_for_selector(f'#lt-map[data-ready="{region}"]', state="attached")
    assert page.evaluate(MAP_ERROR) is None


def click_on_map(page: Page, geo_file: str, name: str) -> None:
    """Click the map where ``name`` is drawn, as a user would (not through the table)."""
    features = json.loads((GEO / geo_file).read_text(encoding="utf-8"))["features"]
    feature = next(f for f in features if f["properties"]["name"] == name)
    inside = shape(feature["geometry"]).representative_point()
    x, y = page.evaluate(
        "([lng, lat]) => window.ltMap.chart.convertToPixel({seriesIndex: 0}, [lng, lat])",
        [inside.x, inside.y],
    )
    box = page.locator("#lt-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + y)


def assert_stayed_on(server: Server, recorder: Recorder) -> None:
    print(f"{len(recorder.urls)} requests of kinds {sorted(recorder.kinds)}")
    for url in sorted(set(recorder.urls)):
        print("  ", url)
    # The recorder saw every kind of request the page makes, so an empty list below means it.
    assert {"document", "stylesheet", "script", "font", "fetch"} <= recorder.kinds
    assert recorder.offsite(server.port) == []
    assert recorder.errors == []


def test_province_analyst_drills_from_anhui_to_a_county_and_switches_language(
    page: Page, server: Server, recorder: Recorder, screenshots: Path
) -> None:
    log_in(page, server, "anhui_analyst")
    wait_for_map(page, "34")
    assert sorted(page.evaluate(SERIES_NAMES)) == sorted(ANHUI_CITIES)
    shoot(page, screenshots, "1-anhui")

    click_on_map(page, "34.json", "合肥市")
    wait_for_map(page, "3401")
    assert set(page.evaluate(SERIES_NAMES)) == HEFEI_WITH_BOUNDARIES
    table = page.evaluate(TABLE_NAMES)
    assert len(table) == 12
    assert set(table) == HEFEI_WITH_BOUNDARIES | HEFEI_DEV_ZONES
    shoot(page, screenshots, "2-hefei")

    page.click("#map-table a:text-is('蜀山区')")
    wait_for_map(page, "340104")
    assert page.evaluate(SERIES_NAMES) == ["蜀山区"]
    assert page.inner_text("#map-title") == "蜀山区"
    assert page.locator("#map-table tbody tr").count() > 0  # its streets and towns
    shoot(page, screenshots, "3-shushan")

    page.click("#map-up")
    wait_for_map(page, "3401")

    page.click(".lt-lang a:text-is('English')")
    page.wait_for_selector("html[lang=en]")
    wait_for_map(page, "34")
    assert "Home" in page.inner_text("#lt-menu")
    assert "Regulatory overview" in page.inner_text(".page-title")
    shoot(page, screenshots, "4-english")

    page.click(".lt-lang a:text-is('中文')")
    page.wait_for_selector("html[lang=zh-CN]")
    assert "首页" in page.inner_text("#lt-menu")
    wait_for_map(page, "34")

    assert_stayed_on(server, recorder)


def test_county_official_starts_at_their_county(
    page: Page, server: Server, recorder: Recorder, screenshots: Path
) -> None:
    log_in(page, server, "shushan_official")
    wait_for_map(page, "340104")
    assert page.evaluate(SERIES_NAMES) == ["蜀山区"]
    assert page.inner_text('#lt-jurisdiction strong[data-region="340104"]') == "蜀山区"
    assert page.locator("#map-up").is_hidden()  # nothing above their own county
    shoot(page, screenshots, "5-county-official")
    assert_stayed_on(server, recorder)


def test_chromium_is_the_one_ci_installs() -> None:
    """The test above must not silently skip in CI, where `.ci/run` installs Chromium."""
    if os.environ.get("CI") and not CHROMIUM.exists():
        pytest.fail(f"CI is set but {CHROMIUM} is missing (found: {shutil.which('chromium')})")


def test_recorder_flags_every_url_not_on_the_test_server() -> None:
    recorder = Recorder(
        urls=[
            "http://127.0.0.1:8123/static/app.css",
            "data:image/svg+xml;base64,AAAA",
            "http://127.0.0.1:9999/other-port",
            "https://127.0.0.1:8123/tls",
            "http://localhost:8123/by-name",
            "https://cdn.example.com/echarts.js",
        ]
    )
    assert recorder.offsite(8123) == recorder.urls[2:]


def _inspection_world(server: Server, home: Path) -> None:
    """Businesses, a screening manual, an inspector account bound to the pool, a drawn plan —
    all through the commands an operator would use."""
    from lookthrough.registry import uscc

    env = {k: v for k, v in os.environ.items() if not k.startswith("LOOKTHROUGH_")}
    env["LOOKTHROUGH_DATABASE_URL"] = f"sqlite:///{home / 'lt.db'}"
    env["LOOKTHROUGH_VAR_DIR"] = str(home)
    codes = [uscc.make("91", "340104", f"MB{n:06d}") for n in range(3)]
    entities = home / "entities.csv"
    entities.write_text(
        "统一社会信用代码,主体名称,主体类型,所属区划代码,住所,法定代表人,联系电话,行业代码,成立日期,注册资本（万元）,登记状态\n"
        + "".join(
            f"{code},蜀山电梯使用单位{n}有限公司,有限责任公司,340104001,蜀山区测试路{n}号,王{n},13800000{n:03d},K7010,2020-01-01,100,存续\n"
            for n, code in enumerate(codes)
        ),
        encoding="utf-8",
    )
    _cli("import", str(entities), "--kind", "entity", env=env, cwd=home)
    manual = Path(__file__).resolve().parents[1] / "examples/manual-elevator.yaml"
    _cli("inspection", "manual", str(manual), env=env, cwd=home)
    _cli(
        "users", "create", "--username", "shushan_inspector", "--role", "inspector",
        "--region", "340104", "--password-stdin", "--no-must-change",
        env=env, cwd=home, stdin=PASSWORD + "\n",
    )  # fmt: skip
    plan = home / "plan.yaml"
    plan.write_text(
        json.dumps(
            {
                "code": "BROWSER-1", "name": "浏览器测试计划", "year": 2026,
                "subjects": {"region": "340104"}, "ratios": {"B": "1"}, "unclassified_as": "B",
                "items": [{"code": "TS-1", "name": "电梯使用管理", "department": "特种设备",
                           "matter": "电梯安全"}],
                "inspectors": [
                    {"code": "ZF-B1", "name": "执法甲", "department": "特种设备",
                     "region_code": "340104", "username": "shushan_inspector"},
                    {"code": "ZF-B2", "name": "执法乙", "department": "特种设备",
                     "region_code": "340104"},
                ],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )  # fmt: skip
    _cli("inspection", "draw", "--plan", str(plan), env=env, cwd=home)


def test_inspector_fills_the_checklist_on_a_phone(
    chromium: Browser, server: Server, screenshots: Path, recorder: Recorder
) -> None:
    home = server.log.parent
    _inspection_world(server, home)
    context = chromium.new_context(
        base_url=server.base_url, locale="zh-CN", viewport={"width": 390, "height": 844},
        is_mobile=True, has_touch=True,
    )  # fmt: skip
    context.set_default_timeout(TIMEOUT_MS)
    context.on("request", recorder.request)
    phone = context.new_page()
    phone.on("pageerror", recorder.page_error)
    phone.goto("/login")
    phone.fill("#username", "shushan_inspector")
    phone.fill("#password", PASSWORD)
    phone.click("#login-form button[type=submit]")
    phone.wait_for_url(f"{server.base_url}/")
    phone.goto("/inspection/tasks")
    tasks = phone.locator("#task-list a")
    assert tasks.count() == 3  # ratio 1: every business, each visited by this inspector's team
    assert "待检查" in tasks.first.inner_text()
    wide = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"the task list scrolls sideways by {wide}px on a phone"
    tasks.first.click()
    phone.wait_for_selector("#checklist")
    checks = phone.locator(".lt-check")
    assert checks.count() == 3  # the manual's three items
    wide = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"the checklist scrolls sideways by {wide}px on a phone"
    shoot(phone, screenshots, "6-checklist-phone")
    for n in range(3):
        card = checks.nth(n)
        card.locator("label", has_text="不符合" if n == 1 else "符合").first.click()
    checks.nth(1).locator("textarea").fill("维保记录缺少维保人员签字")
    phone.click("#submit-checklist")
    phone.wait_for_selector("#task-result")
    assert "发现问题" in phone.inner_text("#task-result")
    shoot(phone, screenshots, "7-checklist-submitted")
    phone.goto("/inspection/tasks")
    done = phone.locator("#task-list a", has_text="已完成")
    assert done.count() == 1 and "0有限公司" in done.inner_text()  # open visits stay on top
    context.close()
    assert recorder.offsite(server.port) == []
    assert recorder.errors == []
