"""The provider statements' pages: the month's list and one statement, printable, CSV with a BOM
and XLSX through the one writer; a county clerk sees the providers their unit handles only."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.settlement.cycle import out_world as w

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(regions, demo_policy):
    providers = w.build(regions)
    w.run()
    return providers


def _url(code: str = "") -> str:
    if code:
        return reverse("settlement:cycle_provider_statement", args=["2026-10", code])
    return reverse("settlement:cycle_providers", args=["2026-10"])


def test_the_city_sees_every_statement_and_a_clerk_only_their_units(
    world, client_for, city_agent, clerk_b
):
    page = client_for(city_agent).get(_url()).content.decode()
    assert all(world[k].national_code in page for k in ("P1", "P2", "P3"))
    assert "846.50" in page and "暂缓支付" in page
    assert (
        "/settlement/cycle/2026-09/providers/" in page
        and "/settlement/cycle/2026-11/providers/" in page
    )
    theirs = client_for(clerk_b)
    page = theirs.get(_url()).content.decode()
    assert world["P2"].national_code in page and world["P1"].national_code not in page
    assert theirs.get(_url(world["P1"].national_code)).status_code == 404
    # Their files too: P2's row, and totals (the carry columns' among them) of P2 alone.
    listing = b"".join(theirs.get(_url() + "?format=csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(listing)))
    header, body = rows[0], rows[1:]
    assert [r[0].strip() for r in body] == [world["P2"].national_code, "合计"]
    p2, totals = (dict(zip(header, r, strict=True)) for r in body)
    for column in ("实付金额", "本月挂账", "本月未扣足", "不予返还保证金"):
        assert totals[column] == p2[column]
    assert p2["实付金额"] == "285.00"
    sheet = load_workbook(
        io.BytesIO(b"".join(theirs.get(_url() + "?format=xlsx").streaming_content))
    ).active
    codes = [r[0] for r in sheet.iter_rows(min_row=4, values_only=True)]
    assert codes == [world["P2"].national_code, "合计"]


def test_a_statement_prints_and_downloads(world, client_for, city_agent):
    client = client_for(city_agent)
    code = world["P1"].national_code
    page = client.get(_url(code)).content.decode()
    assert "window.print()" in page and "846.50" in page and "80.00" in page and "2025" in page
    single = b"".join(client.get(_url(code) + "?format=csv").streaming_content)
    assert single.startswith("\ufeff".encode()) and "城乡居民大病保险基金".encode() in single
    sheet = load_workbook(
        io.BytesIO(b"".join(client.get(_url(code) + "?format=xlsx").streaming_content))
    ).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert 663 in values or 663.0 in values  # the pooled book's net, in yuan
    listing = b"".join(client.get(_url() + "?format=csv").streaming_content).decode("utf-8-sig")
    assert code in listing and "846.5" in listing
    # The second tier has its columns: P1's 大病保险 is settlement 2's 30.00; no 大额补充.
    header, *body = list(csv.reader(io.StringIO(listing)))
    p1 = next(dict(zip(header, r, strict=True)) for r in body if r[0].strip() == code)
    assert (p1["大病保险"], p1["大额补充"]) == ("30.00", "0.00")


def test_a_bad_month_is_not_found(world, client_for, city_agent):
    assert client_for(city_agent).get("/settlement/cycle/2026-13/providers/").status_code == 404
