"""An official imports a file through the pages: upload, follow it, fix or dismiss bad rows."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from ingest_support import UNREGISTERED, Database
from sqlalchemy import select
from upload_support import (
    HEADER,
    PROBLEMS,
    ROWS,
    Site,
    csv_bytes,
    form_values,
    open_site,
    quarantine_rows,
    row_html,
    wait_for_uploads,
)

from lookthrough.audit.models import AuditEvent
from lookthrough.core import clock
from lookthrough.ingest.models import IngestBatch, QuarantineRow
from lookthrough.ingest.templates import TARGET_LABELS
from lookthrough.records.models import Record


@pytest.fixture
def site(registered: Database, tmp_path: Path) -> Iterator[Site]:
    with open_site(registered, tmp_path / "var") as opened:
        yield opened


@pytest.fixture
def batch_id(site: Site) -> str:
    """The inspection file uploaded through the page and imported."""
    response = site.upload_page("检查记录.csv", csv_bytes(HEADER, ROWS))
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/ingest"
    wait_for_uploads()
    (found,) = site.batch_ids()
    return found


def status_of(site: Site, row_id: int) -> str:
    with site.db.factory() as session:
        row = session.get(QuarantineRow, row_id)
        assert row is not None
        return row.status


# -- upload and follow -----------------------------------------------------------------------


def test_upload_page_has_the_form_and_every_template(site: Site) -> None:
    page = site.client.get("/ingest")
    assert page.status_code == 200
    assert 'action="/ingest/upload"' in page.text and 'enctype="multipart/form-data"' in page.text
    for code, label in TARGET_LABELS.items():
        assert f'<option value="{code}">{label}</option>' in page.text
        assert f'href="/api/v1/ingest/templates/{code}.xlsx"' in page.text


def test_uploaded_file_is_imported_with_counts_that_add_up(site: Site, batch_id: str) -> None:
    fragment = site.client.get("/ingest/batches")
    assert fragment.status_code == 200
    assert "<html" not in fragment.text, "the htmx fragment is the table alone"
    assert f'href="/ingest/batches/{batch_id}"' in fragment.text and "检查记录.csv" in fragment.text
    assert "完成" in fragment.text and "hx-trigger" not in fragment.text
    row = fragment.text.split(f'href="/ingest/batches/{batch_id}"', 1)[1].split("</tr>")[0]
    cells = [c.split("</td>")[0] for c in row.split('<td class="text-end">')[1:4]]
    accepted, quarantined, duplicates = cells
    assert accepted == "2" and duplicates == "1"
    assert ">4</a>" in quarantined and "待处理 4" in quarantined
    with site.db.factory() as session:
        batch = session.get(IngestBatch, batch_id)
        assert batch is not None
        assert (batch.status, batch.rows_read) == ("done", 7)
        assert batch.rows_read == batch.accepted + batch.quarantined + batch.duplicates


def test_batch_page_lists_each_bad_row_with_its_reason_and_an_edit_form(
    site: Site, batch_id: str
) -> None:
    page = site.client.get(f"/ingest/batches/{batch_id}")
    assert page.status_code == 200
    ids = quarantine_rows(page.text)
    assert sorted(ids) == [5, 6, 7, 8]
    reasons = {
        5: "日期“2026-13-45”无法识别，请使用 YYYY-MM-DD 格式",
        6: "统一社会信用代码无效",
        7: "区划“340103”不在导入人的管辖范围内",
        8: "“检查结果”的取值不在允许范围内",
    }
    for row_no, reason in reasons.items():
        assert reason in row_html(page.text, ids[row_no]), row_no
    for row_id in ids.values():
        assert f'action="/ingest/quarantine/{row_id}/resubmit"' in page.text
        assert f'action="/ingest/quarantine/{row_id}/dismiss"' in page.text
        assert set(form_values(page.text, row_id)) == {f"v:{name}" for name in HEADER}
    assert form_values(page.text, ids[5])["v:检查日期"] == "2026-13-45"


# -- fixing and dismissing -------------------------------------------------------------------


def test_fixed_row_is_accepted_and_its_record_exists(site: Site, batch_id: str) -> None:
    page = site.client.get(f"/ingest/batches/{batch_id}").text
    row_id = quarantine_rows(page)[5]
    values = {**form_values(page, row_id), "v:检查日期": "2026-03-05"}
    response = site.form(f"/ingest/quarantine/{row_id}/resubmit", batch_id=batch_id, **values)
    assert response.status_code == 200, response.text
    assert "已重新提交并接受" in response.text
    assert row_id not in quarantine_rows(response.text).values()
    assert status_of(site, row_id) == "resubmitted"
    with site.db.factory() as session:
        record = session.scalars(select(Record).where(Record.source_key == "R4")).one()
        assert (record.region_code, record.payload["matter"]) == ("340104", "=1+1")


def test_still_bad_correction_is_refused_with_the_new_reason(site: Site, batch_id: str) -> None:
    page = site.client.get(f"/ingest/batches/{batch_id}").text
    row_id = quarantine_rows(page)[6]
    values = {**form_values(page, row_id), "v:统一社会信用代码": UNREGISTERED}
    response = site.form(f"/ingest/quarantine/{row_id}/resubmit", batch_id=batch_id, **values)
    assert response.status_code == 422
    assert "修改后仍有问题" in response.text
    shown = row_html(response.text, row_id)
    assert "经营主体不存在，请先导入主体登记信息" in shown and UNREGISTERED in shown
    assert status_of(site, row_id) == "open"
    with site.db.factory() as session:
        assert session.scalars(select(Record).where(Record.source_key == "R5")).first() is None


def test_dismissed_row_is_closed_with_its_reason(site: Site, batch_id: str) -> None:
    row_id = quarantine_rows(site.client.get(f"/ingest/batches/{batch_id}").text)[7]
    response = site.form(
        f"/ingest/quarantine/{row_id}/dismiss", batch_id=batch_id, reason="庐阳区数据，已转交"
    )
    assert response.status_code == 200
    assert "已标记为不予处理" in response.text
    assert status_of(site, row_id) == "dismissed"
    dismissed = site.client.get(f"/ingest/batches/{batch_id}?status=dismissed").text
    assert list(quarantine_rows(dismissed).values()) == [row_id]


def test_dismiss_without_a_reason_is_refused(site: Site, batch_id: str) -> None:
    row_id = quarantine_rows(site.client.get(f"/ingest/batches/{batch_id}").text)[7]
    response = site.form(f"/ingest/quarantine/{row_id}/dismiss", batch_id=batch_id, reason=" ")
    assert response.status_code == 422
    assert "请说明不予处理的原因" in response.text
    assert status_of(site, row_id) == "open"


# -- export ----------------------------------------------------------------------------------


def test_quarantine_export_has_one_line_per_problem(site: Site, batch_id: str) -> None:
    response = site.client.get(f"/api/v1/ingest/batches/{batch_id}/quarantine.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    header, *lines = list(sheet.iter_rows(values_only=True))
    assert header[:6] == ("行号", "列", "规则", "值", "原因", "状态")
    assert set(header[6:]) == set(HEADER)
    found = {
        (n, column, rule, str(value).removeprefix("'")) for n, column, rule, value, *_ in lines
    }
    assert len(lines) == len(PROBLEMS) and found == PROBLEMS
    assert all(line[4] and line[5] == "open" for line in lines), "a reason, and the row's status"


def test_quarantine_export_writes_formula_like_values_as_text(site: Site, batch_id: str) -> None:
    response = site.client.get(f"/api/v1/ingest/batches/{batch_id}/quarantine.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    formula_like = [c for c in cells if "=1+1" in str(c.value)]
    assert len(formula_like) == 3, "the bad result, its raw value and the raw 监管事项"
    assert all(c.data_type == "s" and c.value == "'=1+1" for c in formula_like)


def test_quarantine_export_is_audited(site: Site, batch_id: str) -> None:
    site.client.get(f"/api/v1/ingest/batches/{batch_id}/quarantine.xlsx")
    with site.db.factory() as session:
        (event,) = session.scalars(select(AuditEvent).where(AuditEvent.kind == "data.exported"))
        assert (event.actor_username, event.outcome) == (site.username, "success")
        assert batch_id in str(event.detail)


# -- refused uploads -------------------------------------------------------------------------

GOOD_CSV = csv_bytes(HEADER, ROWS[:1])
REFUSED = {
    "old excel": ("检查.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 60, "inspection", "另存为 .xlsx"),
    "utf-16 csv": (
        "检查.csv",
        "\ufeff检查编号,检查日期\r\nR1,2026-03-01\r\n".encode("utf-16-le"),
        "inspection",
        "文件编码无法识别",
    ),
    "empty file": ("检查.csv", b"", "inspection", "上传的文件是空的"),
    "unknown target": ("检查.csv", GOOD_CSV, "weather", "没有“weather”的内置映射"),
}


@pytest.mark.parametrize(("name", "content", "target", "message"), REFUSED.values(), ids=REFUSED)
def test_refused_upload_shows_the_reason_and_creates_no_batch(
    site: Site, name: str, content: bytes, target: str, message: str
) -> None:
    response = site.upload_page(name, content, target)
    wait_for_uploads()
    assert response.status_code == 422
    assert message in response.text and 'id="upload-form"' in response.text
    assert site.batch_ids() == []
    assert site.stored_uploads() == [], "a refused file is not kept"


# -- progress --------------------------------------------------------------------------------


def add_batch(site: Site, *, status: str, rows_read: int, rows_total: int) -> None:
    now = clock.utcnow()
    with site.db.factory() as session:
        session.add(
            IngestBatch(
                id=f"test-{status}",
                fingerprint=f"test-{status}",
                target="inspection",
                source="日常监督检查",
                file_name=f"{status}.csv",
                file_sha256="0" * 64,
                file_format="csv",
                mapping_yaml="",
                region_code="340104",
                created_by=site.username,
                status=status,
                rows_total=rows_total,
                rows_read=rows_read,
                accepted=rows_read,
                last_row=rows_read + 1,
                started_at=now,
                updated_at=now,
            )
        )
        session.commit()


def test_running_batch_is_polled_with_its_progress(site: Site) -> None:
    add_batch(site, status="running", rows_read=50, rows_total=200)
    fragment = site.client.get("/ingest/batches").text
    assert 'hx-get="/ingest/batches" hx-trigger="every 2s"' in fragment
    assert 'style="width: 25%"' in fragment and 'aria-valuenow="25"' in fragment
    assert "50 / 200" in fragment
    assert 'hx-trigger="every 2s"' in site.client.get("/ingest").text


def test_nothing_is_polled_when_no_batch_runs(site: Site) -> None:
    add_batch(site, status="done", rows_read=200, rows_total=200)
    fragment = site.client.get("/ingest/batches").text
    assert "done.csv" in fragment
    assert "hx-trigger" not in fragment and "progress-bar" not in fragment
