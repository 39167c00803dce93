"""The one writer: formula-safe text, money as numbers, a title block finance accepts."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from pooling.web.exports import (
    CODE,
    DATE,
    DATETIME,
    MONEY,
    PERCENT,
    Column,
    Table,
    csv_bytes,
    export_response,
    file_name,
    neutralise,
    xlsx_bytes,
)

ATTACKS = [
    '=HYPERLINK("http://x","点我")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "  =1+1",
]


def _table(rows, **kwargs):
    columns = [
        Column("名称", width=20),
        Column("金额", MONEY, total=True),
        Column("身份证号码", CODE),
    ]
    return Table(title="测试报表", columns=columns, rows=rows, **kwargs)


def _csv_rows(table):
    text = csv_bytes(table).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _sheet(table):
    return load_workbook(io.BytesIO(xlsx_bytes(table))).active


def test_it_neutralises_every_formula_start_in_csv():
    rows = _csv_rows(_table([[attack, 100, ""] for attack in ATTACKS]))
    assert [r[0] for r in rows[1:]] == ["'" + attack for attack in ATTACKS]


def test_it_leaves_ordinary_text_alone():
    assert neutralise("亭湖区人民医院") == "亭湖区人民医院"
    assert neutralise("1004-320902") == "1004-320902"
    assert neutralise("  收入合计") == "  收入合计"


def test_it_keeps_a_negative_amount_a_number():
    rows = _csv_rows(_table([["冲销", -1250, ""]]))
    assert rows[1][1] == "-12.50"  # no apostrophe: a number, not text
    sheet = _sheet(_table([["冲销", -1250, ""]]))
    cell = sheet.cell(row=4, column=2)
    assert (
        cell.data_type == "n"
        and cell.value == Decimal("-12.5")
        and cell.number_format == "#,##0.00"
    )


def test_it_writes_formula_text_as_text_in_xlsx_and_reads_it_back_unchanged():
    raw = xlsx_bytes(_table([[attack, 1, ""] for attack in ATTACKS]))
    sheet = load_workbook(io.BytesIO(raw)).active
    cells = [sheet.cell(row=4 + i, column=1) for i in range(len(ATTACKS))]
    # XML reads a carriage return back as a line feed; everything else comes back as typed.
    assert [c.value for c in cells] == [a.replace("\r", "\n") for a in ATTACKS]
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    with zipfile.ZipFile(io.BytesIO(raw)) as book:
        assert "<f>" not in book.read("xl/worksheets/sheet1.xml").decode()  # no formula anywhere


def test_it_writes_a_title_block_a_frozen_header_widths_and_totals():
    table = _table(
        [["甲", 123456, ""], ["乙", 100, ""]],
        meta=[("账簿", "城乡居民基本医疗保险基金")],
        totals="合计",
    )
    sheet = _sheet(table)
    assert sheet["A1"].value == "测试报表" and sheet["A1"].font.b
    assert sheet["A2"].value == "账簿：城乡居民基本医疗保险基金" and sheet["C2"].value == "单位：元"
    assert [c.value for c in sheet[3]] == ["名称", "金额", "身份证号码"]
    assert sheet.freeze_panes == "A4"
    assert sheet.column_dimensions["A"].width == 20
    assert [c.value for c in sheet[6]] == ["合计", 1235.56, None] and sheet["B6"].font.b


def test_it_adds_the_totals_row_to_csv_too():
    rows = _csv_rows(_table([["甲", 123456, ""], ["乙", 100, ""]], totals="合计"))
    assert rows == [
        ["名称", "金额", "身份证号码"],
        ["甲", "1234.56", ""],
        ["乙", "1.00", ""],
        ["合计", "1235.56", ""],
    ]


def test_it_keeps_every_digit_of_an_id_number():
    number = "360426199101010071"
    rows = _csv_rows(_table([["张三", 0, number]]))
    assert rows[1][2] == "\t" + number  # Chinese Excel keeps it text, not 3.60426E+17
    cell = _sheet(_table([["张三", 0, number]]))["C4"]
    assert cell.value == number and cell.data_type == "s"


def test_it_refuses_money_that_is_not_fen():
    with pytest.raises(TypeError):
        csv_bytes(_table([["甲", Decimal("1.50"), ""]]))


def test_it_writes_dates_local_times_and_percentages():
    columns = [Column("日期", DATE), Column("时间", DATETIME), Column("执行率", PERCENT)]
    moment = datetime(2026, 3, 4, 16, 30, tzinfo=UTC)  # 00:30 the next day in Shanghai
    table = Table(title="t", columns=columns, rows=[[date(2026, 3, 5), moment, Decimal("85.3")]])
    rows = _csv_rows(table)
    assert rows[1] == ["2026-03-05", "2026-03-05 00:30:00", "85.3%"]
    sheet = load_workbook(io.BytesIO(xlsx_bytes(table))).active
    assert sheet["B4"].value == datetime(2026, 3, 5, 0, 30) and sheet["C4"].value == pytest.approx(
        0.853
    )
    assert sheet["C4"].number_format == "0.0%"


def test_it_keeps_text_that_looks_like_an_excel_error_as_text():
    cell = _sheet(_table([["#N/A", 1, ""]]))["A4"]
    assert cell.value == "#N/A" and cell.data_type == "s"


def test_it_drops_characters_a_workbook_cannot_hold():
    sheet = _sheet(_table([["坏\x07名字", 1, ""]]))
    assert sheet["A4"].value == "坏名字"


def test_it_names_the_file_in_chinese_and_streams_csv():
    table = _table([["甲", 1, ""]], name_parts=["城乡居民基本医疗保险基金", "2026年03月", "亭湖区"])
    assert file_name(table, "xlsx") == "测试报表-城乡居民基本医疗保险基金-2026年03月-亭湖区.xlsx"
    response = export_response(table, "csv")
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''%E6%B5%8B")
    xlsx = export_response(_table([["甲", 1, ""]]), "xlsx")
    assert xlsx.getvalue()[:2] == b"PK"
