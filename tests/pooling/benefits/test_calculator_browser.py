"""The 待遇测算 page as a county clerk uses it: add a line by hand, calculate, read the reasons."""

from __future__ import annotations

import pytest

from tests.browser import login, shot

pytestmark = pytest.mark.browser


def test_it_quotes_a_claim_with_an_added_line_and_shows_why(
    browser_page, live_server, clerk_a, in_force
):
    page = browser_page
    login(page, live_server.url, clerk_a.username)
    page.goto(f"{live_server.url}/policy/calculator/")
    page.select_option("#id_category", "retired")
    page.select_option("#id_hospital_level", "level2")
    # Replace the three example lines by two: remove one, edit the others, add one.
    page.locator("#lines .remove-line").nth(2).click()
    page.fill("#id_lines-0-quantity", "1")
    page.fill("#id_lines-0-unit_price", "5000.00")
    page.fill("#id_lines-1-quantity", "1")
    page.fill("#id_lines-1-unit_price", "5000.00")
    page.click("#add-line")
    assert page.locator("#lines tr.line").count() == 3
    assert page.input_value("#id_lines-TOTAL_FORMS") == "3"
    page.fill("#id_lines-2-code", "111000001000000")  # 丙类 特需病房床位费
    page.fill("#id_lines-2-quantity", "2")
    page.fill("#id_lines-2-unit_price", "150.00")
    page.click("#calculate")
    # 甲类5000 + 乙类5000 + 丙类300：乙类自付500，起付600，8900 × 92% = 8188.00，现金 10300 − 8188 = 2112.00
    page.wait_for_selector("#result")
    assert page.inner_text("#r-total") == "10,300.00"
    assert page.inner_text("#r-fund") == "8,188.00"
    assert page.inner_text("#r-patient") == "2,112.00"
    reasons = page.inner_text("#explanation")
    assert "乙类先行自付10%：500.00元" in reasons
    assert "起付标准：本年度第1次住院，二级医院起付线600.00元，本次计入600.00元" in reasons
    assert "丙类及目录外项目全自费：300.00元" in reasons
    assert page.locator("#itemised tbody tr").count() == 3
    shot(page, "benefits-calculator")
