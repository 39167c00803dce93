"""The posting service: every rule that keeps the books honest, as seen by a caller."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from funds.chart import Category as C
from funds.models import Account, AccountTotal, Entry, Line
from funds.services import cr, dr, period_close, post_entry, reverse_entry
from funds.services import ledger as L
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.scoping import acting_as
from tests.actors import SETUP

A = "320902"
B = "320903"
DAY = date(2026, 3, 10)


def collect(book, acct, amount, key="collect:1", county=A, when=DAY):
    """Premiums of a county arrive in the treasury transit account."""
    return post_entry(
        key=key,
        book=book,
        memo="保费收入",
        entry_date=when,
        lines=[
            dr(acct(book, C.TREASURY_TRANSIT), amount, county),
            cr(acct(book, C.INCOME_PREMIUM, county), amount),
        ],
        actor=SETUP,
    )


def balance(account: Account) -> int:
    return Account.objects.get(pk=account.pk).balance_fen


def test_it_posts_a_balanced_entry_and_moves_balances_and_totals(resident, acct):
    entry = collect(resident, acct, 12345)
    assert Line.objects.filter(entry=entry).count() == 2
    assert balance(acct(resident, C.TREASURY_TRANSIT)) == 12345
    assert balance(acct(resident, C.INCOME_PREMIUM, A)) == -12345
    total = AccountTotal.objects.get(account=acct(resident, C.TREASURY_TRANSIT))
    assert (total.county_id, total.debit_fen, total.credit_fen, total.line_count) == (
        A,
        12345,
        0,
        1,
    )


@pytest.mark.parametrize(
    "lines, message",
    [
        ([(C.TREASURY_TRANSIT, 100), (C.INCOME_PREMIUM, -99)], L.UNBALANCED),
        ([(C.TREASURY_TRANSIT, 100)], L.TOO_FEW_LINES),
        ([(C.TREASURY_TRANSIT, 0), (C.INCOME_PREMIUM, 0)], L.BAD_AMOUNT),
        ([(C.TREASURY_TRANSIT, 1.5), (C.INCOME_PREMIUM, -1.5)], L.BAD_AMOUNT),
    ],
)
def test_it_refuses_entries_that_would_lie(resident, acct, lines, message):
    specs = [L.LineSpec(acct(resident, cat, A), amount, A) for cat, amount in lines]
    with pytest.raises(BusinessRuleError) as err:
        post_entry(key="bad", book=resident, memo="错", lines=specs, entry_date=DAY, actor=SETUP)
    assert err.value.message == message
    assert not Entry.objects.exists()


def test_it_returns_the_same_entry_when_the_same_key_comes_again(resident, acct):
    first = collect(resident, acct, 500)
    again = collect(resident, acct, 500)
    assert again.pk == first.pk
    assert Entry.objects.count() == 1
    assert balance(acct(resident, C.TREASURY_TRANSIT)) == 500


def test_it_refuses_the_same_key_with_another_payload(resident, acct):
    collect(resident, acct, 500)
    with pytest.raises(BusinessRuleError) as err:
        collect(resident, acct, 501)
    assert err.value.message == L.KEY_REUSED
    assert balance(acct(resident, C.TREASURY_TRANSIT)) == 500


def test_it_never_posts_across_two_books(books, acct):
    resident, employee = books["resident"], books["employee_pooled"]
    with pytest.raises(BusinessRuleError) as err:
        post_entry(
            key="x",
            book=resident,
            memo="跨账簿",
            entry_date=DAY,
            lines=[
                dr(acct(resident, C.TREASURY_TRANSIT), 100, A),
                cr(acct(employee, C.INCOME_PREMIUM, A), 100),
            ],
            actor=SETUP,
        )
    assert err.value.message == L.OTHER_BOOK


def test_it_refuses_a_county_account_line_accounted_to_another_county(resident, acct):
    with pytest.raises(BusinessRuleError) as err:
        post_entry(
            key="x",
            book=resident,
            memo="错县",
            entry_date=DAY,
            lines=[
                dr(acct(resident, C.TREASURY_TRANSIT), 100, B),
                cr(acct(resident, C.INCOME_PREMIUM, A), 100, B),
            ],
            actor=SETUP,
        )
    assert err.value.message == L.WRONG_COUNTY


def test_it_refuses_to_overdraw_a_no_overdraft_account(resident, acct):
    special = acct(resident, C.FISCAL_SPECIAL)
    with pytest.raises(BusinessRuleError) as err:
        post_entry(
            key="pay",
            book=resident,
            memo="拨付",
            entry_date=DAY,
            lines=[dr(acct(resident, C.CITY_EXPENDITURE), 100, A), cr(special, 100, A)],
            actor=SETUP,
        )
    assert err.value.message == L.OVERDRAFT
    assert balance(special) == 0


def test_it_corrects_a_mistake_with_a_reversing_entry(resident, acct):
    entry = collect(resident, acct, 700)
    reversal = reverse_entry(entry=entry, actor=SETUP)
    assert reversal.reverses == entry
    assert balance(acct(resident, C.TREASURY_TRANSIT)) == 0
    assert (
        reverse_entry(entry=entry, actor=SETUP).pk == reversal.pk
    )  # replay, not a second reversal
    with pytest.raises(BusinessRuleError) as err:
        reverse_entry(entry=entry, key="another", actor=SETUP)
    assert err.value.message == L.ALREADY_REVERSED


def test_it_takes_no_entry_into_a_closed_period(resident, acct):
    collect(resident, acct, 100)
    period_close(book=resident, year=2026, month=3, actor=SETUP)
    with pytest.raises(BusinessRuleError) as err:
        collect(resident, acct, 100, key="late")
    assert err.value.message == L.PERIOD_CLOSED
    collect(resident, acct, 100, key="april", when=date(2026, 4, 1))  # the next month is open


def test_it_lets_a_clerk_post_only_for_their_own_county(resident, acct, clerk_a, auditor):
    with acting_as(clerk_a):
        collect(resident, acct, 100)
        with pytest.raises(PermissionDenied):
            collect(resident, acct, 100, key="b", county=B)
        assert Line.objects.filter(county_id=B).count() == 0
        # The clerk sees lines accounted to their county, not the city's own accounts.
        assert not Account.objects.filter(city_level=True).exists()
    with acting_as(auditor), pytest.raises(PermissionDenied):
        collect(resident, acct, 100, key="audit")
