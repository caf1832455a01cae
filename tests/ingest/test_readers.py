"""Reading CSV, XLSX and JSON defensively: encodings, header cleaning, zip bombs, bad JSON."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from lookthrough.core.errors import FileRejected
from lookthrough.ingest import readers
from lookthrough.ingest.readers import as_dict, read_rows

HEADER = "统一社会信用代码,主体名称,住所\n"
ROW = "91340104MA2N123447,合肥测试餐饮有限公司,蜀山区黄山路1号\n"


def rows_of(path: Path, **options: str) -> list[tuple[int, list[str | None]]]:
    return list(read_rows(path, **options).rows)


# -- CSV encodings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "label"),
    [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 with BOM"), ("gb18030", "GB18030")],
)
def test_csv_encodings_bureaus_produce_are_read(tmp_path: Path, encoding: str, label: str) -> None:
    path = tmp_path / "主体.csv"
    path.write_bytes((HEADER + ROW).encode(encoding))
    table = read_rows(path)
    assert table.header == ["统一社会信用代码", "主体名称", "住所"], label
    assert list(table.rows) == [
        (2, ["91340104MA2N123447", "合肥测试餐饮有限公司", "蜀山区黄山路1号"])
    ]


def test_gb18030_is_chosen_only_when_utf8_fails(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes((HEADER + ROW).encode("gb18030"))
    assert readers.sniff_encoding(path).label == "GB18030"
    path.write_bytes((HEADER + ROW).encode("utf-8"))
    assert readers.sniff_encoding(path).label == "UTF-8"


def test_latin1_file_is_refused_with_the_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    head = b"name,city\n"
    path.write_bytes(head + "Café,Paris\n".encode("latin-1"))  # é = 0xE9, then ","
    with pytest.raises(FileRejected) as refused:
        read_rows(path)
    offset = len(head) + len(b"Caf")
    assert refused.value.context == {"utf8_offset": offset, "gb18030_offset": offset}
    assert f"第 {offset} 字节" in refused.value.message


def test_offset_counts_bytes_of_earlier_read_chunks(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    head = b"a,b\n" + b"x,y\n" * (readers.CHUNK // 2)  # bad byte well past the first chunk
    path.write_bytes(head + b"\xe9,\n")
    with pytest.raises(FileRejected) as refused:
        read_rows(path)
    assert refused.value.context["utf8_offset"] == len(head)


def test_character_split_across_read_chunks_is_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "split.csv"
    filler = b"a\n" + b"x" * (readers.CHUNK - 4) + b"\n"
    path.write_bytes(filler + "合\n".encode())  # "合" is 3 bytes; its first ends chunk 1
    assert path.read_bytes()[readers.CHUNK - 1 : readers.CHUNK + 2] == "合".encode()
    assert readers.sniff_encoding(path).label == "UTF-8"


def test_bad_sequence_split_across_read_chunks_is_found_where_it_starts(tmp_path: Path) -> None:
    path = tmp_path / "split.csv"
    filler = b"a\n" + b"x" * (readers.CHUNK - 4) + b"\n"
    path.write_bytes(filler + b"\xe9,\n")  # a lead byte ending chunk 1, then no trail byte
    with pytest.raises(FileRejected) as refused:
        read_rows(path)
    expected = readers.CHUNK - 1
    assert refused.value.context == {"utf8_offset": expected, "gb18030_offset": expected}


def test_file_ending_inside_a_character_is_refused_where_it_starts(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_bytes(b"a\n\xe9")  # a lead byte in both encodings, and then the end
    with pytest.raises(FileRejected) as refused:
        read_rows(path)
    assert refused.value.context == {"utf8_offset": 2, "gb18030_offset": 2}


def test_mapping_declared_encoding_is_used(tmp_path: Path) -> None:
    path = tmp_path / "sf.csv"
    path.write_bytes("name,city\nCafé Ñandú,San José\n".encode("cp1252"))
    assert rows_of(path, encoding="cp1252") == [(2, ["Café Ñandú", "San José"])]


def test_mapping_declared_encoding_is_still_strict(tmp_path: Path) -> None:
    path = tmp_path / "sf.csv"
    path.write_bytes(b"name\nab\x81\n")  # 0x81 is undefined in cp1252
    with pytest.raises(FileRejected) as refused:
        read_rows(path, encoding="cp1252")
    assert refused.value.context == {"offset": 7}
    assert "cp1252" in refused.value.message


# -- CSV shape ---------------------------------------------------------------------------------


def test_blank_lines_are_skipped_and_rows_keep_spreadsheet_numbers(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("a,b\n1,2\n\n , \n,,\n3,4\n", encoding="utf-8")
    assert rows_of(path) == [(2, ["1", "2"]), (6, ["3", "4"])]


def test_empty_and_whitespace_cells_are_none(tmp_path: Path) -> None:
    path = tmp_path / "cells.csv"
    path.write_text("a,b,c\n1,, \n", encoding="utf-8")
    assert rows_of(path) == [(2, ["1", None, None])]


def test_header_is_cleaned(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("\ufeff 统一社会信用代码 ,,\t主体名称\n1,2,3\n", encoding="utf-8")
    assert read_rows(path).header == ["统一社会信用代码", "第2列", "主体名称"]


def test_bom_is_not_part_of_the_first_header(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "编号\n1\n".encode())
    assert read_rows(path).header == ["编号"]


def test_empty_file_has_no_header_and_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    table = read_rows(path)
    assert (table.header, list(table.rows)) == ([], [])


def test_cells_beyond_the_header_are_named_by_column() -> None:
    assert as_dict(["a"], ["1", "2"]) == {"a": "1", "第2列": "2"}


def test_quoted_multiline_cell_is_one_row(tmp_path: Path) -> None:
    path = tmp_path / "multi.csv"
    path.write_text('a,b\n"line 1\nline 2",x\ny,z\n', encoding="utf-8")
    assert rows_of(path) == [(2, ["line 1\nline 2", "x"]), (3, ["y", "z"])]


# -- XLSX --------------------------------------------------------------------------------------


def write_xlsx(path: Path, rows: list[list[object]], title: str = "Sheet") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text typed by a person, not a formula
    book.save(path)
    return path


def test_xlsx_is_read_with_dates_numbers_and_blank_rows(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "检查.xlsx",
        [
            [" 检查编号 ", "检查日期", "评分", "检查时间", None],
            ["R1", date(2026, 3, 1), 95.0, datetime(2026, 3, 1, 9, 30), "=1+1"],
            [None, None, None, None, None],
            ["R2", datetime(2026, 3, 2), 87.5, None, "x"],
        ],
    )
    table = read_rows(path)
    assert table.header == ["检查编号", "检查日期", "评分", "检查时间", "第5列"]
    assert list(table.rows) == [
        (2, ["R1", "2026-03-01", "95", "2026-03-01 09:30:00", "=1+1"]),
        (4, ["R2", "2026-03-02", "87.5", None, "x"]),
    ]


def test_xlsx_sheet_is_chosen_by_name(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", [["a"], ["1"]], title="检查记录")
    assert rows_of(path, sheet="检查记录") == [(2, ["1"])]
    with pytest.raises(FileRejected, match="没有名为“其他”的工作表"):
        read_rows(path, sheet="其他")


def test_file_named_xlsx_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(FileRejected, match=r"不是有效的 Excel（\.xlsx）文件"):
        read_rows(path)


def test_zip_without_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    with pytest.raises(FileRejected, match="缺少工作簿"):
        read_rows(path)


@pytest.mark.parametrize(
    ("name", "message"),
    [("old.xls", "不支持旧版 .xls 格式"), ("data.pdf", "不支持的文件类型“.pdf”")],
)
def test_other_formats_are_refused(tmp_path: Path, name: str, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"\xd0\xcf\x11\xe0")  # an OLE2 (.xls) signature
    with pytest.raises(FileRejected, match=message):
        read_rows(path)


# -- zip bombs ---------------------------------------------------------------------------------

BOMB_BLOCK = 1 << 24
BOMB_BYTES = 2 << 30  # 2 GiB of shared-strings XML once inflated


def write_zip(path: Path, members: list[tuple[str, int, int, Iterator[bytes]]]) -> None:
    """A zip from members already deflated: (name, inflated size, CRC-32, raw deflate parts).

    ``zipfile`` would deflate 2 GiB itself (seconds); a bomb is written from one compressed
    block repeated, as real bombs are, in well under a second."""
    central = b""
    with path.open("wb") as out:
        for name, size, crc, parts in members:
            offset, encoded = out.tell(), name.encode()
            out.write(b"\0" * (30 + len(encoded)))  # local header, filled in below
            compressed = sum(out.write(part) for part in parts)
            end = out.tell()
            fields = (20, 0, 8, 0, 0x21, crc, compressed, size, len(encoded))
            out.seek(offset)
            out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + encoded)
            out.seek(end)
            central += struct.pack(
                "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, 0, offset
            )
            central += encoded
        start = out.tell()
        out.write(central)
        count = len(members)
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), start, 0))


def deflated(data: bytes) -> tuple[str, int, int, Iterator[bytes]]:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return (
        "xl/workbook.xml",
        len(data),
        zlib.crc32(data),
        iter([packer.compress(data) + packer.flush()]),
    )


def write_bomb(path: Path) -> Path:
    unit = b"<si><t>" + b"A" * 36 + b"</t></si>"
    block = unit * (BOMB_BLOCK // len(unit))
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    # After a full flush the compressor forgets its history, so the same bytes repeat.
    piece = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    final = packer.flush()
    repeats = BOMB_BYTES // len(block)
    crc = 0
    for _ in range(repeats):
        crc = zlib.crc32(block, crc)
    workbook = deflated(b"<workbook/>")
    strings = ("xl/sharedStrings.xml", repeats * len(block), crc, iter([piece] * repeats + [final]))
    write_zip(path, [workbook, strings])
    return path


def test_bomb_helper_builds_a_readable_zip(tmp_path: Path) -> None:
    path = write_bomb(tmp_path / "bomb.xlsx")
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/sharedStrings.xml")
        assert info.file_size > 2_000_000_000 and path.stat().st_size < 20_000_000
        with archive.open(info) as member:
            assert member.read(16) == b"<si><t>AAAAAAAAA"
        assert archive.read("xl/workbook.xml") == b"<workbook/>"


def test_zip_bomb_is_refused_before_a_member_is_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_bomb(tmp_path / "bomb.xlsx")

    def no_inflating(*args: object, **kwargs: object) -> None:
        raise AssertionError("a member of the bomb was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_inflating)
    with pytest.raises(FileRejected, match="疑似压缩炸弹") as refused:
        read_rows(path)
    assert refused.value.context == {"member": "xl/sharedStrings.xml"}


def test_zip_declaring_too_much_in_all_is_refused(tmp_path: Path) -> None:
    # Each member inflates only 100× (a plausible ratio) but they declare 1.5 GiB together;
    # the check reads declarations only, so the members' bytes need not match them.
    path = tmp_path / "big.xlsx"
    filler = b"\0" * (3 << 20)
    members = [deflated(b"<workbook/>")] + [
        (f"xl/worksheets/sheet{i}.xml", 300 << 20, 0, iter([filler])) for i in range(5)
    ]
    write_zip(path, members)
    with pytest.raises(FileRejected, match="解压后过大") as refused:
        read_rows(path)
    assert refused.value.context["declared_bytes"] > readers.MAX_XLSX_UNCOMPRESSED


PEAK_PROBE = """
import json, resource, sys, time
from pathlib import Path
from lookthrough.core.errors import FileRejected
from lookthrough.ingest.readers import read_rows

