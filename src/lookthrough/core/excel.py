"""Excel exports that are safe to open: cells that look like formulas stay text.

A value starting with ``= + - @`` (or a tab, carriage return or NUL) is written with a leading
apostrophe (OWASP ASVS 1.2.10, CSV/formula injection); xlsxwriter is also told never to turn
strings into formulas.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import xlsxwriter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")


def safe_cell(value: Any) -> Any:
    """The value to write into a spreadsheet cell."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]


def _write_sheet(book: Any, bold: Any, sheet: Sheet, names: set[str]) -> int:
    # Excel refuses sheet names longer than 31 characters, with []:*?/\ or twice in a book.
    name = "".join("_" if c in "[]:*?/\\" else c for c in sheet.name)[:31] or "Sheet"
    base, n = name, 2
    while name in names:
        name, n = f"{base[:28]}({n})", n + 1
    names.add(name)
    out = book.add_worksheet(name)
    for col, header in enumerate(sheet.headers):
        out.write_string(0, col, header, bold)
        out.set_column(col, col, max(10, min(40, len(header) * 2 + 4)))
    count = 0
    for count, row in enumerate(sheet.rows, start=1):
        for col, value in enumerate(row):
            cell = safe_cell(value)
            if cell is None:
                continue
            if isinstance(cell, str):
                out.write_string(count, col, cell)
            else:
                out.write(count, col, cell)
    out.freeze_panes(1, 0)
    if sheet.headers:
        out.autofilter(0, 0, max(count, 1), len(sheet.headers) - 1)
    return count


def workbook_sheets(sheets: Sequence[Sheet]) -> tuple[bytes, list[int]]:
    """Several sheets, each with a bold, frozen header row; returns the file and the number of
    rows of each sheet."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF7"})
    names: set[str] = set()
    counts = [_write_sheet(book, bold, sheet, names) for sheet in sheets]
    book.close()
    return buffer.getvalue(), counts


def workbook_bytes(
    sheet_name: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> tuple[bytes, int]:
    """One sheet with a bold, frozen header row; returns the file and the number of rows."""
    content, counts = workbook_sheets([Sheet(sheet_name, headers, rows)])
    return content, counts[0]


XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
