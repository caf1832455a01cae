"""The file as Excel (one sheet per part) and PDF (CJK fonts embedded), masked and audited."""

from __future__ import annotations

import io

import openpyxl
import pypdf
from fastapi.testclient import TestClient
from profile_world import COMPLAINANT, ProfileWorld
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import login, make_user
from lookthrough.audit.models import AuditEvent
from lookthrough.core.roles import Role


def _exports(db: Session, username: str) -> list[AuditEvent]:
    return list(
        db.scalars(
            select(AuditEvent).where(
                AuditEvent.kind == "data.exported", AuditEvent.actor_username == username
            )
        )
    )


def pdf_fonts(reader: pypdf.PdfReader) -> dict[str, bool]:
    """Each font's name and whether its program is embedded in the file."""
    found = {}
    for page in reader.pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            if "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            else:
                descriptor = font["/FontDescriptor"]
            descriptor = descriptor.get_object()
            found[str(font["/BaseFont"])] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    return found


def test_excel_has_one_sheet_per_part(db: Session, client: TestClient, world: ProfileWorld) -> None:
    make_user(db, role=Role.CITY_OFFICIAL, region="3401", username="t_city")
    headers = login(client, "t_city")
    response = client.get(f"/api/v1/profiles/{world.id('甲')}/file.xlsx", headers=headers)
    assert response.status_code == 200, response.text
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["登记信息", "许可", "监管对象", "监管信息", "名录情况", "关联关系"]
    facts = {row[0]: row[1] for row in book["登记信息"].iter_rows(min_row=2, values_only=True)}
    assert facts["名称"] == "蜀山区德诚粮油店"
    assert facts["法定代表人"] == "孙**"
    timeline = list(book["监管信息"].iter_rows(min_row=2, values_only=True))
    assert len(timeline) == 7  # 合肥市 sees the 庐阳区 complaint too
    linked = [row for row in timeline if row[8] == "经名称匹配关联"]
    assert len(linked) == 2
    text = str(list(book["关联关系"].iter_rows(values_only=True)))
    assert "合肥蜀山电梯维保有限公司" in text and "周**" in text
    assert COMPLAINANT[0] not in str([list(s.iter_rows(values_only=True)) for s in book])
    (event,) = _exports(db, "t_city")
    assert (event.object_id, event.detail) == (
        f"profile:{world.id('甲')}",
        {"rows": 11 + 1 + 2 + 7 + 2 + 7, "filters": {"format": "xlsx"}},
    )


def test_pdf_embeds_cjk_fonts_and_shows_the_file(
    db: Session, client: TestClient, world: ProfileWorld
) -> None:
    make_user(db, role=Role.COUNTY_OFFICIAL, region="340104", username="t_county")
    headers = login(client, "t_county")
    response = client.get(f"/api/v1/profiles/{world.id('甲')}/file.pdf", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    fonts = pdf_fonts(reader)
    cjk = {name: embedded for name, embedded in fonts.items() if "CJK" in name}
    assert cjk, f"no CJK font in {sorted(fonts)}"
    assert all(cjk.values()), f"not embedded: {cjk}"
    assert all(embedded for embedded in fonts.values()), fonts  # nothing left to the reader
    assert any("Noto-Sans-CJK-SC" in name for name in cjk)
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in ("蜀山区德诚粮油店", "登记信息", "名录情况", "严重违法失信名单", "孙**",
                     "经名称匹配关联", "合肥蜀山电梯维保有限公司"):  # fmt: skip
        assert expected in text, expected
    assert "孙甲方" not in text and COMPLAINANT[0] not in text
    assert "庐阳区直播平台有限公司" not in text  # a neighbour outside 蜀山区
    assert len(_exports(db, "t_county")) == 1


def test_the_business_exports_its_own_file_without_complainants(
    db: Session, client: TestClient, world: ProfileWorld
) -> None:
    make_user(db, role=Role.ENTERPRISE, entity=world.entities["甲"], username="t_own")
    headers = login(client, "t_own")
    pdf = client.get(f"/api/v1/profiles/{world.id('甲')}/file.pdf", headers=headers)
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "德诚粮油卖的油有哈喇味" in text  # the complaint's text, not who made it
    assert COMPLAINANT[0] not in text and "钱**" not in text
    assert "关联关系" not in text  # other businesses are not the enterprise user's to see
    book = client.get(f"/api/v1/profiles/{world.id('甲')}/file.xlsx", headers=headers)
    names = openpyxl.load_workbook(io.BytesIO(book.content), read_only=True).sheetnames
    assert "关联关系" not in names
    other = client.get(f"/api/v1/profiles/{world.id('邻')}/file.pdf", headers=headers)
    assert other.status_code == 404
    assert len(_exports(db, "t_own")) == 2
