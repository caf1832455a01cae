"""Excel exports that are safe to open: cells that look like formulas stay text.

A value starting with ``= + - @`` (or a tab, carriage return or NUL) is written with a leading
apostrophe (OWASP ASVS 1.2.10, CSV/formula injection); xlsxwriter is also told never to turn
strings into formulas.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
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


def workbook_bytes(
    sheet_name: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> tuple[bytes, int]:
    """One sheet with a bold, frozen header row; returns the file and the number of rows."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet(sheet_name[:31])
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF7"})
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, bold)
        sheet.set_column(col, col, max(10, min(40, len(header) * 2 + 4)))
    count = 0
    for count, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            cell = safe_cell(value)
            if cell is None:
                continue
            if isinstance(cell, str):
                sheet.write_string(count, col, cell)
            else:
                sheet.write(count, col, cell)
    sheet.freeze_panes(1, 0)
    if headers:
        sheet.autofilter(0, 0, max(count, 1), len(headers) - 1)
    book.close()
    return buffer.getvalue(), count


XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
