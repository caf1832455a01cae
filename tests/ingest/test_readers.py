"""Reading CSV and JSON defensively: strict encodings with offsets, header cleaning, bad JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lookthrough.core.errors import FileRejected, MappingInvalid
from lookthrough.ingest import mapping, readers
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


@pytest.mark.parametrize(("declared", "name"), [("windows-1252", "cp1252"), ("GBK", "gbk")])
def test_mapping_encoding_is_normalised_to_the_codec_name(declared: str, name: str) -> None:
    data = {"target": "entity", "columns": {"name": "name"}, "encoding": declared}
    assert mapping.parse(data).encoding == name


def test_mapping_with_an_unknown_encoding_is_refused() -> None:
    data = {"target": "entity", "columns": {"name": "name"}, "encoding": "klingon-8"}
    with pytest.raises(MappingInvalid, match="encoding“klingon-8”不是已知的字符编码"):
        mapping.parse(data)


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
    assert "第 4 行" in refused.value.message
    assert refused.value.context == {"line": 4}


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
