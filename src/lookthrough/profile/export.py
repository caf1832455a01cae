"""The file as an Excel workbook (one sheet per part) and as a PDF with embedded CJK fonts.

Both are built from the same views the page shows — personal data masked, complainants hidden
from the business itself, officials-only sections left out for it — and both are audited.

The PDF is rendered by WeasyPrint with the Noto CJK fonts that Debian's ``fonts-noto-cjk``
installs, found through fontconfig; WeasyPrint subsets and embeds them, so the file reads the same
on any machine. Nothing is fetched while rendering: only ``data:`` URLs are allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from lookthrough.audit import service as audit
from lookthrough.audit.events import DataExported
from lookthrough.core import clock
from lookthrough.core.actor import Actor
from lookthrough.core.excel import Sheet, workbook_sheets
from lookthrough.profile import graph as graph_service
from lookthrough.profile import service, timeline
from lookthrough.profile.rules import Audience

EXPORT_LIMIT = 50_000  # timeline rows in a workbook
PDF_TIMELINE_LIMIT = 300  # … and in a PDF (the workbook has them all)
PDF_MEDIA_TYPE = "application/pdf"
TIMELINE_HEADERS = (
    "发生时间", "类别", "标题", "摘要", "区划代码", "来源", "导入批次", "源文件行号",
    "关联方式", "匹配分数", "记录编号",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Assembled:
    file: service.ProfileFile
    rows: Sequence[timeline.TimelineRow]
    total: int
    graph: graph_service.Graph | None

    def registration_rows(self) -> list[tuple[str, str]]:
        r = self.file.registration
        return [
            ("统一社会信用代码", r.uscc or ""),
            ("名称", r.name),
            ("主体类型", r.entity_type or ""),
            ("登记状态", r.status),
            ("所属区划", " ".join(r.region_names) or r.region_code),
            ("住所", r.address or ""),
            ("法定代表人", r.legal_rep or ""),
            ("注册资本（万元）", "" if r.capital_wan is None else f"{r.capital_wan:,}"),
            ("行业代码", r.industry_code or ""),
            ("成立日期", r.registered_on.isoformat() if r.registered_on else ""),
            ("数据来源", r.source + (f"（第 {r.source_row} 行）" if r.source_row else "")),
        ]

    def timeline_rows(self) -> list[tuple[Any, ...]]:
        return [
            (
                row.occurred_at.astimezone(timeline.CHINA).strftime("%Y-%m-%d"),
                row.kind_label,
                row.title,
                row.summary,
                row.region_code,
                row.source,
                row.batch_file or "",
                row.source_row,
                row.link_label or "登记关联",
                row.link_score,
                row.id,
            )
            for row in self.rows
        ]

    def graph_rows(self) -> list[tuple[Any, ...]]:
        if self.graph is None:
            return []
        names = {n.id: n.name for n in self.graph.nodes}
        centre = self.graph.centre
        return [
            (
                e.label,
                "本主体 → 对方" if e.source == centre else "对方 → 本主体",
                names.get(e.target if e.source == centre else e.source, ""),
                e.weight,
                "据登记信息推断" if e.derived else "关联关系数据",
            )
            for e in self.graph.edges
        ]


def assemble(session: Session, *, actor: Actor, entity_id: int, limit: int) -> Assembled:
    file = service.open_file(session, actor=actor, entity_id=entity_id)
    rows, total = service.timeline_page(
        session, actor=actor, entity_id=entity_id, filters=timeline.Filters(), limit=limit, offset=0
    )
    graph = None
    if file.audience is Audience.OFFICIAL:
        graph = graph_service.entity_graph(session, actor=actor, entity_id=entity_id)
    return Assembled(file, rows, total, graph)


def _audit(session: Session, actor: Actor, entity_id: int, rows: int, fmt: str) -> None:
    audit.record(
        session,
        actor=actor,
        event=DataExported(object_id=f"profile:{entity_id}", rows=rows, filters={"format": fmt}),
    )


def excel(session: Session, *, actor: Actor, entity_id: int) -> tuple[bytes, str]:
    """The file as a workbook: registration, licences, subjects, timeline, each section and the
    relations, one sheet each (a part with nothing in it has no sheet)."""
    made = assemble(session, actor=actor, entity_id=entity_id, limit=EXPORT_LIMIT)
    f = made.file
    sheets = [Sheet("登记信息", ("项目", "内容"), made.registration_rows())]
    if f.licences:
        sheets.append(
            Sheet(
                "许可",
                ("许可类别", "许可证编号", "有效期起", "有效期至", "状态", "许可范围"),
                [
                    (x.licence_type, x.licence_no, x.valid_from, x.valid_to, x.status, x.scope)
                    for x in f.licences
                ],
            )
        )
    if f.subjects:
        sheets.append(
            Sheet(
                "监管对象",
                ("类别", "编号", "名称", "维保单位/入驻平台"),
                [(s.kind_label, s.identifier, s.name, s.counterpart) for s in f.subjects],
            )
        )
    sheets.append(Sheet("监管信息", TIMELINE_HEADERS, made.timeline_rows()))
    for s in f.sections:
        if s.facts:  # the level, probability … of the risk part: a sheet of their own
            sheets.append(Sheet(f"{s.title}概况" if s.columns else s.title, ("项目", "内容"),
                                list(s.facts)))  # fmt: skip
        if s.columns:
            sheets.append(Sheet(s.title, s.columns, s.rows))
    if made.graph is not None and made.graph.edges:
        sheets.append(
            Sheet("关联关系", ("关系", "方向", "对方", "数量", "依据"), made.graph_rows())
        )
    content, counts = workbook_sheets(sheets)
    _audit(session, actor, entity_id, sum(counts), "xlsx")
    return content, f.registration.name


def pdf(session: Session, *, actor: Actor, entity_id: int) -> tuple[bytes, str]:
    """The file as a PDF (A4, CJK fonts embedded); the timeline's newest rows only."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    from lookthrough.web.templating import templates

    made = assemble(session, actor=actor, entity_id=entity_id, limit=PDF_TIMELINE_LIMIT)
    html = templates.env.get_template("profile/file_pdf.html").render(
        made=made,
        file=made.file,
        printed_at=clock.utcnow().astimezone(timeline.CHINA).strftime("%Y-%m-%d %H:%M"),
        printed_by=actor.username,
        limit=PDF_TIMELINE_LIMIT,
    )
    content = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf()
    assert content is not None  # write_pdf without a target returns the bytes
    _audit(session, actor, entity_id, len(made.rows), "pdf")
    return content, made.file.registration.name
