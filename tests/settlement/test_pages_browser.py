"""The settlement pages in a real browser at an office screen's size (1366×768) and on A4 paper,
in English, whose headings are the longest: nothing may run off the side."""

from __future__ import annotations

import pytest

from tests.browser import login

pytestmark = pytest.mark.browser

SCREEN = {"width": 1366, "height": 768}
# A4 portrait is 210 mm wide; less the stylesheet's 12 mm margins, 186 mm at 96 px per inch
# is 186 / 25.4 × 96 = 703 px of printable width.
A4_WIDTH = 703


@pytest.fixture
def settled(hsa, people):
    person = people.resident
    mdtrt_id = hsa.register(person, insutype="390")
    hsa.fees(mdtrt_id, person, [("001102000000100", "1", "200.00")])
    return hsa.settle(mdtrt_id, person, "200.00", insutype="390")["output"]["setlinfo"]["setl_id"]


def english_page(browser_page, live_server, user):
    page = browser_page
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.set_viewport_size(SCREEN)
    login(page, live_server.url, user.username)
    return page


def overflow(page) -> int:
    """How many pixels the page is wider than the window (0: it fits)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def test_wide_tables_fit_the_screen_in_english(browser_page, live_server, settled, clerk_b, people):
    from django.utils import timezone

    page = english_page(browser_page, live_server, clerk_b)
    month = f"{timezone.localdate():%Y-%m}"
    for url in (
        f"/settlement/cycle/{month}/providers/",  # sixteen columns
        f"/enrollment/people/{people.resident.pk}/",  # the accumulators' long headings
        f"/settlement/settlements/?month={month}",
    ):
        page.goto(live_server.url + url)
        assert overflow(page) == 0, url


def test_the_printed_statement_fits_a4_portrait(browser_page, live_server, settled, clerk_a):
    page = english_page(browser_page, live_server, clerk_a)
    page.set_viewport_size({"width": A4_WIDTH, "height": 1000})
    page.emulate_media(media="print")
    page.goto(f"{live_server.url}/settlement/s/{settled}/print/")
    assert overflow(page) == 0
    assert not page.locator("header.topbar").is_visible()  # no navigation on paper
