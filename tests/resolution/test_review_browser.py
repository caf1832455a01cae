"""A county official clicks through the review queue in a real headless Chromium.

The server is the installed command on a fresh SQLite file, loaded the way an operator would:
`db upgrade`, `users create`, `import` of a businesses file and a complaints file, then
`resolve run` — which sends the complaint naming two same-named 蜀山区 businesses to review.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from factories import PASSWORD
from lookthrough.registry import uscc
from test_browser import (  # the shared browser set-up; its tests are not imported
    LOOKTHROUGH,
    TIMEOUT_MS,
    Recorder,
    Server,
    _cli,
    _free_port,
    _wait_until_up,
    chromium,
    log_in,
)

pytestmark = pytest.mark.browser
__all__ = ["chromium"]  # a fixture, used by name

BUSINESSES = [
    ("91", "MA000001", "合肥市蜀山区鑫源粮油有限公司", "340104001"),
    ("92", "MA000002", "蜀山区鑫源粮油店", "340104002"),
]


@pytest.fixture(scope="module")
def loaded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not LOOKTHROUGH.exists():
        pytest.skip(f"{LOOKTHROUGH} not found")
    home = tmp_path_factory.mktemp("review-server")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOOKTHROUGH_")}
    env["LOOKTHROUGH_DATABASE_URL"] = f"sqlite:///{home / 'lt.db'}"
    env["LOOKTHROUGH_VAR_DIR"] = str(home)
    _cli("db", "upgrade", env=env, cwd=home)
    _cli("users", "create", "--username", "shushan_reviewer", "--role", "county_official",
         "--region", "340104", "--password-stdin", "--no-must-change",
         env=env, cwd=home, stdin=PASSWORD + "\n")  # fmt: skip
    businesses = home / "主体.csv"
    businesses.write_text(
        "统一社会信用代码,主体名称,所属区划代码\n"
        + "".join(f"{uscc.make(t, '340104', body)},{name},{region}\n"
                  for t, body, name, region in BUSINESSES),
        encoding="utf-8",
    )  # fmt: skip
    complaints = home / "投诉.csv"
    complaints.write_text(
        "工单编号,所属区划代码,登记日期,诉求内容,被投诉对象名称\n"
        "TS-BROWSER-1,340104,2026-03-01,在鑫源粮油买到过期油,鑫源粮油\n",
        encoding="utf-8",
    )
    _cli("import", str(businesses), "--kind", "entity", env=env, cwd=home)
    _cli("import", str(complaints), "--kind", "complaint", env=env, cwd=home)
    _cli("resolve", "run", env=env, cwd=home)
    port = _free_port()
    log = home / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(LOOKTHROUGH), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env, cwd=home, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            base_url = f"http://127.0.0.1:{port}"
            _wait_until_up(process, f"{base_url}/login", log)
            yield Server(base_url, port, log)
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_official_links_a_mention_from_the_queue(
    chromium: object, loaded_server: Server, tmp_path: Path
) -> None:
    recorder = Recorder()
    context = chromium.new_context(  # type: ignore[attr-defined]
        base_url=loaded_server.base_url, locale="zh-CN", viewport={"width": 1440, "height": 1000}
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.on("request", recorder.request)
    page: Page = context.new_page()
    page.on("console", recorder.console)
    page.on("pageerror", recorder.page_error)
    try:
        log_in(page, loaded_server, "shushan_reviewer")
        page.click("#lt-menu a[href='/resolution/review']")
        page.wait_for_url(f"{loaded_server.base_url}/resolution/review")
        card = page.locator("#review-queue .card").first
        assert "鑫源粮油" in card.inner_text() and "待复核" in card.inner_text()
        row = card.locator("tr", has_text="蜀山区鑫源粮油店")
        row.get_by_role("button", name="是同一主体").click()
        # htmx swaps the card in place: no page load, the link is now a person's
        page.wait_for_selector("#review-queue .card .badge:has-text('人工确认')")
        assert page.url.endswith("/resolution/review")
        page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
        page.goto("/resolution/review")
        assert "管辖范围内没有待复核的关联" in page.inner_text("#review-queue")
        assert recorder.errors == []
        assert recorder.offsite(loaded_server.port) == []
    finally:
        context.close()
