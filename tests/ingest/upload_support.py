"""A running site for the upload tests: the real app on a fresh database, a logged-in official.

The app gets the database's own engine, so the upload's background thread writes through real
connections and commits per chunk like in production; the test then waits for that thread.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2
from fastapi.testclient import TestClient
from ingest_support import INSPECTION_HEADER, LUYANG, SHUSHAN_1, SHUSHAN_2, Database
from sqlalchemy import select

from factories import login, login_browser, make_user
from lookthrough.api.app import create_app
from lookthrough.core.config import Settings
from lookthrough.ingest.models import IngestBatch

UPLOAD_WAIT_SECONDS = 120  # generous: the machine may be busy; the wait ends as soon as it is done

# An inspection file as a county bureau sends it (GB18030), with one row of every kind of trouble.
HEADER = [*INSPECTION_HEADER, "监管事项"]
ROWS = [
    ["R1", SHUSHAN_1, "2026-03-01", "日常检查", "合格", "95", "食品安全"],  # row 2: accepted
    ["R2", SHUSHAN_2, "2026/03/02", "日常检查", "不合格", "58", ""],  # row 3: accepted
    ["R1", SHUSHAN_1, "2026-03-01", "日常检查", "合格", "95", "食品安全"],  # row 4: duplicate
    ["R4", SHUSHAN_1, "2026-13-45", "日常检查", "合格", "90", "=1+1"],  # row 5: bad date
    ["R5", SHUSHAN_1[:17] + "I", "2026-03-05", "日常检查", "合格", "90", ""],  # row 6: bad code
    ["R3", LUYANG, "2026-03-03", "专项检查", "基本符合", "80", ""],  # row 7: 庐阳区, out of scope
    ["R6", SHUSHAN_2, "2026-03-06", "日常检查", "=1+1", "90", ""],  # row 8: formula as a result
]
# (row, column, rule, value) of each quarantined row's problem.
PROBLEMS = {
    (5, "检查日期", "date_invalid", "2026-13-45"),
    (6, "统一社会信用代码", "uscc_invalid", SHUSHAN_1[:17] + "I"),
    (7, "所属区划代码", "out_of_scope", "340103"),
    (8, "检查结果", "payload_literal_error", "=1+1"),
}


def csv_bytes(header: list[str], rows: list[list[str]], encoding: str = "gb18030") -> bytes:
    lines = [header, *rows]
    return "".join(",".join(cells) + "\r\n" for cells in lines).encode(encoding)


@dataclass
class Site:
    db: Database
    client: TestClient
    username: str
    var_dir: Path
    csrf: str  # the browser session's form token
    bearer: dict[str, str]  # headers of an API session of the same official

    def upload_page(self, name: str, content: bytes, target: str = "inspection") -> httpx2.Response:
        return self.client.post(
            "/ingest/upload",
            data={"target": target, "csrf_token": self.csrf},
            files={"file": (name, content, "application/octet-stream")},
            follow_redirects=False,
        )

    def stored_uploads(self) -> list[Path]:
        return sorted((self.var_dir / "uploads").glob("*"))

    def form(self, path: str, **fields: str) -> httpx2.Response:
        return self.client.post(path, data={**fields, "csrf_token": self.csrf})

    def batch_ids(self) -> list[str]:
        """The batches this official started, oldest first."""
        with self.db.factory() as session:
            return list(
                session.scalars(
                    select(IngestBatch.id)
                    .where(IngestBatch.created_by == self.username)
                    .order_by(IngestBatch.started_at)
                )
            )


@contextmanager
def open_site(db: Database, var_dir: Path, *, region: str = "340104") -> Iterator[Site]:
    """The app on ``db`` with a county official of ``region`` logged in by browser and by API."""
    with db.factory() as session:
        username = make_user(session, region=region).username
        session.commit()
    app = create_app(Settings(database_url=db.url, var_dir=var_dir), engine=db.engine)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        csrf = login_browser(client, username)
        bearer = login(client, username)
        yield Site(db, client, username, var_dir, csrf, bearer)
        wait_for_uploads()  # never drop the database under a running import


def wait_for_uploads() -> None:
    """Join the background import threads the app started."""
    for thread in threading.enumerate():
        if thread.name.startswith("upload-"):
            thread.join(UPLOAD_WAIT_SECONDS)
            assert not thread.is_alive(), f"{thread.name} still running"


def row_html(page: str, row_id: int) -> str:
    """A quarantined row's line on the batch page."""
    return page.split(f'<tr id="q-{row_id}">')[1].split("</tr>")[0]


def form_values(page: str, row_id: int) -> dict[str, str]:
    """The ``v:<列名>`` inputs of a quarantined row's edit form, as a browser would send them."""
    row = row_html(page, row_id)
    return {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r'name="(v:[^"]+)" value="([^"]*)"', row)
    }


def quarantine_rows(page: str) -> dict[int, int]:
    """{spreadsheet row number: quarantine row id} of the rows listed on a batch page."""
    found = re.findall(r'<tr id="q-(\d+)">\s*<td>(\d+)</td>', page)
    return {int(row_no): int(row_id) for row_id, row_no in found}
