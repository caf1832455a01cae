"""Reading the files bureaus exchange: CSV, XLSX and JSON, defensively.

* CSV must be UTF-8 (with or without BOM) or GB18030 — the two encodings Chinese offices
  produce. Anything else is refused with the byte offset where decoding failed, never guessed.
* XLSX is opened only after its zip directory passes size and inflate-ratio limits (a zip bomb
  is refused before one byte is inflated), and its XML is parsed with defusedxml.
* JSON is an array of objects or JSON Lines (one object per line).

Every reader gives a :class:`Table`: the header, and rows as ``(row_number, [cell, …])`` where the
row number is what a person sees in a spreadsheet (the header is row 1, the first data row is
row 2) and empty cells are ``None``. Lists rather than dicts keep reading cheap at 50k rows/s.
"""

from __future__ import annotations

import codecs
import csv
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from lookthrough.core.errors import FileRejected

Cells = list[str | None]
CHUNK = 1 << 20
JSON_HEADER_SAMPLE = 1000  # JSON Lines: the header is the keys of the first thousand objects

# Zip-bomb limits for XLSX (see research/reliability.md §1.9): real workbooks inflate 5–20×.
MAX_XLSX_UNCOMPRESSED = 1 << 30  # 1 GiB of XML in all
MAX_XLSX_RATIO = 200
MAX_JSON_ARRAY_BYTES = 256 << 20  # bigger JSON must come as JSON Lines, which is streamed


@dataclass(frozen=True, slots=True)
class Sniffed:
    encoding: str  # "utf-8-sig" or "gb18030"
    label: str


