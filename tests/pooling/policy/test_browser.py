from __future__ import annotations

import pytest

from pooling.models import PolicyStatus, PolicyVersion
from tests.browser import login, shot
from tests.pooling.policy.policy_docs import DEMO

pytestmark = pytest.mark.browser


def logout(page) -> None:
    page.click("header form button.link")
    page.wait_for_url("**/accounts/login/**")


def test_two_bureau_admins_draft_submit_approve_and_publish_in_the_browser(
    browser_page, live_server, bureau_admin, bureau_checker, tmp_path
):
    page = browser_page
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server.url, bureau_admin.username)
    # A broken file is refused with its JSON path, and nothing is saved.
    broken = tmp_path / "broken.json"
    broken.write_text(
        DEMO.read_text("utf-8").replace('"annual_cap": "450000.00"', '"annual_cap": 450000', 1),
        "utf-8",
    )
    page.goto(f"{live_server.url}/policy/upload/")
    page.set_input_files("#id_document", str(broken))
    page.click("#policy-upload button[type=submit]")
    assert (
        "年度最高支付限额（封顶线）（$.benefits.inpatient[0].annual_cap）：类型应为字符串"
        in page.locator("#upload-errors").inner_text()
    )
    shot(page, "policy-upload-errors")
    assert not PolicyVersion.objects.exists()
    # The maker uploads the good file and submits it.
    page.set_input_files("#id_document", str(DEMO))
    page.click("#policy-upload button[type=submit]")
    page.wait_for_url(f"{live_server.url}/policy/v/YC-2026/")
    page.click("#submit-policy")
    assert page.locator("#policy-status").inner_text() == "待复核"
    assert page.locator("#approve-policy").count() == 0  # the maker cannot approve
    logout(page)
    # The checker approves and publishes.
    login(page, live_server.url, bureau_checker.username)
    page.goto(f"{live_server.url}/policy/")
    page.click("#policy-versions >> text=YC-2026")
    page.click("#approve-policy")
    assert page.locator("#policy-status").inner_text() == "已发布"
    assert page.locator("#inpatient tbody tr").count() == 16
    shot(page, "policy-published")
    version = PolicyVersion.objects.get(code="YC-2026")
    assert (version.status, version.drafted_by, version.approved_by) == (
        PolicyStatus.PUBLISHED,
        bureau_admin,
        bureau_checker,
    )
