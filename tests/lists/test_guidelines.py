"""Guidelines written from the chain, edited, published without personal data, and exported to
Word and to PDF with the Noto CJK fonts embedded."""

from __future__ import annotations

import io
import re
import zlib
from datetime import date, timedelta

import pytest
from chain_world import DIRTY, build, official
from docx import Document as Word
from fontTools.ttLib import TTFont
from sqlalchemy.orm import Session

from lookthrough.core.errors import Conflict, NotFound, ValidationFailed
from lookthrough.lists import causes, documents, guidelines, rectifications
from lookthrough.lists.causes import CauseIn
from lookthrough.lists.guidelines import GuidelineIn
from lookthrough.lists.rectifications import TaskIn


def _chain_with_cause_and_task(db: Session) -> object:
    chain = build(db)
    causes.record_cause(
        db, actor=chain.actor, problem_id=chain.problem.id,
        data=CauseIn(category="责任落实", description="后厨清洁责任未落实到岗",
                     factor=f"supplier:entity:{chain.supplier.id}"),
    )  # fmt: skip
    rectifications.open_task(
        db, actor=chain.actor, problem_id=chain.problem.id,
        data=TaskIn(title="后厨专项整改", scope="class", measures="清理后厨并建立台账",
                    policy="同类饭店统一执行日清周查", responsible="蜀山区局食品科",
                    deadline=date.today() + timedelta(days=30)),
        today=date.today(),
    )  # fmt: skip
    return chain


def test_both_guidelines_are_written_from_the_chain_and_name_no_business(db: Session) -> None:
    chain = _chain_with_cause_and_task(db)
    actor = chain.actor  # type: ignore[attr-defined]
    matter_id = chain.matter.id  # type: ignore[attr-defined]
    for_officials = guidelines.generate(db, actor=actor, matter_id=matter_id, audience="official")
    text = "\n".join(s["heading"] + s["body"] for s in for_officials.sections)
    assert for_officials.title == "餐饮服务食品安全穿透式监管工作指引"
    for expected in (DIRTY, "地面积水油污", "【责任落实】", "上游供货商", "日清周查", "无事不扰"):
        assert expected in text, expected
    for_business = guidelines.generate(db, actor=actor, matter_id=matter_id, audience="business")
    text = "\n".join(s["heading"] + s["body"] for s in for_business.sections)
    assert "明确主要负责人" in text and "同类饭店统一执行日清周查" in text and "自查" in text
    for shop in (*chain.dirty, chain.supplier):  # type: ignore[attr-defined]
        assert shop.name not in text
    assert guidelines.status_of(for_business) == "draft"


def test_edit_publish_and_the_public_copy(db: Session) -> None:
    chain = _chain_with_cause_and_task(db)
    actor = chain.actor  # type: ignore[attr-defined]
    g = guidelines.generate(db, actor=actor, matter_id=chain.matter.id,  # type: ignore[attr-defined]
                            audience="business")  # fmt: skip
    with pytest.raises(NotFound):
        guidelines.public_get(db, guideline_id=g.id)
    leaky = GuidelineIn(title=g.title, sections=[*g.sections, {"heading": "联系人",
                        "body": "如有疑问请联系 13912345678"}])  # fmt: skip
    guidelines.update(db, actor=actor, guideline_id=g.id, data=leaky)
    with pytest.raises(ValidationFailed, match="手机号码"):
        guidelines.publish(db, actor=actor, guideline_id=g.id)
    named = GuidelineIn(title=g.title, sections=[*g.sections[:-1], {"heading": "联系人",
                        "body": "请联系张三丰"}])  # fmt: skip
    guidelines.update(db, actor=actor, guideline_id=g.id, data=named)  # a targeted legal rep
    with pytest.raises(ValidationFailed, match="个人姓名"):
        guidelines.publish(db, actor=actor, guideline_id=g.id)
    clean = GuidelineIn(title=g.title, sections=g.sections[:-1])
    edited = guidelines.update(db, actor=actor, guideline_id=g.id, data=clean)
    assert edited.version == 4
    with pytest.raises(Conflict):
        guidelines.update(db, actor=actor, guideline_id=g.id, data=clean)
    guidelines.publish(db, actor=actor, guideline_id=g.id)
    shown = guidelines.public_get(db, guideline_id=g.id)
    assert (shown.title, shown.region_name, shown.audience) == (g.title, "蜀山区", "合规指引")
    assert guidelines.public_list(db)[1] == 1 and guidelines.public_list(db, region="3402")[1] == 0

    draft = GuidelineIn(title=g.title + "（修订稿）", sections=g.sections)
    guidelines.update(db, actor=actor, guideline_id=g.id, data=draft)
    assert guidelines.status_of(g) == "changed"
    assert guidelines.public_get(db, guideline_id=g.id).title == g.published_title != g.title
    with pytest.raises(NotFound):
        guidelines.get(db, actor=official("340103"), guideline_id=g.id)
    guidelines.withdraw(db, actor=actor, guideline_id=g.id)
    with pytest.raises(NotFound):
        guidelines.public_get(db, guideline_id=g.id)