start = time.monotonic()
try:
    for _ in read_rows(Path(sys.argv[1])).rows:
        pass
    outcome = "read"
except FileRejected as error:
    outcome = error.message
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"outcome": outcome, "peak_kb": peak_kb, "seconds": time.monotonic() - start}))
"""


def test_zip_bomb_peak_memory_stays_under_256_mb(tmp_path: Path) -> None:
    path = write_bomb(tmp_path / "bomb.xlsx")
    done = subprocess.run(
        [sys.executable, "-c", PEAK_PROBE, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    probe = json.loads(done.stdout)
    assert "疑似压缩炸弹" in probe["outcome"]
    assert probe["peak_kb"] < 256 * 1024, f"peak RSS {probe['peak_kb'] // 1024} MB"
    assert probe["seconds"] < 5


# -- JSON --------------------------------------------------------------------------------------


def test_json_array_of_objects(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    items = [
        {"编号": "R1", "评分": 95, "执法人员": ["A01", "A02"], "备注": None},
        {"编号": "R2", "合格": True, "明细": {"k": "值"}},
    ]
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    table = read_rows(path)
    assert table.header == ["编号", "评分", "执法人员", "备注", "合格", "明细"]
    assert list(table.rows) == [
        (1, ["R1", "95", '["A01", "A02"]', None, None, None]),
        (2, ["R2", None, None, None, "True", '{"k": "值"}']),
    ]


def test_json_lines_skip_blank_lines_and_keep_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"a": "1"}\n\n{"a": "2", "b": 3}\n', encoding="utf-8")
    table = read_rows(path)
    assert table.header == ["a", "b"]
    assert list(table.rows) == [(1, ["1", None]), (3, ["2", "3"])]


def test_json_array_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b'\xef\xbb\xbf[{"a": "1"}]')
    assert rows_of(path) == [(1, ["1"])]


def test_malformed_json_array_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('[\n{"a": "1"},\n{"a": "2"\n{"a": "3"}\n]\n', encoding="utf-8")
    with pytest.raises(FileRejected, match="JSON 格式错误") as refused:
        read_rows(path)
    assert "line 4" in refused.value.message


def test_malformed_json_line_is_refused_with_its_line_number(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"a": "1"}\n{"a": "2"}\n{"a": \n', encoding="utf-8")
    with pytest.raises(FileRejected, match="第 3 行不是合法的 JSON") as refused:
        read_rows(path)
    assert refused.value.context == {"line": 3}


def test_malformed_json_line_after_the_header_sample_is_refused_while_reading(
    tmp_path: Path,
) -> None:
    lines = ['{"a": "1"}'] * (readers.JSON_HEADER_SAMPLE + 5) + ["not json"]
    path = tmp_path / "late.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_rows(path)
    with pytest.raises(FileRejected) as refused:
        list(table.rows)
    assert refused.value.context == {"line": len(lines)}


@pytest.mark.parametrize(("text", "suffix"), [("[1, 2]", ".json"), ('"text"\n', ".jsonl")])
def test_json_items_that_are_not_objects_are_refused(
    tmp_path: Path, text: str, suffix: str
) -> None:
    path = tmp_path / f"items{suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FileRejected, match="第 1 条不是 JSON 对象"):
        read_rows(path)
