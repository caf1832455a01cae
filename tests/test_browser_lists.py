"""A real headless Chromium walks the four lists' chain on a served app with a tiny synthetic
province: a matter from a template, problems proposed and confirmed, penetration drawn as a
graph, a dissection and a cause, a class rectification task; the targeted business rectifies
from its own portal and the bureau sends it back; a compliance guideline is published and read
on the public pages without logging in. No request may leave 127.0.0.1.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from factories import PASSWORD
from test_browser import (
    LOOKTHROUGH,
    TIMEOUT_MS,
    Recorder,
    Server,
    _free_port,
    _wait_until_up,
    chromium,
    shoot,
)

pytestmark = pytest.mark.browser
__all__ = ["chromium"]  # the module-scoped browser, shared with tests/test_browser.py's helpers
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PROBLEM = "列入经营异常名录"  # in the tiny province one actual controller is behind most of them


def _run(*args: str, env: dict[str, str], cwd: Path, stdin: str | None = None) -> str:
    # No tight timeout: the import runs on a loaded machine.
    done = subprocess.run([str(LOOKTHROUGH), *args], env=env, cwd=cwd, input=stdin,
                          capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        pytest.fail(f"lookthrough {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    """`lookthrough serve` over a tiny synthetic province; returns it and the business bound to
    the enterprise account (one on the abnormal-operations list)."""
    if not LOOKTHROUGH.exists():
        pytest.skip(f"{LOOKTHROUGH} not found: install the package into this interpreter's venv")
    home = tmp_path_factory.mktemp("lists-server")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOOKTHROUGH_")}
    env["LOOKTHROUGH_DATABASE_URL"] = f"sqlite:///{home / 'lt.db'}"
    env["LOOKTHROUGH_VAR_DIR"] = str(home)
    _run("db", "upgrade", env=env, cwd=home)
    _run("synth", "--scale", "tiny", "--seed", "1", "--out", str(home / "tiny"), env=env, cwd=home)
    _run("import", str(home / "tiny"), env=env, cwd=home)
    with sqlite3.connect(home / "lt.db") as db:
        uscc, name = db.execute(
            "SELECT e.uscc, e.name FROM entity e JOIN record r ON r.entity_id = e.id "
            "WHERE r.kind = 'abnormal_list' ORDER BY e.id LIMIT 1"
        ).fetchone()
    for username, role, extra in (
        ("anhui_analyst", "province_analyst", ["--region", "34"]),
        ("shell_owner", "enterprise", ["--entity", uscc]),
    ):
        account = ["--username", username, "--role", role, *extra]
        _run("users", "create", *account, "--password-stdin", "--no-must-change",
             env=env, cwd=home, stdin=PASSWORD + "\n")  # fmt: skip
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
            yield Server(base_url, port, log), name
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _page(chromium: Browser, server: Server, recorder: Recorder) -> Page:
    context = chromium.new_context(base_url=server.base_url, locale="zh-CN",
                                   viewport={"width": 1440, "height": 1000})  # fmt: skip
    context.set_default_timeout(TIMEOUT_MS * 2)
    context.on("request", recorder.request)
    tab = context.new_page()
    tab.on("console", recorder.console)
    tab.on("pageerror", recorder.page_error)
    return tab


def _log_in(page: Page, server: Server, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()


def test_the_chain_from_matter_to_a_published_guideline(
    chromium: Browser, province: tuple[Server, str], tmp_path: Path
) -> None:
    server, business = province
    recorder = Recorder()
    page = _page(chromium, server, recorder)
    _log_in(page, server, "anhui_analyst")

    page.click("#lt-menu a:has-text('事项清单')")
    page.select_option("#template", "shell_companies")
    page.click("#matter-create button[type=submit]")
    page.wait_for_selector("#risk-points")
    assert "SC-1" in page.inner_text("#risk-points")
    page.click("#propose")
    row = page.locator("#problems-table tr", has_text=PROBLEM).first
    row.locator("button:has-text('确认')").click()

    page.wait_for_selector("#run-penetration")  # the chain page of the confirmed problem
    page.click("#run-penetration")
    page.wait_for_selector('#lt-graph[data-ready="1"]', state="attached")
    assert page.evaluate("document.getElementById('lt-graph').dataset.error || null") is None
    assert int(page.evaluate("document.getElementById('lt-graph').dataset.nodes")) > 5
    significant = page.locator("#factor-table tr.table-danger")
    assert significant.count() >= 1 and "实际控制人" in significant.first.inner_text()
    shoot(page, tmp_path, "lists-1-penetration")

    page.fill("#participants", "王监管|省局信用监管处|监管部门\n李研究|安徽大学|科研院所")
    page.fill("#summary", "同一控制人名下多户失联")
    page.click("#dissection-form button[type=submit]")
    page.wait_for_selector("[id^=dissection-]")
    page.select_option("#category", "责任落实")
    page.select_option("#factor", index=1)  # the significant controller
    page.fill("#description", "实际控制人批量注册后放任失联")
    page.click("#cause-form button[type=submit]")
    page.wait_for_selector("#cause-table td:has-text('放任失联')")

    page.fill("#t-measures", "约谈实际控制人，限期补报年报、变更住所")
    page.fill("#t-policy", "同一控制人名下主体统一约谈、统一核查住所")
    page.fill("#t-resp", "省局信用监管处")
    page.fill("#t-deadline", "2099-06-30")
    page.click("#task-form button[type=submit]")
    page.wait_for_selector("#targets-table")
    task_url = page.url
    assert page.locator("#targets-table tbody tr").count() > 10  # every listed business
    assert business in page.inner_text("#targets-table")

    owner = _page(chromium, server, recorder)
    _log_in(owner, server, "shell_owner")
    owner.click("#lt-menu a:has-text('本单位整改任务')")
    owner.click("#my-tasks a")
    owner.click("#action-start")
    owner.fill("#description", "已补报年报并变更住所")
    evidence = tmp_path / "住所证明.png"
    evidence.write_bytes(PNG)
    owner.set_input_files("#file", str(evidence))
    owner.click("#evidence-form button[type=submit]")
    owner.wait_for_selector("#my-evidence a:has-text('住所证明.png')")
    owner.click("#action-submit")
    owner.wait_for_selector("#my-state:has-text('已提交')")
    shoot(owner, tmp_path, "lists-2-portal")

    page.goto(task_url)
    mine = page.locator("#targets-table tr", has_text=business)
    assert "已提交" in mine.inner_text() and "住所证明.png" in mine.inner_text()
    mine.locator("select[name=action]").select_option("reopen")
    mine.locator("input[name=note]").fill("住所证明不清晰，请重新提供")
    mine.locator("button[type=submit]").click()
    page.wait_for_selector("#events-table td:has-text('住所证明不清晰')")
    assert "退回重改" in page.inner_text("#targets-table")

    page.click("#lt-menu a:has-text('事项清单')")
    page.click("#matters-table a")
    page.click("#matter-guidelines ~ .card-footer button:has-text('合规指引')")
    page.wait_for_selector("#guideline-form")
    page.click("#publish")
    page.wait_for_selector("#guideline-status:has-text('已公开')")
    title = page.input_value("#g-title")

    public = _page(chromium, server, recorder)  # a new visitor, not logged in
    public.goto("/public/guidelines")
    public.click(f"#public-guidelines a:has-text('{title}')")
    public.wait_for_selector(".lt-document")
    assert "自查要点" in public.inner_text(".lt-document")
    assert public.locator("#lt-menu").count() == 0
    shoot(public, tmp_path, "lists-3-public")

    assert {"document", "stylesheet", "script", "fetch"} <= recorder.kinds
    assert recorder.offsite(server.port) == []
    assert recorder.errors == []
