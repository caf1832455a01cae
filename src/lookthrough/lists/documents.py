"""A guideline as a Word or PDF file.

Word follows the layout of official documents (GB/T 9704-2012 党政机关公文格式: title in 小标宋
二号 = 22 pt, headings in 黑体 三号, body in 仿宋 三号 = 16 pt); Word does not embed fonts, the
reader's own are used. PDF is rendered by WeasyPrint with the Noto CJK fonts installed on the
server (Debian ``fonts-noto-cjk``), embedded as subsets, so it reads the same everywhere; a PDF
that would come out without them is refused rather than sent with missing glyphs.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from lookthrough.core.errors import ExportUnavailable

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MEDIA_TYPE = "application/pdf"
CJK_FONT = "Noto Sans CJK SC"
CJK_SERIF = "Noto Serif CJK SC"
# A stream's bytes run to the newline before ``endstream``; a "\r" just before it may be the
# stream's own last byte (compressed data is any bytes), so it stays in and zlib, which stops at
# the end of its data, ignores it if it is not. Stripping it lost the last byte of the fonts'
# object stream in about one PDF in 256 (the guideline test failed when the date changed).
_STREAM = re.compile(rb"stream\r?\n(.*?)\nendstream", re.S)
_BASE_FONT = re.compile(rb"/BaseFont\s*/([^\s/<>\[\]()]+)")


@dataclass(frozen=True, slots=True)
class Document:
    title: str
    sections: Sequence[dict[str, str]]
    issuer: str  # the region that wrote it
    dated: str  # YYYY-MM-DD
    version: int


def _paragraphs(body: str) -> list[str]:
    return [line.strip() for line in body.splitlines() if line.strip()]


def to_docx(doc: Document) -> bytes:
    from docx import Document as Word
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    word = Word()

    def font(run: object, name: str, size: float, bold: bool = False) -> None:
        run.font.name = name  # type: ignore[attr-defined]
        run.font.size = Pt(size)  # type: ignore[attr-defined]
        run.font.bold = bold  # type: ignore[attr-defined]
        run._element.rPr.rFonts.set(qn("w:eastAsia"), name)  # type: ignore[attr-defined]

    title = word.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(title.add_run(doc.title), "方正小标宋简体", 22)
    meta = word.add_paragraph()
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(meta.add_run(f"{doc.issuer} · {doc.dated} · 第 {doc.version} 版"), "仿宋", 12)
    marks = "一二三四五六七八九十"
    for n, section in enumerate(doc.sections):
        mark = marks[n] if n < len(marks) else str(n + 1)
        font(word.add_paragraph().add_run(f"{mark}、{section['heading']}"), "黑体", 16)
        for text in _paragraphs(section.get("body", "")):
            para = word.add_paragraph()
            para.paragraph_format.first_line_indent = Pt(32)
            font(para.add_run(text), "仿宋", 16)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def embedded_fonts(pdf: bytes) -> list[str]:
    """The base names of the fonts a PDF embeds (object streams are inflated to read them)."""
    names: list[str] = []
    for match in _STREAM.finditer(pdf):
        try:
            text = zlib.decompressobj().decompress(match.group(1))
        except zlib.error:
            continue
        if b"/FontFile" in text or b"/BaseFont" in text:
            names += [n.decode("latin-1") for n in _BASE_FONT.findall(text)]
    return sorted(set(names))


def _html(doc: Document) -> str:
    from markupsafe import escape

    marks = "一二三四五六七八九十"
    meta = f"{escape(doc.issuer)} · {escape(doc.dated)} · 第 {doc.version} 版"
    parts = [f"<h1>{escape(doc.title)}</h1>", f"<p class='meta'>{meta}</p>"]
    for n, section in enumerate(doc.sections):
        mark = marks[n] if n < len(marks) else str(n + 1)
        parts.append(f"<h2>{mark}、{escape(section['heading'])}</h2>")
        parts += [f"<p>{escape(t)}</p>" for t in _paragraphs(section.get("body", ""))]
    return "<!doctype html><html lang='zh-CN'><meta charset='utf-8'><body>" + "".join(parts)


STYLE = f"""
@page {{ size: A4; margin: 37mm 26mm 35mm 28mm;
        @bottom-center {{ content: "— " counter(page) " —"; font-family: "{CJK_FONT}"; }} }}
body {{ font-family: "{CJK_SERIF}", "{CJK_FONT}"; font-size: 16pt; line-height: 1.75; }}
h1 {{ font-family: "{CJK_FONT}"; font-size: 22pt; text-align: center; margin: 0 0 6mm; }}
h2 {{ font-family: "{CJK_FONT}"; font-size: 16pt; margin: 6mm 0 2mm; }}
p {{ text-indent: 2em; margin: 0; }}
p.meta {{ text-align: center; text-indent: 0; font-size: 12pt; color: #555; margin-bottom: 8mm; }}
"""


def to_pdf(doc: Document) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    pdf: bytes = HTML(string=_html(doc)).write_pdf(
        stylesheets=[CSS(string=STYLE, font_config=fonts)], font_config=fonts
    )
    if not any("Noto" in name and "CJK" in name for name in embedded_fonts(pdf)):
        raise ExportUnavailable("服务器未安装 Noto CJK 中文字体（fonts-noto-cjk），无法生成 PDF")
    return pdf