def _decode_fails_at(path: Path, encoding: str) -> int | None:
    """Byte offset of the first undecodable byte, or None when the whole file decodes."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                # error.object starts with the bytes the decoder held back from the last chunk
                return offset - (len(error.object) - len(chunk)) + error.start
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            return offset - len(error.object) + error.start
    return None


def sniff_encoding(path: Path) -> Sniffed:
    """UTF-8 first (a BOM is allowed), then GB18030; otherwise refuse with the offset."""
    utf8_error = _decode_fails_at(path, "utf-8")
    if utf8_error is None:
        return Sniffed("utf-8-sig", "UTF-8")
    gb_error = _decode_fails_at(path, "gb18030")
    if gb_error is None:
        return Sniffed("gb18030", "GB18030")
    raise FileRejected(
        f"文件编码无法识别：既不是 UTF-8（第 {utf8_error} 字节处出错），也不是 GB18030"
        f"（第 {gb_error} 字节处出错）。请在 Excel 中另存为“CSV UTF-8”后重新上传。",
        utf8_offset=utf8_error,
        gb18030_offset=gb_error,
    )


def _clean_header(value: object, index: int) -> str:
    text = "" if value is None else str(value).replace("\ufeff", "").strip()
    return text or f"第{index + 1}列"


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return (
            value.isoformat(sep=" ")
            if value.time() != datetime.min.time()
            else (value.date().isoformat())
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


@dataclass(frozen=True, slots=True)
class Table:
    header: list[str]
    rows: Iterator[tuple[int, Cells]]


def as_dict(header: list[str], cells: Cells) -> dict[str, str | None]:
    """A row as {header: cell}, for quarantine and display."""
    named = {name: cells[i] if i < len(cells) else None for i, name in enumerate(header)}
    for extra in range(len(header), len(cells)):
        named[f"第{extra + 1}列"] = cells[extra]
    return named


def _csv_rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, Cells]]:
    for number, values in enumerate(reader, start=2):
        cells: Cells = [v if v and not v.isspace() else None for v in values]
        if any(cells):
            yield number, cells  # blank lines are not rows


def read_csv(path: Path, encoding: str | None = None) -> Table:
    """A CSV file: UTF-8 or GB18030 found by strict decoding, or the encoding a mapping declares
    for a foreign data set (still decoded strictly: a bad byte refuses the file)."""
    if encoding is None:
        sniffed = sniff_encoding(path)
    else:
        failed_at = _decode_fails_at(path, encoding)
        if failed_at is not None:
            raise FileRejected(
                f"文件不是映射声明的 {encoding} 编码（第 {failed_at} 字节处出错）", offset=failed_at
            )
        sniffed = Sniffed(encoding, encoding)
    handle = path.open(encoding=sniffed.encoding, newline="")
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        handle.close()
        return Table([], iter(()))

    def rows() -> Iterator[tuple[int, Cells]]:
        with handle:
            yield from _csv_rows(reader)

    return Table([_clean_header(h, i) for i, h in enumerate(header)], rows())


def check_xlsx_zip(source: Path | IO[bytes]) -> None:
    """Refuse an XLSX whose zip directory promises too much inflated data."""
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile as error:
        raise FileRejected("不是有效的 Excel（.xlsx）文件") from error
    with archive:
        total = 0
        for info in archive.infolist():
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_XLSX_RATIO and info.file_size > (1 << 20):
                raise FileRejected(
                    f"Excel 文件中的“{info.filename}”压缩比异常（{ratio:.0f} 倍），"
                    "疑似压缩炸弹，已拒绝",
                    member=info.filename,
                )
        if total > MAX_XLSX_UNCOMPRESSED:
            raise FileRejected(
                f"Excel 文件解压后过大（{total / (1 << 20):.0f} MB），已拒绝", declared_bytes=total
            )
        if "xl/workbook.xml" not in archive.namelist():
            raise FileRejected("不是有效的 Excel（.xlsx）文件：缺少工作簿")


def read_xlsx(path: Path, sheet: str | None = None) -> Table:
    check_xlsx_zip(path)
    import openpyxl
    from openpyxl import xml as openpyxl_xml

    if not openpyxl_xml.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise FileRejected("缺少 defusedxml，出于安全原因拒绝读取 Excel 文件")
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    if sheet is not None and sheet not in book.sheetnames:
        book.close()
        raise FileRejected(f"Excel 文件中没有名为“{sheet}”的工作表")
    values = (book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True)
    header = next(values, None)
    if header is None:
        book.close()
        return Table([], iter(()))

    def rows() -> Iterator[tuple[int, Cells]]:
        try:
            for number, raw in enumerate(values, start=2):
                cells = [_cell(v) for v in raw]
                if any(c is not None for c in cells):
                    yield number, cells
        finally:
            book.close()

    return Table([_clean_header(h, i) for i, h in enumerate(header)], rows())


def read_json(path: Path) -> Table:
    """An array of objects, or JSON Lines. Nested values are kept as JSON text."""
    with path.open("rb") as handle:
        head = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"["):
        if path.stat().st_size > MAX_JSON_ARRAY_BYTES:
            raise FileRejected("JSON 数组文件过大，请改用 JSON Lines（每行一个对象）")
        try:
            items = json.loads(path.read_text(encoding="utf-8-sig"))
        except UnicodeDecodeError as error:
            raise FileRejected(
                f"JSON 文件不是 UTF-8 编码（第 {error.start} 字节处出错）", offset=error.start
            ) from error
        except json.JSONDecodeError as error:
            raise FileRejected(
                f"JSON 格式错误：第 {error.lineno} 行第 {error.colno} 列（{error.msg}）",
                line=error.lineno,
            ) from error
        if not isinstance(items, list):
            raise FileRejected("JSON 文件应为对象数组或 JSON Lines")
        objects = [(index, _json_row(item, index)) for index, item in enumerate(items, 1)]
        return _json_table(iter(objects), objects)
    lines = _json_lines(path)
    sample: list[tuple[int, dict[str, str | None]]] = []
    for item in lines:
        sample.append(item)
        if len(sample) >= JSON_HEADER_SAMPLE:
            break
    return _json_table(_chain(sample, lines), sample)


def _chain(
    first: list[tuple[int, dict[str, str | None]]],
    rest: Iterator[tuple[int, dict[str, str | None]]],
) -> Iterator[tuple[int, dict[str, str | None]]]:
    yield from first
    yield from rest


def _json_lines(path: Path) -> Iterator[tuple[int, dict[str, str | None]]]:
    with path.open(encoding="utf-8-sig") as handle:
        for index, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as error:
                raise FileRejected(
                    f"第 {index} 行不是合法的 JSON：{error.msg}", line=index
                ) from error
            yield index, _json_row(item, index)


def _json_table(
    objects: Iterator[tuple[int, dict[str, str | None]]],
    sample: list[tuple[int, dict[str, str | None]]],
) -> Table:
    header: list[str] = []
    for _, item in sample:
        header.extend(k for k in item if k not in header)

    def rows() -> Iterator[tuple[int, Cells]]:
        for index, item in objects:
            yield index, [item.get(name) for name in header]

    return Table(header, rows())


def _json_row(item: Any, index: int) -> dict[str, str | None]:
    if not isinstance(item, dict):
        raise FileRejected(f"第 {index} 条不是 JSON 对象", line=index)
    return {
        str(k): (
            None
            if v is None
            else v
            if isinstance(v, str)
            else json.dumps(v, ensure_ascii=False)
            if isinstance(v, list | dict)
            else str(v)
        )
        for k, v in item.items()
    }


def read_rows(path: Path, *, sheet: str | None = None, encoding: str | None = None) -> Table:
    """The table in a CSV, XLSX or JSON file, chosen by extension (and checked by content)."""
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt"}:
        return read_csv(path, encoding)
    if suffix in {".xlsx", ".xlsm"}:
        return read_xlsx(path, sheet)
    if suffix in {".json", ".jsonl", ".ndjson"}:
        return read_json(path)
    if suffix == ".xls":
        raise FileRejected("不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后上传")
    raise FileRejected(f"不支持的文件类型“{suffix}”，请上传 CSV、XLSX 或 JSON 文件")
