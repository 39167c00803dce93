from __future__ import annotations

import pytest

from tests.browser import shot

pytestmark = pytest.mark.browser


def test_it_tells_a_locked_out_clerk_in_chinese_when_to_try_again(
    browser_page, live_server, clerk_a
):
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    for password in [
        "a-guess-1",
        "a-guess-2",
        "a-guess-3",
        "a-guess-4",
        "a-guess-5",
        "test-pass-2026",
    ]:
        page.fill("#id_username", clerk_a.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
    alert = page.locator("[role=alert]").inner_text()
    assert "已暂时锁定" in alert and "分钟后" in alert and "联系系统管理员" in alert
    assert page.url.endswith("/accounts/login/")  # the right password did not get in
    shot(page, "login-locked-out")
