"""The same upload through the API: 202 with the batch, followed until done; again adds nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ingest_support import Database, records
from upload_support import HEADER, ROWS, UPLOAD_WAIT_SECONDS, Site, csv_bytes, open_site

POLL_SECONDS = 0.05


@pytest.fixture
def site(registered: Database, tmp_path: Path) -> Iterator[Site]:
    with open_site(registered, tmp_path / "var") as opened:
        yield opened


def upload(site: Site, content: bytes, target: str = "inspection") -> str:
    response = site.client.post(
        "/api/v1/ingest/upload",
        data={"target": target},
        files={"file": ("检查记录.csv", content, "text/csv")},
        headers=site.bearer,
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "running"
    return str(body["batch_id"])


def follow(site: Site, batch_id: str) -> dict[str, Any]:
    """GET the batch until it is no longer running, as an API client would."""
    deadline = time.monotonic() + UPLOAD_WAIT_SECONDS  # a guard against hanging, not a timing
    while True:
        response = site.client.get(f"/api/v1/ingest/batches/{batch_id}", headers=site.bearer)
        assert response.status_code == 200, response.text
        batch: dict[str, Any] = response.json()
        if batch["status"] != "running" or time.monotonic() > deadline:
            return batch
        time.sleep(POLL_SECONDS)


def counts(batch: dict[str, Any]) -> tuple[int, int, int, int]:
    return (batch["rows_read"], batch["accepted"], batch["quarantined"], batch["duplicates"])


def test_api_upload_is_imported_in_the_background(site: Site) -> None:
    batch = follow(site, upload(site, csv_bytes(HEADER, ROWS)))
    assert batch["status"] == "done", batch
    assert counts(batch) == (7, 2, 4, 1)
    assert batch["open_quarantine"] == 4
    assert batch["file_name"] == "检查记录.csv"
    kept = site.client.get(
        f"/api/v1/ingest/batches/{batch['id']}/quarantine", headers=site.bearer
    ).json()
    assert [row["row_no"] for row in kept["items"]] == [5, 6, 7, 8]
    assert all(p["reason"] for row in kept["items"] for p in row["problems"])


def test_same_file_again_is_a_new_batch_of_duplicates(site: Site) -> None:
    content = csv_bytes(HEADER, ROWS[:2])
    first = follow(site, upload(site, content))
    assert counts(first) == (2, 2, 0, 0)
    before = records(site.db)
    again = follow(site, upload(site, content))
    assert again["id"] != first["id"] and again["status"] == "done"
    assert counts(again) == (2, 0, 0, 2)
    assert records(site.db) == before
    listed = site.client.get("/api/v1/ingest/batches", headers=site.bearer).json()
    assert {first["id"], again["id"]} <= {b["id"] for b in listed["items"]}


def test_mixed_file_again_accepts_nothing_and_quarantines_the_bad_rows_again(site: Site) -> None:
    content = csv_bytes(HEADER, ROWS)
    follow(site, upload(site, content))
    before = records(site.db)
    again = follow(site, upload(site, content))
    assert counts(again) == (7, 0, 4, 3)
    assert records(site.db) == before


def test_unreadable_csv_is_refused_before_a_batch_exists(site: Site) -> None:
    response = site.client.post(
        "/api/v1/ingest/upload",
        data={"target": "inspection"},
        files={"file": ("检查.csv", "检查编号\r\nR1\r\n".encode("utf-16"), "text/csv")},
        headers=site.bearer,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "file_rejected"
    assert "文件编码无法识别" in response.json()["detail"]
    assert site.batch_ids() == []
