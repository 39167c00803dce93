"""The reader refuses malformed files by row, column and reason — and raises nothing else.

The corpus (tests/pooling/imports/malformed.py) is read here as the people import
reads it; the same files go through the browser, the API and the command line in
tests/pooling/imports/test_malformed_files.py. Hypothesis then feeds bytes no
corpus thought of: whatever they are, reading gives rows (with their errors) or a
`TableError`, never another exception.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from enrollment.imports.kinds import PersonKind
from pooling.tabular import errors as e
from pooling.tabular import text as csv_text
from pooling.tabular.reader import Column, TableError, open_table
from tests.pooling.imports.malformed import CASES, HEADER, csv_bytes, row, xlsx_bytes

COLUMNS = [
    Column("code", "编码", halfwidth=True),
    Column("name", "名称", max_length=10),
    Column("note", "说明", required=False, multiline=True),
]


def problems(
    data: bytes, columns: list[Column] = PersonKind.columns
) -> list[tuple[int | None, str, str]]:
    """Every error reading the file gives, in order: row errors, then a TableError if any."""
    found: list[tuple[int | None, str, str]] = []
    try:
        with open_table(data, columns=columns) as table:
            for r in table:
                found += [(x.row, x.column, x.reason) for x in r.errors]
    except TableError as exc:
        found.append((exc.row, exc.column, exc.text()))
    return found


def values(data: bytes, columns: list[Column] = COLUMNS) -> list[dict[str, str]]:
    with open_table(data, columns=columns) as table:
        return [r.values for r in table if not r.errors]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_it_names_the_row_column_and_reason_of_each_malformed_file(case):
    assert problems(case.data) == case.expected


def test_it_reads_crlf_cr_and_a_blank_line_above_the_header_with_excel_row_numbers():
    rows = [row(1), row(2, county="３２０９０２")]
    for newline in ("\r\n", "\r", "\n"):
        data = b"\n" + csv_bytes(rows, newline=newline)  # header on row 2
        assert problems(data) == [
            (
                4,
                "经办机构代码",
                str(e.FULLWIDTH) % {"value": "３２０９０２", "suggestion": "320902"},
            )
        ]


def test_it_decides_the_encoding_from_the_first_rows_with_chinese_not_the_first_block():
    # 70 KB of ASCII (an English header and codes) before the first Chinese name, in GBK.
    header = ["code", "name"]
    data = csv_bytes(
        [[f"A{i:05d}", "x"] for i in range(9000)] + [["B00001", "张三"]],
        header=header,
        encoding="gbk",
    )
    assert len(data) > 64 * 1024
    assert values(data, [Column("code", "编码"), Column("name", "名称")])[-1] == {
        "code": "B00001",
        "name": "张三",
    }


def test_it_names_a_utf8_row_late_in_a_gbk_file_not_only_in_the_first_block():
    rows = [[f"A{i:06d}", "张三"] for i in range(90_000)]
    data = csv_bytes(rows, header=["编码", "名称"], encoding="gbk") + "B00001,李四\n".encode()
    assert len(data) > csv_text.BLOCK
    columns = [Column("code", "编码"), Column("name", "名称")]
    assert problems(data, columns) == [
        (
            90_002,
            "名称",
            str(e.MIXED_ENCODING) % {"row": 90_002, "found": "UTF-8", "expected": "GBK"},
        )
    ]


def test_it_keeps_rare_characters_and_middle_dots_of_a_gbk_file():
    data = csv_bytes(
        [["A1", "刘䶮"], ["A2", "阿依·买买提"]], header=["编码", "名称"], encoding="gb18030"
    )
    assert [v["name"] for v in values(data)] == ["刘䶮", "阿依·买买提"]


def test_it_lets_a_multiline_column_keep_its_line_breaks_and_nothing_else():
    data = '编码,名称,说明\nA1,甲,"第一行\n第二行"\nA2,乙,"含\t制表符"\n'.encode()
    assert problems(data, COLUMNS) == [
        (3, "说明", str(e.CONTROL_CHAR) % {"char": str(e.CHAR_NAMES["\t"])})
    ]
    assert values(data)[0]["note"] == "第一行\n第二行"


def test_it_applies_each_columns_limit_and_half_width_rule():
    data = "编码,名称\nＡ1,甲\nA2,一二三四五六七八九十一\nA3,全角（括号）可以\n".encode()
    assert problems(data, COLUMNS) == [
        (2, "编码", str(e.FULLWIDTH) % {"value": "Ａ1", "suggestion": "A1"}),
        (3, "名称", str(e.TOO_LONG) % {"length": 11, "limit": 10}),
    ]


def test_it_lists_at_most_five_unknown_headers_and_ignores_a_row_number_column():
    assert values("序号,编码,名称\n1,A1,甲\n".encode()) == [{"code": "A1", "name": "甲"}]
    [(_row, column, reason)] = problems(
        ("编码,名称," + ",".join(f"列{i}" for i in range(8)) + "\n1,2\n").encode(), COLUMNS
    )
    assert column == "列0" and str(e.MORE_COLUMNS) % {"count": 8} in reason and "列5" not in reason


def test_it_refuses_a_header_holding_a_control_character():
    assert problems("编码,名\u200b称\nA1,甲\n".encode(), COLUMNS) == [
        (
            1,
            "B",
            str(e.HEADER_CELL)
            % {
                "row": 1,
                "column": "B",
                "reason": str(e.CONTROL_CHAR) % {"char": str(e.CHAR_NAMES["\u200b"])},
            },
        )
    ]


def test_it_names_a_line_without_line_breaks_instead_of_reading_it_whole(monkeypatch):
    # The real figures (16 MB lines, cells of 32,767) scaled down to keep the test small.
    monkeypatch.setattr(csv_text, "MAX_LINE_BYTES", 1 << 16)
    monkeypatch.setattr(csv_text, "MAX_CELL", 10_000)
    monkeypatch.setattr(csv_text, "BLOCK", 1 << 12)
    wide = ("编码,名称\n" + ",".join(["x"] * 50_000)).encode()
    assert problems(wide, COLUMNS) == [(2, "", str(e.LINE_TOO_LONG) % {"row": 2, "limit": 1 << 16})]
    huge = ("编码,名称\nA1," + "名" * 40_000).encode()
    assert problems(huge, COLUMNS) == [
        (2, "名称", str(e.HUGE_CELL) % {"row": 2, "column": "名称", "limit": 10_000})
    ]


def _book(
    rows: Iterable[Iterable[object]],
    number_formats: dict[str, str] | None = None,
    *,
    hide: str | None = None,
    extra: list[object] | None = None,
) -> bytes:
    book = Workbook()
    sheet = book.active
    for r in rows:
        sheet.append(r)
    for cell, fmt in (number_formats or {}).items():
        sheet[cell].number_format = fmt
    if extra is not None:
        other = book.create_sheet("清单")
        other.append(extra)
        other.sheet_state = hide or "visible"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_format_id(data: bytes, old: int, new: int) -> bytes:
    """The workbook with one built-in number format replaced by another in its styles."""
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            part = source.read(item)
            if item.filename == "xl/styles.xml":
                part = part.replace(f'numFmtId="{old}"'.encode(), f'numFmtId="{new}"'.encode())
            target.writestr(item, part)
    return out.getvalue()


def test_it_reads_dates_by_their_number_format_including_chinese_ones():
    data = _book(
        [
            ["编码", "名称", "说明"],
            ["A1", "甲", 46082],
            ["A2", "乙", 46082],
            ["A3", "丙", 46082.5],
            ["A4", "丁", date(2026, 3, 2)],
        ],
        {"C2": 'yyyy"年"m"月"d"日"', "C4": "yyyy-mm-dd h:mm"},
    )
    # C3 keeps General: Excel shows the serial number, so does the reader (the kinds say what it is).
    # C5's built-in format 14 becomes 31 (yyyy年m月d日 in Chinese Excel), which openpyxl does not know.
    data = _with_format_id(data, 14, 31)
    assert [v["note"] for v in values(data)] == [
        "2026-03-01",
        "46082",
        "2026-03-01 12:00:00",
        "2026-03-02",
    ]


def test_it_reads_the_one_sheet_with_data_and_ignores_a_hidden_list():
    data = _book([["编码", "名称"], ["A1", "甲"]], extra=["下拉选项", "乙"], hide="hidden")
    assert values(data) == [{"code": "A1", "name": "甲"}]
    only_second = _book([], extra=["编码", "名称"])
    assert problems(only_second, COLUMNS) == [(None, "", str(e.HEADER_ONLY))]


def test_it_names_a_formula_in_the_header_row():
    data = _book([["编码", '=CONCATENATE("名","称")'], ["A1", "甲"]])
    reason = str(e.FORMULA) % {"cell": "B1", "formula": '=CONCATENATE("名","称")'}
    assert problems(data, COLUMNS) == [
        (1, "B", str(e.HEADER_CELL) % {"row": 1, "column": "B", "reason": reason})
    ]


def test_it_decodes_excels_escapes_and_refuses_the_control_character_they_hold():
    data = _book([["编码", "名称"], ["A1", "甲_x0007_乙"], ["A2", "_x005F_x0041_"]])
    assert problems(data, COLUMNS) == [(2, "名称", str(e.CONTROL_CHAR) % {"char": "U+0007"})]
    assert values(data)[0]["name"] == "_x0041_"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_it_reads_any_bytes_as_rows_or_a_table_error(data):
    problems(data)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 400), st.binary(min_size=1, max_size=6)), max_size=6),
    st.sampled_from(["utf-8", "gbk", "utf-8-sig"]),
)
def test_it_reads_a_csv_with_bytes_spliced_in_as_rows_or_a_table_error(splices, encoding):
    data = bytearray(
        csv_bytes([row(1), row(2, name='"张,三"'), row(3)], encoding=encoding.replace("-sig", ""))
    )
    if encoding == "utf-8-sig":
        data[:0] = codecs.BOM_UTF8
    for at, piece in splices:
        data[at % (len(data) + 1) : at % (len(data) + 1)] = piece
    problems(bytes(data))


WORKBOOK = xlsx_bytes([HEADER, row(1), row(2)])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, len(WORKBOOK) - 1), st.integers(0, 255)), min_size=1, max_size=8
    )
)
def test_it_reads_a_damaged_workbook_as_rows_or_a_table_error(damage):
    data = bytearray(WORKBOOK)
    for at, byte in damage:
        data[at] = byte
    problems(bytes(data))


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(_TEXT, _TEXT), min_size=1, max_size=5), st.sampled_from(["\n", "\r\n", "\r"])
)
def test_what_it_reads_back_is_what_was_written_unless_it_says_why_not(cells, newline):
    out = io.StringIO()
    csv.writer(out, lineterminator=newline, quoting=csv.QUOTE_ALL).writerows(
        [["编码", "名称"], *cells]
    )
    data = out.getvalue().encode("utf-8")
    try:
        with open_table(data, columns=COLUMNS) as table:
            rows = list(table)
    except TableError:
        return  # e.g. every row blank: said, with its message
    for r in rows:
        if not r.errors:
            written = cells[r.number - 2]
            assert (r.values["code"], r.values["name"]) == (written[0].strip(), written[1].strip())
