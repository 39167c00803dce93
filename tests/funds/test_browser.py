"""Finance opens a county's fund statement in the browser, and a clerk's budget typo is
shown beside the field in Chinese."""

from __future__ import annotations

from datetime import date

import pytest

from funds.chart import Category as C
from funds.services import cr, dr, post_entry
from tests.actors import SETUP
from tests.browser import login, shot

pytestmark = pytest.mark.browser


def test_it_walks_finance_to_a_county_statement_and_a_clerk_to_a_budget_error(
    browser_page, live_server, resident, acct, finance, clerk_a
):
    post_entry(
        key="collect",
        book=resident,
        memo="保费征缴",
        entry_date=date(2026, 3, 5),
        lines=[
            dr(acct(resident, C.TREASURY_TRANSIT), 1_234_567, "320902"),
            cr(acct(resident, C.INCOME_PREMIUM, "320902"), 1_234_567),
        ],
        actor=SETUP,
    )
    page = browser_page
    login(page, live_server.url, finance.username)
    page.goto(f"{live_server.url}/funds/")
    page.click("text=城乡居民基本医疗保险基金")
    page.click("text=基金收支表")
    page.fill("input[name=year]", "2026")
    page.select_option("select[name=month]", "3")
    page.select_option("select[name=county]", "320902")
    page.click("button:has-text('查询')")
    assert "12,345.67" in page.locator("table.grid").inner_text()  # thousands separators
    shot(page, "funds-statement")

    page.context.clear_cookies()
    login(page, live_server.url, clerk_a.username)
    page.goto(f"{live_server.url}/funds/budgets/")
    page.fill(f"input[name={C.INCOME_PREMIUM}]", "12.345")
    page.click("button:has-text('保存草稿')")
    assert "金额最多两位小数" in page.locator("form.card").inner_text()
