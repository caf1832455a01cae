"""The Excel templates offered on the import page: real workbooks, explained, that import back."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from ingest_support import SHUSHAN_1, Database
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from upload_support import Site, open_site, wait_for_uploads

from lookthrough.core.excel import XLSX_MEDIA_TYPE
from lookthrough.ingest import mapping as mappings
from lookthrough.ingest.models import IngestBatch
from lookthrough.ingest.templates import TARGET_LABELS, required_columns

REQUIRED_FILL = "FFFDE2E1"  # the pink of a required header (templates.py)


@pytest.fixture(scope="module")
def site(module_db: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One logged-in official for the read-only template downloads of this module."""
    with open_site(module_db, tmp_path_factory.mktemp("var")) as opened:
        yield opened


def download(site: Site, target: str) -> openpyxl.Workbook:
    response = site.client.get(f"/api/v1/ingest/templates/{target}.xlsx")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX_MEDIA_TYPE
    assert f"template-{target}.xlsx" in response.headers["content-disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_page_offers_a_template_for_every_target(site: Site) -> None:
    page = site.client.get("/ingest").text
    offered = re.findall(r'href="/api/v1/ingest/templates/(\w+)\.xlsx"', page)
    assert sorted(offered) == sorted(TARGET_LABELS)


@pytest.mark.parametrize("target", list(TARGET_LABELS))
def test_template_headers_are_first_spellings_with_required_marked(site: Site, target: str) -> None:
    book = download(site, target)
    assert book.sheetnames == ["数据", "填写说明"]
    mapping = mappings.builtin(target)
    header = list(book.worksheets[0][1])
    assert [c.value for c in header] == [spellings[0] for spellings in mapping.columns.values()]
    marked = {c.value for c in header if c.fill.fgColor.rgb == REQUIRED_FILL}
    required = required_columns(mapping)
    assert marked == {mapping.header_for(name) for name in required}
    assert marked, "every template marks what must be filled"


@pytest.mark.parametrize("target", list(TARGET_LABELS))
def test_template_guide_explains_every_column(site: Site, target: str) -> None:
    book = download(site, target)
    mapping = mappings.builtin(target)
    required = required_columns(mapping)
    guide = list(book["填写说明"].iter_rows(values_only=True))
    assert guide[0] == ("列名", "必填", "说明", "也可使用的列名")
    assert [row[0] for row in guide[1:]] == [s[0] for s in mapping.columns.values()]
    for (header, must, note, others), (name, spellings) in zip(
        guide[1:], mapping.columns.items(), strict=True
    ):
        assert note, f"{target}: {header} has no explanation"
        assert must == ("是" if name in required else None), header
        assert (others or "") == "、".join(spellings[1:])


# -- round trip: download, fill one row, upload through the page -------------------------------

VALID_ROWS = {
    "entity": {
        "统一社会信用代码": SHUSHAN_1,
        "主体名称": "合肥模板餐饮有限公司",
        "所属区划代码": "340104",
        "住所": "黄山路9号",
        "成立日期": "2020-05-01",
        "注册资本（万元）": "50",
    },
    "inspection": {
        "检查编号": "T1",
        "统一社会信用代码": SHUSHAN_1,
        "检查日期": "2026-03-01",
        "检查类型": "日常检查",
        "检查结果": "合格",
        "评分": "95",
        "执法人员": "A01、A02",
    },
    "subject": {
        "对象类别": "电梯",
        "对象编号": "31103401002018000001",
        "对象名称": "1号客梯",
        "所属主体统一社会信用代码": SHUSHAN_1,
    },
    "iot_alarm": {
        "报警编号": "AL1",
        "设备注册代码": "31103401002018000001",
        "对象类别": "电梯",  # the label the guide offers, not the code
        "使用单位统一社会信用代码": SHUSHAN_1,
        "报警时间": "2026-03-01",
        "终端编号": "T-01",
        "报警类型": "困人",
    },
}


def fill(book: openpyxl.Workbook, values: dict[str, str]) -> bytes:
    sheet = book.worksheets[0]
    assert isinstance(sheet, Worksheet)
    columns = {cell.value: int(cell.column or 0) for cell in sheet[1]}
    for header, value in values.items():
        sheet.cell(row=2, column=columns[header], value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload_filled(site: Site, target: str) -> IngestBatch:
    content = fill(download(site, target), VALID_ROWS[target])
    response = site.upload_page(f"{target}.xlsx", content, target)
    assert response.status_code == 303, response.text
    wait_for_uploads()
    with site.db.factory() as session:
        return session.scalars(
            select(IngestBatch).where(IngestBatch.target == target).order_by(IngestBatch.id)
        ).one()


def test_filled_entity_template_imports(fresh_db: Database, tmp_path: Path) -> None:
    with open_site(fresh_db, tmp_path / "var") as site:
        batch = upload_filled(site, "entity")
    assert (batch.status, batch.rows_read, batch.accepted) == ("done", 1, 1), batch.error


def test_filled_inspection_template_imports(fresh_db: Database, tmp_path: Path) -> None:
    with open_site(fresh_db, tmp_path / "var") as site:
        upload_filled(site, "entity")
        batch = upload_filled(site, "inspection")
    assert (batch.status, batch.rows_read, batch.accepted) == ("done", 1, 1), batch.error


def test_filled_subject_and_alarm_templates_import(fresh_db: Database, tmp_path: Path) -> None:
    with open_site(fresh_db, tmp_path / "var") as site:
        upload_filled(site, "entity")
        subject = upload_filled(site, "subject")
        alarm = upload_filled(site, "iot_alarm")
    assert (subject.status, subject.accepted) == ("done", 1), subject.error
    assert (alarm.status, alarm.accepted, alarm.quarantined) == ("done", 1, 0), alarm.error
