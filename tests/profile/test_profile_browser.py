"""A real Chromium: an official searches a business by its short name, opens its file, filters
the timeline and walks the relation graph one hop by clicking a node.

The server is ``lookthrough serve`` on a fresh SQLite file with a tiny synthetic province loaded
through ``lookthrough import`` (the path a bureau's files take).
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import create_engine, text

from factories import PASSWORD
from lookthrough.profile.rules import read_query
from test_browser import (
    LOOKTHROUGH,
    Recorder,
    Server,
    _cli,
    _free_port,
    _wait_until_up,
    assert_stayed_on,
    shoot,
)

pytestmark = pytest.mark.browser

# A supplier with customers, whose first customer has neighbours of its own.
SUPPLIER = """
SELECT e.id, e.name FROM entity e
JOIN relation r ON r.kind = 'supplies' AND r.from_type = 'entity' AND r.from_id = e.id
JOIN relation r2 ON r2.kind = 'supplies' AND r2.from_type = 'entity' AND r2.from_id = r.to_id
WHERE EXISTS (SELECT 1 FROM record WHERE record.entity_id = e.id AND record.kind = 'inspection')
  AND EXISTS (SELECT 1 FROM record WHERE record.entity_id = e.id AND record.kind <> 'inspection')
ORDER BY e.id LIMIT 1
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not LOOKTHROUGH.exists():
        pytest.skip(f"{LOOKTHROUGH} not found: install the package into this interpreter's venv")
    home = tmp_path_factory.mktemp("profile-server")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOOKTHROUGH_")}
    env["LOOKTHROUGH_DATABASE_URL"] = f"sqlite:///{home / 'lt.db'}"
    env["LOOKTHROUGH_VAR_DIR"] = str(home)
    _cli("db", "upgrade", env=env, cwd=home)
    _cli("synth", "--scale", "tiny", "--seed", "3", "--out", str(home / "tiny"), env=env, cwd=home)
    _cli("import", str(home / "tiny"), env=env, cwd=home)
    _cli(
        "users", "create", "--username", "profile_analyst", "--role", "province_analyst",
        "--region", "34", "--password-stdin", "--no-must-change",
        env=env, cwd=home, stdin=PASSWORD + "\n",
    )  # fmt: skip
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


@pytest.fixture(scope="module")
def supplier(server: Server) -> tuple[int, str]:
    engine = create_engine(f"sqlite:///{Path(server.log).parent / 'lt.db'}")
    with engine.connect() as conn:
        row = conn.execute(text(SUPPLIER)).one()
    engine.dispose()
    return int(row[0]), str(row[1])


WHERE = """(id) => {
  const data = window.ltGraph.chart.getModel().getSeriesByIndex(0).getData();
  return data.getItemLayout(data.indexOfName(window.ltGraph.state.nodes[id].name)) != null;
}"""


def graph_nodes(page: Page) -> int:
    return int(page.evaluate("Object.keys(window.ltGraph.state.nodes).length"))


def node_position(page: Page, node_id: str) -> tuple[float, float]:
    x, y = page.evaluate(
        """(id) => {
          const chart = window.ltGraph.chart;
          const data = chart.getModel().getSeriesByIndex(0).getData();
          const layout = data.getItemLayout(data.indexOfName(window.ltGraph.state.nodes[id].name));
          return chart.convertToPixel({seriesIndex: 0}, layout);
        }""",
        node_id,
    )
    return float(x), float(y)


