"""A person's path through risk in a real headless Chromium: the risk map drills from the
province to a city, the inbox takes an alert from 待处理 to 办结, and the indicator editor tests
a new definition on live data and shows the chart. The server is the installed ``lookthrough``
on a tiny province imported, trained and scored through the CLI an operator would use."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from factories import PASSWORD
from lookthrough.synth.generate import generate

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
LOOKTHROUGH = Path(sys.executable).parent / "lookthrough"
TIMEOUT_MS = 20_000


def _cli(*args: str, env: dict[str, str], cwd: Path, stdin: str | None = None) -> None:
    done = subprocess.run([str(LOOKTHROUGH), *args], env=env, cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    if done.returncode != 0:
        pytest.fail(f"lookthrough {' '.join(args)}:\n{done.stdout}\n{done.stderr}")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    import socket
    import time
    from urllib.request import urlopen

    home = tmp_path_factory.mktemp("risk-server")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOOKTHROUGH_")}
    env["LOOKTHROUGH_DATABASE_URL"] = f"sqlite:///{home / 'lt.db'}"
    env["LOOKTHROUGH_VAR_DIR"] = str(home)
    generate("tiny", 1, home / "tiny")
    _cli("db", "upgrade", env=env, cwd=home)
    _cli("import", str(home / "tiny"), env=env, cwd=home)
    _cli("risk", "train", env=env, cwd=home)
    _cli("risk", "score", env=env, cwd=home)
    _cli("users", "create", "--username", "risk_analyst", "--role", "province_analyst",
         "--region", "34", "--password-stdin", "--no-must-change",
         env=env, cwd=home, stdin=PASSWORD + "\n")  # fmt: skip
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(
        [str(LOOKTHROUGH), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, cwd=home, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urlopen(f"{url}/login", timeout=1):  # noqa: S310 (our own server)
                    break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=base_url, viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto("/login")
    tab.fill("input[name=username]", "risk_analyst")
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url("**/")
    yield tab
    assert not errors, errors
    context.close()


def test_risk_map_drills_down_to_a_city(page: Page) -> None:
    page.click("text=风险监测")
    page.wait_for_selector('#lt-map[data-ready="34"]', state="attached")
    names = page.evaluate("window.ltMap.chart.getOption().series[0].data.map(d => d.name)")
    assert "合肥市" in names and len(names) == 16
    assert page.locator("#risk-fields").get_attribute("data-ready") == "1"
    assert page.locator("#top-risks tbody tr").count() > 0
    page.locator("#map-table a", has_text="合肥市").first.click()
    page.wait_for_selector('#lt-map[data-ready="3401"]', state="attached")
    assert page.locator("#map-title").inner_text() == "合肥市"


def test_an_alert_goes_from_open_to_closed(page: Page) -> None:
    page.goto("/risk/alerts")
    first = page.locator("#alerts-table tbody a").first
    title = first.inner_text()
    first.click()
    assert page.locator("h3.card-title").first.inner_text() == title
    page.click("#btn-acknowledge")
    assert "已签收" in page.locator("#alert-state").inner_text()
    page.fill("textarea[name=note]", "已现场检查并责令整改")
    page.click("#btn-close")
    assert "已办结" in page.locator("#alert-state").inner_text()
    assert page.locator("#btn-close").count() == 0


def test_a_new_indicator_is_tested_on_live_data(page: Page) -> None:
    page.goto("/risk/indicators")
    page.click("#new-indicator")
    page.fill("#f-code", "browser_complaints")
    page.fill("#f-name", "浏览器测试投诉量")
    page.select_option("#f-kinds", ["complaint"])
    page.fill("#f-window", "1460")
    page.fill("#f-matter", "测试事项")
    page.fill("#f-point", "投诉集中")
    page.fill("#f-explanation", "浏览器测试用的投诉计数。")
    page.click("#btn-test")
    page.wait_for_selector("#test-chart[data-ready='1']", state="attached")
    assert int(page.locator("#test-entities").inner_text().replace(",", "")) > 500
    assert page.locator("#test-top tbody tr").count() == 10
    page.click("#btn-save")
    page.wait_for_selector("#btn-publish")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#btn-publish")
    page.wait_for_url("**/risk/indicators")
    assert "浏览器测试投诉量" in page.locator("#indicators-table").inner_text()
