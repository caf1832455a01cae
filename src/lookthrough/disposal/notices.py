"""The notices of graded disposal — 提醒函, 警示函, 约谈通知书 — as Word documents."""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

BODIES = {
    "reminder": "经研判，你单位存在以下风险隐患，现予以提醒，"
    "请对照整改并于期限内书面反馈整改情况：",
    "warning": "经研判，你单位存在以下风险隐患，性质较为严重，现予以警示。请立即采取措施消除隐患，"
    "并于期限内书面报告整改结果；逾期未整改的，将依法采取进一步措施：",
    "interview": "经研判，你单位存在以下风险隐患。依据有关规定，请你单位主要负责人于期限内到我局"
    "接受约谈，并携带相关整改材料：",
}


def _font(document: WordDocument, name: str = "Noto Serif CJK SC") -> None:
    style = document.styles["Normal"]
    style.font.name = name
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), name)  # CJK text needs the East Asian slot


def notice_docx(
    *,
    title: str,
    notice_no: str,
    kind: str,
    business: str,
    uscc: str | None,
    reason: str,
    deadline: date,
    issued_on: date,
    authority: str,
) -> bytes:
    """One notice, laid out as bureaus issue them: title, number, addressee, body, deadline,
    authority and date."""
    document = Document()
    _font(document)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title)
    run.bold = True
    run.font.size = Pt(22)
    number = document.add_paragraph(notice_no)
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(f"{business}" + (f"（统一社会信用代码：{uscc}）" if uscc else "") + "：")
    document.add_paragraph(BODIES[kind])
    document.add_paragraph(reason)
    document.add_paragraph(f"整改（反馈）期限：{deadline.isoformat()} 前。")
    document.add_paragraph("如对本文书有异议，可在收到之日起向本机关提出陈述和申辩。")
    for text in (authority, issued_on.isoformat()):
        line = document.add_paragraph(text)
        line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
