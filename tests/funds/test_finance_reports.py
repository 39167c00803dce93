"""Reports finance accepts: statements that add up down both columns, XLSX with a title
block, Chinese file names, no internal keys, a journal that opens where the entries are,
and a book page grouped by category."""

from __future__ import annotations

import io
import re
from datetime import date
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from funds.chart import Category as C
from funds.reports import statement_rows
from funds.selectors import fund_statement
from funds.services import cr, dr, post_entry
from tests.actors import SETUP

A = "320902"


@pytest.fixture
def year(resident, acct):
    """January and February collect 1,000.00 each; March collects 500.00 and pays 200.00."""

    def post(key, day, *lines):
        memo = f"{'保费征缴' if key.startswith('collect') else '住院支付'}{day:%Y年%m月}"
        post_entry(
            key=key, book=resident, memo=memo, entry_date=day, lines=list(lines), actor=SETUP
        )

    treasury, premium = acct(resident, C.TREASURY_TRANSIT), acct(resident, C.INCOME_PREMIUM, A)
    post("collect:2025-12", date(2025, 12, 10), dr(treasury, 30000, A), cr(premium, 30000))
    post("collect:2026-01", date(2026, 1, 10), dr(treasury, 100000, A), cr(premium, 100000))
    post("collect:2026-02", date(2026, 2, 10), dr(treasury, 100000, A), cr(premium, 100000))
    post("collect:2026-03", date(2026, 3, 10), dr(treasury, 50000, A), cr(premium, 50000))
    post(
        "pay:2026-03",
        date(2026, 3, 20),
        dr(acct(resident, C.BENEFIT_INPATIENT, A), 20000),
        cr(treasury, 20000, A),
    )
    return resident


def _rows(book, **kw):
    return {r[0].strip(): r[1:] for r in statement_rows(fund_statement(book=book, **kw))}


def test_it_opens_the_year_column_on_the_years_opening_balance(year):
    rows = _rows(year, year=2026, month=3)
    assert rows["期初基金结余"] == [
        230000,
        30000,
    ]  # the month opened on 2,300.00, the year on 300.00
    assert rows["三、本期收支结余"] == [30000, 230000]
    assert rows["四、期末基金结余"] == [260000, 260000]


def test_it_adds_up_opening_plus_result_to_closing_in_both_columns(year):
    for month in (1, 2, 3):
        rows = _rows(year, year=2026, month=month)
        for column in (0, 1):
            opening, result = rows["期初基金结余"][column], rows["三、本期收支结余"][column]
            assert opening + result == rows["四、期末基金结余"][column], (month, column)


def _download(client, url):
    response = client.get(url)
    name = unquote(response["Content-Disposition"].split("''", 1)[1])
    return name, b"".join(response.streaming_content)


def test_it_gives_the_statement_a_title_block_and_a_chinese_name(year, finance, client_for):
    name, raw = _download(
        client_for(finance),
        f"/funds/book/resident/statement/export/?year=2026&month=3&county={A}&format=xlsx",
    )
    assert name == "基金收支表-城乡居民基本医疗保险基金-2026年03月-亭湖区.xlsx"
    sheet = load_workbook(io.BytesIO(raw)).active
    assert sheet["A1"].value == "基金收支表"
    assert sheet["A2"].value == "账簿：城乡居民基本医疗保险基金　核算单位：亭湖区　期间：2026年03月"
    assert sheet["C2"].value == "单位：元" and sheet.freeze_panes == "A4"
    assert [c.value for c in sheet[3]] == ["项目", "本月", "本年累计"]
    opening = next(r for r in sheet.iter_rows(min_row=4) if r[0].value == "期初基金结余")
    assert [c.value for c in opening[1:]] == [2300, 300] and opening[1].number_format == "#,##0.00"


def test_it_keeps_internal_keys_and_codes_out_of_the_journal(year, finance, client_for):
    name, raw = _download(
        client_for(finance), "/funds/book/resident/journal/export/?year=2026&month=3&format=csv"
    )
    assert not re.search(r"resident|320902", name)
    text = raw.decode("utf-8-sig")
    assert "collect:2026-03" not in text and "幂等键" not in text  # the idempotency key is ours
    header, *lines = text.splitlines()
    assert header == "凭证号,记账日期,摘要,科目代码,科目名称,核算单位,借方,贷方,冲销凭证号"
    assert lines[-1] == "合计,,,,,,700.00,700.00,"
    assert ",亭湖区," in lines[0]  # the unit by name


def test_it_opens_the_journal_on_the_latest_month_with_entries(year, finance, clerk_b, client_for):
    page = client_for(finance).get("/funds/book/resident/journal/").content.decode()
    assert "2026-03" in page and "住院支付2026年03月" in page
    # 盐都区 has no entries: its clerk sees today's month, not 亭湖区's.
    assert (
        "住院支付2026年03月"
        not in client_for(clerk_b).get("/funds/book/resident/journal/").content.decode()
    )


def test_it_shows_amounts_with_thousands_separators_right_aligned(year, finance, client_for):
    page = (
        client_for(finance)
        .get("/funds/book/resident/statement/?year=2026&month=3")
        .content.decode()
    )
    assert '<td class="num">2,300.00</td><td class="num">300.00</td>' in page


def test_it_groups_the_book_by_category_and_unit(resident, finance, client_for):
    page = client_for(finance).get("/funds/book/resident/").content.decode()
    groups = re.findall(r'<details class="group"[^>]*>\s*<summary><strong>([^<]+)</strong>', page)
    assert groups[:3] == ["国库过渡户", "市级财政专户", "市级支出户"]
    assert len(groups) == len(set(groups)) < 40  # ~30 categories, not ~250 account lines
    county_exp = page.split("<strong>县级支出户</strong>", 1)[1].split("</details>", 1)[0]
    assert "亭湖区" in county_exp and "盐都区" in county_exp
