"""Balances, trial balance, fund statement and reconcile, read back from real postings."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from funds.chart import Category as C
from funds.selectors import book_balance_fen, fund_statement, monthly_expense_fen, trial_balance
from funds.services import cr, dr, post_entry
from funds.services.reconcile import reconcile_ledger
from tests.actors import SETUP

A, B = "320902", "320903"


@pytest.fixture
def flow(resident, acct):
    """March: A and B collect; money goes treasury → special → city exp → A's exp; A pays a hospital."""

    def post(key, day, *lines):
        post_entry(key=key, book=resident, memo=key, entry_date=day, lines=list(lines), actor=SETUP)

    feb, mar = date(2026, 2, 10), date(2026, 3, 10)
    post(
        "collect-a-feb",
        feb,
        dr(acct(resident, C.TREASURY_TRANSIT), 1000, A),
        cr(acct(resident, C.INCOME_PREMIUM, A), 1000),
    )
    post(
        "collect-a",
        mar,
        dr(acct(resident, C.TREASURY_TRANSIT), 5000, A),
        cr(acct(resident, C.INCOME_PREMIUM, A), 5000),
    )
    post(
        "subsidy-b",
        mar,
        dr(acct(resident, C.TREASURY_TRANSIT), 3000, B),
        cr(acct(resident, C.SUBSIDY_CENTRAL, B), 3000),
    )
    post(
        "to-special",
        mar,
        dr(acct(resident, C.FISCAL_SPECIAL), 6000, A),
        cr(acct(resident, C.TREASURY_TRANSIT), 6000, A),
    )
    post(
        "to-city",
        mar,
        dr(acct(resident, C.CITY_EXPENDITURE), 4000, A),
        cr(acct(resident, C.FISCAL_SPECIAL), 4000, A),
    )
    post(
        "to-a",
        mar,
        dr(acct(resident, C.COUNTY_EXPENDITURE, A), 4000),
        cr(acct(resident, C.CITY_EXPENDITURE), 4000, A),
    )
    post(
        "pay-a",
        mar,
        dr(acct(resident, C.BENEFIT_INPATIENT, A), 2500),
        cr(acct(resident, C.COUNTY_EXPENDITURE, A), 2500),
    )
    return resident


def test_it_builds_a_trial_balance_that_balances(flow):
    tb = trial_balance(book=flow, year=2026, month=3)
    assert tb.balanced
    assert tb.total("debit_fen") == 5000 + 3000 + 6000 + 4000 + 4000 + 2500
    treasury = next(r for r in tb.rows if r.account.category == C.TREASURY_TRANSIT)
    assert (
        treasury.opening_fen,
        treasury.debit_fen,
        treasury.credit_fen,
        treasury.closing_fen,
    ) == (1000, 8000, 6000, 3000)


def test_it_states_a_county_fund_by_budget_item(flow):
    st = fund_statement(book=flow, year=2026, month=3, county=A)
    assert st.opening_fen == 1000
    assert st.income_month_fen == 5000 and st.income_year_fen == 6000
    assert {i.category: i.month_fen for i in st.expense if i.month_fen} == {
        C.BENEFIT_INPATIENT: 2500
    }
    assert st.closing_fen == 1000 + 5000 - 2500
    city = fund_statement(book=flow, year=2026, month=3)
    assert city.income_month_fen == 8000 and city.closing_fen == 1000 + 8000 - 2500
    assert book_balance_fen(book=flow) == city.closing_fen  # cash equals the fund
    assert monthly_expense_fen(book=flow, year=2026, month=3, months=2) == [0, 2500]


def test_it_reconciles_and_reports_a_tampered_balance(flow, acct):
    assert reconcile_ledger() == []
    out = StringIO()
    call_command("reconcile", stdout=out)
    assert "ledger reconciles" in out.getvalue()
    income = acct(flow, C.INCOME_PREMIUM, A)
    with connection.cursor() as cursor:  # a "maintained" balance drifts from its lines
        cursor.execute(
            "UPDATE funds_account SET balance_fen = balance_fen - 1 WHERE id = %s", [income.pk]
        )
        cursor.execute(
            "UPDATE funds_accounttotal SET debit_fen = debit_fen + 7 WHERE account_id = %s",
            [income.pk],
        )
    found = {d.check.split(" / ")[1] for d in reconcile_ledger()}
    assert found == {
        "account balance differs from its lines",
        "account totals differ from the lines",
        "a book's balances do not sum to zero",
    }
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("reconcile", stdout=out)
    assert "差异 FAIL" in out.getvalue()


def test_the_api_gives_the_statement_and_trial_balance_in_yuan(flow, client, finance):
    """Both endpoints answered 500 (they named headers the reports module never had)."""
    client.force_login(finance)
    st = client.get(
        "/api/v1/funds/books/resident/statement/?year=2026&month=3&county=320902"
    ).json()
    assert st["header"][0] == "项目"
    income = next(r for r in st["rows"] if "收入合计" in r[0])
    assert income[1:] == ["50.00", "60.00"]  # March 5,000 fen; the year adds February's 1,000
    tb = client.get("/api/v1/funds/books/resident/trial-balance/?year=2026&month=3").json()
    assert tb["balanced"] is True and tb["header"][0] == "科目代码"
    treasury = [r for r in tb["rows"] if "国库过渡户" in r[1]]
    assert treasury and treasury[0][5:7] == ["80.00", "60.00"]  # March: in 5,000 + 3,000, out 6,000