def _streams(pdf: bytes) -> list[bytes]:
    found = []
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            found.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    return found


SECTIONS = [
    {"heading": "适用范围", "body": "本指引适用于在用电梯。\n第二段。"},
    {"heading": "工作纪律", "body": "无事不扰。"},
]
DOC = documents.Document(title="电梯安全穿透式监管工作指引", issuer="蜀山区",
                         dated="2026-03-01", version=2, sections=SECTIONS)  # fmt: skip


def test_the_pdf_embeds_the_noto_cjk_fonts() -> None:
    pdf = documents.to_pdf(DOC)
    assert pdf.startswith(b"%PDF-")
    # Read the embedded font programs themselves (not just their names) with fontTools.
    faces = set()
    for data in _streams(pdf):
        if data[:4] in (b"OTTO", b"\x00\x01\x00\x00", b"true"):
            font = TTFont(io.BytesIO(data))
            faces.add(font["name"].getDebugName(1))
    assert any(face and face.startswith("Noto") and "CJK" in face for face in faces), faces
    assert any("Noto" in name for name in documents.embedded_fonts(pdf))


def test_the_word_file_has_the_title_sections_and_paragraphs() -> None:
    word = Word(io.BytesIO(documents.to_docx(DOC)))
    texts = [p.text for p in word.paragraphs]
    assert texts[0] == DOC.title
    assert "一、适用范围" in texts and "二、工作纪律" in texts
    assert "本指引适用于在用电梯。" in texts and "第二段。" in texts
    title_font = word.paragraphs[0].runs[0]._element.rPr.rFonts
    assert "小标宋" in str(
        title_font.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
    )


def test_embedded_fonts_reads_a_stream_whose_last_byte_is_a_carriage_return() -> None:
    """Compressed bytes can end in "\\r": it belongs to the stream, not to the line break before
    ``endstream`` (read as a line break, the fonts of about one PDF in 256 went unseen)."""
    # The checksum's last byte moves by 33 per "!" (odd): one of 256 paddings ends in "\r".
    font = b"<< /Type /Font /BaseFont /Noto-Sans-CJK-SC >> %"
    body = next(b for k in range(256) if (b := zlib.compress(font + b"!" * k)).endswith(b"\r"))
    pdf = b"%PDF-1.7\n1 0 obj\n<< /Length 9 >>\nstream\n" + body + b"\nendstream\nendobj\n"
    assert documents.embedded_fonts(pdf) == ["Noto-Sans-CJK-SC"]
    crlf = pdf.replace(b"\nendstream", b"\r\nendstream")  # a writer that ends lines in CRLF
    assert documents.embedded_fonts(crlf) == ["Noto-Sans-CJK-SC"]
