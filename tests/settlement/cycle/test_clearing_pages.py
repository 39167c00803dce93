"""The clearing matrix and reconciliation pages: viewable, printable, CSV (BOM) and XLSX, county-scoped."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from settlement.cycle.steps import clearing
from tests.settlement.cycle import world
from tests.settlement.cycle.world import B, D

pytestmark = pytest.mark.django_db


@pytest.fixture
def hospitals(regions):
    hospitals = world.build(regions)
    world.provider_postings()
    world.run_step(clearing.STEP)
    return hospitals


def _csv(response) -> str:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return body.decode("utf-8-sig")


def test_the_matrix_page_shows_who_paid_for_whom(hospitals, client_for, finance):
    page = client_for(finance).get(reverse("settlement:cycle_clearing", args=["2027-03"]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "县际清算表" in text and "window.print()" in text and "format=xlsx" in text
    assert (
        "盐都区" in text and "大丰区" in text and "300.00" in text
    )  # B paid 300.00 for A's employees


def test_the_matrix_downloads_as_csv_and_xlsx(hospitals, client_for, finance):
    url = reverse("settlement:cycle_clearing", args=["2027-03"])
    rows = _csv(client_for(finance).get(url, {"format": "csv"})).splitlines()
    # Columns: book, payer, then insured counties A, B, D, own, others, total.
    assert "城乡居民基本医疗保险基金,盐都区,0.00,0.00,200.00,0.00,200.00,200.00" in rows
    assert "生育保险基金,大丰区,0.00,120.00,0.00,0.00,120.00,120.00" in rows
    book = load_workbook(
        io.BytesIO(b"".join(client_for(finance).get(url, {"format": "xlsx"}).streaming_content))
    )
    values = [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert "县际清算表" in values and 120 in values


def test_a_clerk_sees_their_units_rows_only(hospitals, client_for, clerk_a):
    rows = _csv(
        client_for(clerk_a).get(
            reverse("settlement:cycle_clearing", args=["2027-03"]), {"format": "csv"}
        )
    ).splitlines()
    body = "\n".join(rows)
    assert "亭湖区" in body
    # D paid for B's maternity: neither payer nor insured is 亭湖区.
    assert "生育保险基金" not in body


def test_the_reconcile_page_lists_differences(hospitals, regions, client_for, finance, clerk_a):
    world.settle(regions[D], hospitals[B], "resident", 1234)
    url = reverse("settlement:cycle_reconcile", args=["2027-03"])
    text = client_for(finance).get(url).content.decode()
    assert "月度对账差异" in text and "12.34" in text and "账簿核对" in text
    assert "12.34" not in client_for(clerk_a).get(url).content.decode()
    rows = _csv(client_for(finance).get(url, {"format": "csv"})).splitlines()
    assert any(
        r.startswith("定点机构结算与记账,") and r.endswith(",212.34,200.00,-12.34") for r in rows
    )


def test_a_bad_month_is_not_found(client_for, finance):
    assert (
        client_for(finance).get(reverse("settlement:cycle_clearing", args=["2027-13"])).status_code
        == 404
    )


def test_the_pages_need_a_sign_in(client):
    for name in ("settlement:cycle_clearing", "settlement:cycle_reconcile"):
        response = client.get(reverse(name, args=["2027-03"]))
        assert response.status_code == 302 and "login" in response["Location"]