def click_node(page: Page, node_id: str, loads: int, within_s: float = 60.0) -> None:
    """Click the node where ECharts drew it, as a person would. The force layout moves nodes for
    a while (far longer on a busy machine, where frames come slowly): aim once it has nearly come
    to rest, zoom out with the wheel if it drifted off the canvas, and aim again if the click
    found it gone. Gives up only after ``within_s`` seconds, saying where the node was."""
    page.wait_for_function(WHERE, arg=node_id)
    graph = page.locator("#lt-graph")
    graph.scroll_into_view_if_needed()
    deadline = time.monotonic() + within_s
    seen: list[str] = []
    while time.monotonic() < deadline:
        box = graph.bounding_box()  # in the viewport, where the mouse is
        assert box is not None
        before = node_position(page, node_id)
        page.wait_for_timeout(150)
        x, y = node_position(page, node_id)
        if abs(x - before[0]) + abs(y - before[1]) > 3:
            seen.append("moving")
            continue  # still moving faster than a hand would follow
        if not (8 < x < box["width"] - 8 and 8 < y < box["height"] - 8):
            seen.append(f"off canvas at {x:.0f},{y:.0f}")
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.mouse.wheel(0, 240)  # zoom out, as a person would to find it
            page.wait_for_timeout(300)
            continue
        page.mouse.click(box["x"] + x, box["y"] + y)
        try:
            page.wait_for_selector(
                f'#lt-graph[data-ready="{loads}"]', state="attached", timeout=5000
            )
            return
        except PlaywrightTimeout:
            seen.append(f"clicked {x:.0f},{y:.0f}, no expansion")
    error = page.evaluate("document.getElementById('lt-graph').dataset.error || ''")
    tail = "; ".join(seen[-6:])
    pytest.fail(f"clicking node {node_id} never expanded it ({tail}; error: {error or 'none'})")


def test_official_finds_a_business_reads_its_file_and_walks_its_graph(
    page: Page, server: Server, recorder: Recorder, screenshots: Path, supplier: tuple[int, str]
) -> None:
    entity_id, name = supplier
    page.goto("/login")
    page.fill("#username", "profile_analyst")
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{server.base_url}/")

    page.click("#lt-menu a[href='/entities']")
    short = read_query(name).core  # 德诚粮油 for 郎溪县德诚粮油店
    assert short != name
    page.fill("#entity-search input[name=q]", short)
    page.click("#entity-search button[type=submit]")
    page.wait_for_selector(f"#entities-table a[href='/entities/{entity_id}']")
    shoot(page, screenshots, "profile-1-search")
    page.click(f"#entities-table a[href='/entities/{entity_id}']")
    page.wait_for_url(f"{server.base_url}/entities/{entity_id}")
    assert page.inner_text(".page-title").startswith(name)
    assert name in page.inner_text("#entity-facts")

    # The graph: the business and its neighbours, then one hop further by a click.
    page.wait_for_selector('#lt-graph[data-ready="1"]', state="attached")
    before = graph_nodes(page)
    assert before > 1
    customer = page.evaluate(
        """(centre) => Object.values(window.ltGraph.state.edges)
             .find(e => e.source === centre && e.kind === 'supplies').target""",
        f"e{entity_id}",
    )
    click_node(page, customer, loads=2)
    assert page.evaluate("window.ltGraph.state.expanded")[customer] is True
    assert graph_nodes(page) > before
    assert page.inner_text("#graph-info").strip() != ""
    shoot(page, screenshots, "profile-2-graph")

    # The timeline, filtered to inspections without leaving the page.
    all_rows = page.locator("#timeline-table tbody tr[data-kind]").count()
    kinds = set(
        page.eval_on_selector_all(
            "#timeline-table tr[data-kind]", "rs => rs.map(r => r.dataset.kind)"
        )
    )
    assert len(kinds) > 1
    page.select_option("#f-kind", "inspection")
    with page.expect_response(lambda r: f"/entities/{entity_id}/timeline" in r.url):
        page.click("#timeline-filter button[type=submit]")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#timeline-table tr[data-kind]')]"
        ".every(r => r.dataset.kind === 'inspection')"
    )
    filtered = page.locator("#timeline-table tbody tr[data-kind]").count()
    assert 0 < filtered < all_rows
    assert page.url.endswith(f"/entities/{entity_id}")  # swapped in place, no reload
    shoot(page, screenshots, "profile-3-timeline")
    assert_stayed_on(server, recorder)
