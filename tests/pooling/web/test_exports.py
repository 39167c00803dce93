from __future__ import annotations

import io
import zipfile
from decimal import Decimal

from openpyxl import load_workbook

from pooling.kernel.money import fen_to_yuan
from pooling.web.exports import csv_response, xlsx_response


def test_it_writes_csv_that_chinese_excel_reads():
    response = csv_response("月度日记账.csv", ["县区", "金额（元）"], [["亭湖区", fen_to_yuan(123456)], ["盐都区", None]])
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff县区,金额（元）\r\n")
    assert "亭湖区,1234.56\r\n" in body and "盐都区,\r\n" in body
    assert "filename*=UTF-8''%E6%9C%88" in response["Content-Disposition"]


def test_it_writes_xlsx_with_exact_amounts():
    response = xlsx_response("x.xlsx", ["县区", "金额"], [["亭湖区", Decimal("12345678901.23")]])
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == ["县区", "金额"]
    # A number Excel can sum, shown with two decimals, stored as its exact digits.
    assert sheet["B2"].data_type == "n" and sheet["B2"].number_format == "0.00"
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        assert "<v>12345678901.23</v>" in book.read("xl/worksheets/sheet1.xml").decode()
