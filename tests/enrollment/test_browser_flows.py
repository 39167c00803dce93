"""A clerk, as a new user would: register → enrol → declare → transfer → refer, in Chromium."""

from __future__ import annotations

import pytest

from enrollment.models import Person, Referral, Transfer
from tests.browser import login, shot
from tests.enrollment import factories as f

pytestmark = pytest.mark.browser

ID_NUMBER = "360426199101010071"


def _switch_user(page, base_url: str, username: str) -> None:
    page.context.clear_cookies()
    login(page, base_url, username)


def test_it_registers_enrols_and_declares_in_the_browser(
    browser_page, live_server, clerk_a, county_a, demo_policy
):
    page, base = browser_page, live_server.url
    login(page, base, clerk_a.username)
    page.click("nav.mainnav >> text=经办管理")
    # An employer first, with a mistyped credit code the form explains beside the field.
    page.click("text=参保单位登记")
    page.fill("#id_credit_code", "91110108551385082R")
    page.fill("#id_name", "盐城浏览器测试有限公司")
    page.click("main button.primary")
    assert "校验码错误" in page.locator("#id_credit_code_error").inner_text()
    page.fill("#id_credit_code", "91110108551385082Q")
    page.click("main button.primary")
    page.wait_for_selector("text=已登记参保单位")

    # A person: a wrong check digit first, then the right number.
    page.goto(f"{base}/enrollment/")
    page.click("text=参保人员登记")
    page.fill("#id_id_number", ID_NUMBER[:-1] + "2")
    page.fill("#id_name", "浏览器测试员")
    page.select_option("#id_category", "in_service")
    page.click("main button.primary")
    assert "校验码错误" in page.locator("#id_id_number_error").inner_text()
    page.fill("#id_id_number", ID_NUMBER)
    page.click("main button.primary")
    page.wait_for_selector("h1:has-text('参保人员信息')")
    assert "1991-01-01" in page.locator("dl.facts").inner_text()

    page.click("text=参保登记")
    page.select_option("#id_scheme", "employee")
    page.select_option("#id_employer", label="盐城浏览器测试有限公司（91110108551385082Q）")
    page.fill("#id_start_month", "2026-01")
    page.click("main button.primary")
    page.wait_for_selector("text=参保登记成功")
    assert "参保缴费" in page.locator("#enrolments").inner_text()

    # Declare January at a wage below the floor: the base is raised and the clerk is told.
    page.goto(f"{base}/enrollment/employers/")
    page.click("text=盐城浏览器测试有限公司")
    page.click("a.button:has-text('缴费申报')")
    page.fill("#id_month", "2026-01")
    page.fill("input[name^=base_]", "3000")
    page.click("main button.primary")
    assert "已按下限 4,500.00 元核定" in page.locator(".messages").inner_text()
    shot(page, "enrollment-declared")
    person = Person.objects.get(id_number=ID_NUMBER)
    assert person.declaration_lines.get().base_fen == 450000

    # The person record shows the month, and a search by ID number finds them.
    page.goto(f"{base}/enrollment/?q={ID_NUMBER}")
    page.click("text=浏览器测试员")
    assert "2026-01" in page.locator("#contributions").inner_text()


def test_it_transfers_and_refers_across_two_counties(
    browser_page, live_server, clerk_a, clerk_b, county_a, county_b, demo_policy
):
    page, base = browser_page, live_server.url
    enrolment = f.employee_enrolment(county_a, "迁移测试员")
    f.employer(county_b, "盐都接收单位")
    id_number = enrolment.person.id_number

    # The receiving clerk (盐都区) searches, finds nothing, and asks for the person by ID number,
    # naming the ground: the new employer registered in 盐都区.
    login(page, base, clerk_b.username)
    page.goto(f"{base}/enrollment/?q={id_number}")
    page.click("text=申请转入本经办单位")
    page.fill("#id_id_number", id_number)
    page.fill("#id_effective_month", "2026-04")
    page.fill("#id_reason", "工作调动")
    page.click("main button.primary")
    assert "转入地的参保单位" in page.locator("#id_new_employer_error").inner_text()
    page.select_option(
        "#id_new_employer",
        label=next(
            o
            for o in page.locator("#id_new_employer option").all_inner_texts()
            if "盐都接收单位" in o
        ),
    )
    page.click("main button.primary")
    page.wait_for_selector("text=已提交转移申请")
    assert "迁移测试员" not in page.locator("main").inner_text()  # masked until the move
    assert "等待转出地（亭湖区）经办单位确认转出" in page.locator("main").inner_text()
    assert page.locator("#release-transfer").count() == 0

    # The sending clerk (亭湖区) releases it: a first click dismissed changes nothing.
    _switch_user(page, base, clerk_a.username)
    page.goto(f"{base}/enrollment/transfers/?direction=out")
    page.click("text=迁移测试员")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#release-transfer")
    assert Transfer.objects.get().status == "pending"
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#release-transfer")
    page.wait_for_selector("text=已确认转出")
    assert Transfer.objects.get().status == "completed"

    # The receiving clerk now holds the person, with one continuous history.
    _switch_user(page, base, clerk_b.username)
    page.goto(f"{base}/enrollment/?q={id_number}")
    page.click("text=迁移测试员")
    enrolments = page.locator("#enrolments").inner_text()
    assert "亭湖区" in enrolments and "盐都区" in enrolments and "2026-03" in enrolments

    # Then a referral, registered and approved.
    page.click("text=转诊/转外就医备案")
    page.select_option("#id_kind", "referral")
    page.fill("#id_destination", "江苏省人民医院")
    page.fill("#id_valid_from", "2026-05-01")
    page.fill("#id_valid_to", "2026-04-01")
    page.click("main button.primary")
    assert "有效期止不能早于有效期起" in page.locator("#id_valid_to_error").inner_text()
    page.fill("#id_valid_to", "2026-07-31")
    page.click("main button.primary")
    page.wait_for_selector("text=已受理")
    page.click("button:has-text('同意备案')")
    assert page.locator("#referral-status").inner_text() == "已备案"
    assert Referral.objects.get().status == "approved"
    shot(page, "enrollment-referral")
    page.click("h1 a")
    assert "江苏省人民医院" in page.locator("#referrals").inner_text()
