"""A county clerk and a city agency clerk use the pages as new users would (Chromium)."""

from __future__ import annotations

import pytest

from providers.choices import State
from providers.models import Provider, ProviderEvent
from tests.browser import login, shot
from tests.providers.factories import codes

pytestmark = pytest.mark.browser


def _register(page, base, *, name, region, level, national, credit):
    page.goto(f"{base}/providers/")
    page.click("text=登记新机构")
    page.select_option("#id_kind", "hospital")
    page.fill("#id_name", name)
    page.fill("#id_national_code", national)
    page.fill("#id_credit_code", credit)
    page.select_option("#id_location_region", region)
    page.fill("#id_address", "开放大道88号")
    page.select_option("#id_level", level)
    page.select_option("#id_ownership", "private")
    page.fill("#id_opened_on", "2019-05-01")
    page.click("button:has-text('登记')")


def _do(page, label, fill=None):
    if not page.locator(f"a.button:text-is('{label}')").count():
        shot(page, "debug")
        raise AssertionError(page.inner_text("main"))
    page.click(f"a.button:text-is('{label}')")
    for selector, value in (fill or {}).items():
        page.fill(selector, value)
    page.click("button:has-text('确认办理')")


def _to_published_and_suspended(page, screenshot_prefix):
    _do(page, "提出定点申请")
    _do(page, "受理")
    _do(page, "评估通过")
    _do(page, "签订协议", {"#id_agency_signatory": "陈静", "#id_provider_signatory": "张院长"})
    _do(page, "公布并报市经办机构备案")
    assert page.inner_text("#state") == "已公布"
    shot(page, f"{screenshot_prefix}-published")
    _do(page, "开始履约")
    # A private provider asking to suspend today has not given 3 months' notice: refused, rule named.
    page.click("a.button:has-text('暂停协议')")
    page.select_option("#id_initiator", "provider")
    page.fill("#id_requested_on", page.input_value("#id_on"))
    page.fill("#id_reason", "机构申请装修停业")
    page.click("button:has-text('确认办理')")
    assert "须提前3个月提出" in page.inner_text(".field-error")
    shot(page, f"{screenshot_prefix}-refused")
    page.select_option("#id_initiator", "agency")
    page.fill("#id_reason", "违规结算目录外费用，暂停整改")
    page.click("button:has-text('确认办理')")
    assert page.inner_text("#state") == "已暂停"
    shot(page, f"{screenshot_prefix}-suspended")


def test_it_lets_a_county_clerk_carry_an_application_to_a_suspension(
    browser_page, live_server, clerk_a, handling_rules, templates
):
    page = browser_page
    login(page, live_server.url, clerk_a.username)
    national, credit = codes("320902")
    _register(
        page,
        live_server.url,
        name="亭湖仁爱医院",
        region="320902",
        level="level2",
        national=national,
        credit=credit,
    )
    assert "经办单位：亭湖区" in page.inner_text(".messages")
    _to_published_and_suspended(page, "providers-county")
    provider = Provider.objects.get(national_code=national)
    assert provider.state == State.SUSPENDED
    assert ProviderEvent.objects.filter(provider=provider, created_by=clerk_a).count() == 8
    assert "已暂停" in page.inner_text("#events")


def test_it_lets_the_city_agency_handle_a_tertiary_hospital(
    browser_page, live_server, city_agent, handling_rules, templates
):
    page = browser_page
    login(page, live_server.url, city_agent.username)
    national, credit = codes("320902")
    # A second-level hospital is received by its county, not by the city agency.
    _register(
        page,
        live_server.url,
        name="亭湖二级医院",
        region="320902",
        level="level2",
        national=national,
        credit=credit,
    )
    assert "新增定点申请由负责经办的机构受理" in page.inner_text("main")
    page.select_option("#id_level", "level3")
    page.click("button:has-text('登记')")
    assert "经办单位：盐城市" in page.inner_text(".messages")
    _to_published_and_suspended(page, "providers-city")
    page.goto(f"{live_server.url}/providers/public/")
    assert national in page.inner_text("table")
    shot(page, "providers-public-list")
