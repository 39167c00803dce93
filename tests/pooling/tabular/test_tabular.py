"""The shared table reader: encodings, XLSX, and a distinct message for each broken file."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from pooling.kernel.problems import Problem
from pooling.tabular import reader as tabular
from pooling.tabular.errors import UNCLOSED_QUOTE
from pooling.tabular.reader import Column, TableError, error_report_csv, open_table

COLUMNS = [
    Column("id_number", "身份证号", aliases=("公民身份号码",)),
    Column("name", "姓名"),
    Column("note", "备注", required=False),
]


def read(data: bytes) -> list[tuple[int, dict[str, str], list]]:
    with open_table(io.BytesIO(data), columns=COLUMNS) as table:
        return [(r.number, r.values, r.errors) for r in table]


def xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


TEXT = "身份证号,姓名\n360426199101010071,张三\n120103198806018241,李四\n"


@pytest.mark.parametrize(
    "data",
    [TEXT.encode("utf-8"), b"\xef\xbb\xbf" + TEXT.encode("utf-8"), TEXT.encode("gbk")],
    ids=["utf8", "utf8-bom", "gbk"],
)
def test_it_reads_csv_in_each_encoding_chinese_offices_use(data):
    rows = read(data)
    assert [(n, v["id_number"], v["name"]) for n, v, _e in rows] == [
        (2, "360426199101010071", "张三"),
        (3, "120103198806018241", "李四"),
    ]


@pytest.mark.parametrize(
    ("encoding", "label"), [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8-BOM"), ("gbk", "GBK")]
)
def test_it_tells_gbk_from_utf8_even_when_gbk_bytes_pass_for_utf8_letters(encoding, label):
    # 目录 in GBK is C4 BF C2 BC: valid UTF-8 (two Latin letters) until the third character.
    text = "目录类别,编码\n药品,XA01ABD075A002010100483\n"
    columns = [Column("kind", "目录类别"), Column("code", "编码")]
    with tabular.open_table(text.encode(encoding), columns=columns) as table:
        assert table.source_format == label
        assert [row.values for row in table] == [
            {"kind": "药品", "code": "XA01ABD075A002010100483"}
        ]


def test_the_workbook_reader_reads_numbers_as_typed_and_spots_lost_digits():
    data = xlsx(
        [
            ["身份证号码", "姓名", "月数"],
            ["360426199101010071", "张三", 120],
            [float(360426199101010071), "李四", 12.5],
        ]
    )  # as Excel keeps a typed number
    columns = [Column("id_number", "身份证号码"), Column("name", "姓名"), Column("months", "月数")]
    with tabular.open_table(data, columns=columns) as table:
        rows = list(table)
    assert table.source_format == "XLSX"
    assert [r.values for r in rows] == [
        {"id_number": "360426199101010071", "name": "张三", "months": "120"},
        {"id_number": "", "name": "李四", "months": "12.5"},
    ]
    assert [e.row for r in rows for e in r.errors] == [3]


def test_it_reads_xlsx_by_its_bytes_and_keeps_dates_and_text():
    from datetime import date

    data = xlsx(
        [["公民身份号码", "姓名", "备注"], ["360426199101010071", "张三", date(2026, 1, 2)]]
    )
    rows = read(data)
    assert rows == [
        (2, {"id_number": "360426199101010071", "name": "张三", "note": "2026-01-02"}, [])
    ]


def test_it_flags_an_id_number_excel_stored_as_a_number():
    rows = read(xlsx([["身份证号", "姓名"], [360426199101010071, "张三"]]))
    (_n, values, errors) = rows[0]
    assert values["id_number"] == ""
    assert errors[0].column == "身份证号" and errors[0].reason == str(tabular.NUMBER_TOO_LONG)


def test_it_matches_headers_with_spaces_stars_and_english_keys():
    rows = read(" *身份证号 ,name,序号\n360426199101010071,张三,1\n".encode())
    assert rows[0][1] == {"id_number": "360426199101010071", "name": "张三"}


def test_it_streams_a_path_and_closes_it(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(TEXT, encoding="utf-8")
    table = open_table(path, columns=COLUMNS)
    assert len(list(table)) == 2
    table.close()


@pytest.mark.parametrize(
    ("data", "message", "row"),
    [
        (b"", tabular.EMPTY_FILE, None),
        (b"\n\n", tabular.EMPTY_FILE, None),
        ("身份证号,姓名\n".encode(), tabular.HEADER_ONLY, None),
        ("身份证号,姓名\n,\n".encode(), tabular.HEADER_ONLY, None),
        ("身份证号\n360426199101010071\n".encode(), tabular.MISSING_COLUMNS, 1),
        ("身份证号,姓名,姓名\n1,2,3\n".encode(), tabular.DUPLICATE_HEADER, 1),
        (
            "身份证号,姓名\n360426199101010071,张三\n120103198806018241".encode(),
            tabular.TRUNCATED,
            3,
        ),
        (
            '身份证号,姓名\n360426199101010071,张三\n120103198806018241,"李'.encode(),
            UNCLOSED_QUOTE,
            3,
        ),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, tabular.XLS_UNSUPPORTED, None),
        (b"PK\x03\x04broken zip", tabular.BAD_XLSX, None),
    ],
    ids=[
        "empty",
        "blank-lines",
        "header-only",
        "header-and-blank",
        "missing-column",
        "dup-header",
        "truncated-fields",
        "unterminated-quote",
        "xls",
        "broken-xlsx",
    ],
)
def test_it_gives_each_broken_file_its_own_message(data, message, row):
    with pytest.raises(TableError) as caught:
        read(data)
    assert caught.value.message == message
    assert caught.value.row == row


def test_it_names_the_columns_that_are_missing():
    with pytest.raises(TableError) as caught:
        read("编号\n1\n".encode())
    assert "身份证号、姓名" in str(caught.value)


def test_it_names_the_row_with_bytes_that_do_not_decode():
    data = "身份证号,姓名\n360426199101010071,张三\n".encode() + b"120103198806018241,\xff\xfe\n"
    with pytest.raises(TableError) as caught:
        read(data)
    assert caught.value.message == tabular.UNDECODABLE and caught.value.row == 3


def test_it_reports_a_short_row_in_the_middle_as_a_row_error():
    rows = read("身份证号,姓名\n360426199101010071\n120103198806018241,李四\n".encode())
    assert rows[0][2][0].row == 2 and "1 列" in rows[0][2][0].reason
    assert rows[1][2] == []


def test_it_detects_utf8_even_when_the_sniffed_block_cuts_a_character():
    body = "身份证号,姓名\n" + "360426199101010071,张三\n" * 5000
    data = body.encode("utf-8")
    assert len(data) > tabular.SNIFF_BYTES
    rows = read(data)
    assert len(rows) == 5000 and rows[-1][1]["name"] == "张三"


def test_it_writes_the_error_report_with_a_bom_for_chinese_excel():
    report = b"".join(error_report_csv([Problem(3, "身份证号", "校验位错误")]))
    assert report.startswith(b"\xef\xbb\xbf")
    assert report.decode("utf-8-sig").splitlines() == ["行号,列,原因", "3,身份证号,校验位错误"]
