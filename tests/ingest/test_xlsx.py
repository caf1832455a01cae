"""Reading XLSX defensively: values as a person sees them, and zip bombs refused unopened."""

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
from lookthrough.ingest.readers import read_rows


def rows_of(path: Path, **options: str) -> list[tuple[int, list[str | None]]]:
    return list(read_rows(path, **options).rows)


# -- workbooks -------------------------------------------------------------------------------


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


# The peak is read from /proc (VmHWM), which starts afresh at exec; getrusage's ru_maxrss would
# carry over the high-water mark of the forked test worker that launched the probe.
PEAK_PROBE = """
import json, sys, time
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
status = Path("/proc/self/status").read_text()
peak_kb = int(next(l.split()[1] for l in status.splitlines() if l.startswith("VmHWM:")))
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
