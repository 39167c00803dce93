"""A provider's monthly 结算单 printed on A4 portrait, in English (the longest headings), with a
clearing application on it: its twelve columns must stay on the sheet."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from pooling.kernel.scoping import unrestricted
from settlement.models import ClearingApplication
from tests.browser import login
from tests.settlement.cycle import out_world as w

pytestmark = pytest.mark.browser

# A4 portrait 210 mm less the stylesheet's 12 mm margins: 186 / 25.4 × 96 = 703 px.
A4_WIDTH = 703


@pytest.fixture
def world(regions, demo_policy):
    providers = w.build(regions)
    w.run()
    with unrestricted():
        ClearingApplication.objects.create(
            provider=providers["P1"],
            month=date(2026, 10, 1),
            clr_type="11",
            clr_way="1",
            person_times=22,
            msgid="M1",
            applied_at=timezone.now(),
        )
    return providers


def test_a_providers_statement_with_its_clearing_application_fits_a4(
    browser_page, live_server, world, city_agent
):
    page = browser_page
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    login(page, live_server.url, city_agent.username)
    page.set_viewport_size({"width": A4_WIDTH, "height": 1000})
    page.emulate_media(media="print")
    code = world["P1"].national_code
    page.goto(f"{live_server.url}/settlement/cycle/2026-10/providers/{code}/")
    assert page.locator("#clearing-applications").is_visible()
    wider = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert wider == 0
