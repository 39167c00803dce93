"""Rows of the fund app in a given county, for the scoping matrix (see CONTRIBUTING.md)."""

from __future__ import annotations

from datetime import date

from funds.chart import Category
from funds.models import Account, AccountTotal, Line
from funds.services import cr, dr, post_entry
from funds.services.setup import account_for, books_ensure
from pooling.models import Region


def _book():
    return {b.code: b for b in books_ensure(area_code="320900")}["resident"]


def make_account(county: Region, marker: str) -> Account:
    book = _book()
    account = account_for(book=book, category=Category.INCOME_OTHER, county_code=county.code)
    Account.objects.filter(pk=account.pk).update(name=f"{account.name}{marker}")
    account.refresh_from_db()
    return account


def make_line(county: Region, marker: str) -> Line:
    book = _book()
    entry = post_entry(key=f"factory:{marker}", book=book, memo=marker, entry_date=date(2026, 1, 15), lines=[
        dr(account_for(book=book, category=Category.TREASURY_TRANSIT, county_code=county.code), 1, county.code),
        cr(make_account(county, marker), 1),
    ])
    return Line.objects.filter(entry=entry, county=county).first()  # type: ignore[return-value]


def make_total(county: Region, marker: str) -> AccountTotal:
    line = make_line(county, marker)
    return AccountTotal.objects.get(account=line.account, county=county)


SCOPED_FACTORIES = {Account: make_account, Line: make_line, AccountTotal: make_total}
