"""Pages, exports and API as people use them: finance sees every county; a county clerk no fund book."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

from funds.chart import Category as C
from funds.models import Entry, Line, Period
from funds.selectors import fund_statement
from funds.services import cr, dr, post_entry
from pooling.kernel.scoping import acting_as
from tests.actors import SETUP

A, B = "320902", "320903"


@pytest.fixture
def posted(resident, acct):
    for county, amount in ((A, 12345), (B, 67890)):
        post_entry(
            key=f"collect:{county}",
            book=resident,
            memo=f"保费{county}",
            entry_date=date(2026, 3, 5),
            lines=[
                dr(acct(resident, C.TREASURY_TRANSIT), amount, county),
                cr(acct(resident, C.INCOME_PREMIUM, county), amount),
            ],
            actor=SETUP,
        )
    return resident


def test_it_shows_every_ledger_page_to_finance(posted, finance, client_for):
    client = client_for(finance)
    for url in [
        "/funds/",
        "/funds/book/resident/",
        "/funds/book/resident/trial/?year=2026&month=3",
        "/funds/book/resident/statement/?year=2026&month=3",
        "/funds/book/resident/journal/?year=2026&month=3",
        "/funds/budgets/",
        "/funds/schedules/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    body = client.get("/funds/book/resident/journal/?year=2026&month=3").content.decode()
    assert "保费320902" in body and "保费320903" in body and "123.45" in body


def test_it_keeps_the_city_ledger_from_a_county_clerk(posted, clerk_a, client_for):
    # A county compiles its budget (funds:budgets) but reads no fund book: "fund.view".
    client = client_for(clerk_a)
    entry = Entry.objects.get(key=f"collect:{A}")
    for url in [
        "/funds/",
        "/funds/book/resident/journal/?year=2026&month=3",
        f"/funds/entry/{entry.pk}/",
        "/funds/book/resident/statement/?year=2026&month=3",
        "/api/v1/funds/accounts/",
    ]:
        response = client.get(url)
        assert response.status_code == 403 and "查看基金账簿与报表" in response.content.decode(), (
            url
        )
    assert client.get("/funds/budgets/").status_code == 200
    assert "/funds/budgets/" in client.get("/").content.decode()  # its menu item: 预算编报


def test_it_still_scopes_the_ledger_to_a_clerks_county_below_the_pages(posted, clerk_a):
    # Defence in depth: were a page to let a clerk in, the rows would still be their county's.
    with acting_as(clerk_a):
        memos = set(Line.objects.values_list("entry__memo", flat=True))
        statement = fund_statement(book=posted, year=2026, month=3)
    assert memos == {"保费320902"}
    assert statement.income_month_fen == 12345


def test_it_exports_statements_finance_can_open_in_excel(posted, finance, client_for):
    client = client_for(finance)
    csv = client.get("/funds/book/resident/trial/export/?year=2026&month=3&format=csv")
    text = b"".join(csv.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff科目代码") and "802.35" in text  # 123.45 + 678.90 on the treasury
    xlsx = client.get("/funds/book/resident/statement/export/?year=2026&month=3&format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    rows = {r[0]: r[1] for r in sheet.iter_rows(values_only=True)}
    assert rows["  收入合计"] == 802.35
    journal = client.get("/funds/book/resident/journal/export/?year=2026&month=3&format=xlsx")
    lines = list(
        load_workbook(io.BytesIO(b"".join(journal.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert len(lines) == 3 + 4 + 1  # title block and header, four lines, the totals


def test_it_closes_a_period_for_finance_only(posted, finance, clerk_a, client_for):
    assert (
        client_for(clerk_a)
        .post("/funds/book/resident/close/", {"year": 2026, "month": 3})
        .status_code
        == 403
    )
    client_for(finance).post("/funds/book/resident/close/", {"year": 2026, "month": 3})
    assert Period.objects.get(book=posted, year=2026, month=3).status == Period.CLOSED


def test_it_posts_through_the_api_idempotently(resident, finance, clerk_a, client_for):
    body: dict[str, Any] = {
        "key": "api:1",
        "book": "resident",
        "memo": "接口记账",
        "entry_date": "2026-03-02",
        "lines": [
            {"account": "1001-320900", "amount_fen": 500, "county": A},
            {"account": "4001-320902", "amount_fen": -500},
        ],
    }
    client = client_for(finance)
    first = client.post("/api/v1/funds/entries/", body, content_type="application/json")
    again = client.post("/api/v1/funds/entries/", body, content_type="application/json")
    assert (
        first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    )
    body["lines"][0]["amount_fen"], body["lines"][1]["amount_fen"] = 600, -600
    clash = client.post("/api/v1/funds/entries/", body, content_type="application/json")
    assert clash.status_code == 400 and "幂等键" in clash.json()["detail_zh"]
    refused = client_for(clerk_a).post(
        "/api/v1/funds/entries/", body, content_type="application/json"
    )
    assert (
        refused.status_code == 403
        and refused.json()["detail_zh"] == "您的角色无权执行此操作：基金记账"
    )
    assert refused.json()["detail_en"] != refused.json()["detail_zh"]


def test_it_reverses_an_entry_from_its_page(posted, finance, client_for):
    entry = Entry.objects.get(key=f"collect:{A}")
    response = client_for(finance).post(f"/funds/entry/{entry.pk}/reverse/")
    reversal = Entry.objects.get(reverses=entry)
    assert response.status_code == 302 and response["Location"] == f"/funds/entry/{reversal.pk}/"
    client_for(finance).post(f"/funds/entry/{entry.pk}/reverse/")  # a second click changes nothing
    assert Entry.objects.filter(reverses=entry).count() == 1


def test_it_files_a_monthly_plan_and_shows_the_year_end(posted, clerk_a, finance, client_for):
    client_for(clerk_a).post(
        "/funds/budgets/monthly-plan/",
        {"book": "resident", "year": 2026, "month": 4, "planned": "1500.50"},
    )
    from funds.models import MonthlyPlan

    plan = MonthlyPlan.objects.get()
    assert (plan.county_id, plan.planned_expense_fen) == (A, 150050)
    page = client_for(finance).get("/funds/book/resident/year-end/?year=2026")
    assert page.status_code == 200 and "<h2>基金缺口的弥补</h2>" in page.content.decode()
    response = client_for(finance).post("/funds/book/resident/year-end/?year=2026", {"month": 3})
    assert response.status_code == 302  # no rate entered: told so, nothing posted
    assert not Entry.objects.filter(key__startswith="interest:").exists()


def test_it_shows_a_county_clerk_the_year_end_of_their_own_county(posted, clerk_a, client_for):
    """Was a 500: the city's risk reserve is no account of a county's clerk."""
    page = client_for(clerk_a).get("/funds/book/resident/year-end/?year=2026")
    body = page.content.decode()
    assert page.status_code == 200 and "年终决算" in body
    assert "<h2>基金缺口的弥补</h2>" not in body and "由市级决算" in body
