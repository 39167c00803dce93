from __future__ import annotations

import pytest

from tests.browser import login, shot

pytestmark = pytest.mark.browser


def test_it_shows_a_county_clerk_the_chinese_home_page(browser_page, live_server, clerk_a):
    page = browser_page
    login(page, live_server.url, clerk_a.username)
    assert page.locator("h1").inner_text().startswith("您好")
    body = page.locator("body").inner_text()
    assert "亭湖区" in body and "经办管理" in body and "预算编报" in body
    assert (
        "基金管理" not in body and "接口文档" not in body
    )  # no fund books, no API docs for a clerk
    # A county clerk is told they see only their own unit, and no other unit is listed.
    assert "只能查看和办理本经办单位的业务" in body
    assert "盐都区" not in body
    path = shot(page, "home-county-clerk")
    assert path.stat().st_size > 10_000


def test_it_tells_a_wrong_password_in_chinese(browser_page, live_server, clerk_a):
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", clerk_a.username)
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    assert "用户名或密码不正确" in page.locator("[role=alert]").inner_text()
