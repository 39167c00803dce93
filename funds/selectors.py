"""Reads of the fund ledger: balances, trial balance, fund statements, payment capacity.

Everything here reads the maintained `AccountTotal` rows (accounts × counties ×
months: thousands of rows, not millions of lines), so a statement answers in
milliseconds at any ledger size; `funds.services.reconcile` proves the totals
equal the lines. County scoping applies as everywhere: a clerk's statement is
their county's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from funds.chart import (
    CASH_CATEGORIES,
    DEBIT,
    EXPENSE_CATEGORIES,
    INCOME_CATEGORIES,
    Category,
    Klass,
)
from funds.models import Account, AccountTotal, Book, Entry, Line, Period


def month_before(year: int, month: int) -> Q:
    return Q(period__year__lt=year) | Q(period__year=year, period__month__lt=month)


def month_until(year: int, month: int) -> Q:
    return Q(period__year__lt=year) | Q(period__year=year, period__month__lte=month)


def books() -> QuerySet[Book]:
    return Book.objects.all()


def accounts(*, book: Book) -> QuerySet[Account]:
    return Account.objects.filter(book=book).select_related("county").order_by("code")


@dataclass
class TrialRow:
    account: Account
    opening_fen: int = 0  # debit-positive
    debit_fen: int = 0
    credit_fen: int = 0

    @property
    def closing_fen(self) -> int:
        return self.opening_fen + self.debit_fen - self.credit_fen

    @property
    def opening_debit(self) -> int:
        return max(self.opening_fen, 0)

    @property
    def opening_credit(self) -> int:
        return max(-self.opening_fen, 0)

    @property
    def closing_debit(self) -> int:
        return max(self.closing_fen, 0)

    @property
    def closing_credit(self) -> int:
        return max(-self.closing_fen, 0)


@dataclass
class TrialBalance:
    book: Book
    year: int
    month: int
    rows: list[TrialRow] = field(default_factory=list)

    def total(self, attr: str) -> int:
        return sum(getattr(r, attr) for r in self.rows)

    @property
    def balanced(self) -> bool:
        return (self.total("debit_fen") == self.total("credit_fen")
                and self.total("opening_fen") == 0 and self.total("closing_fen") == 0)


def trial_balance(*, book: Book, year: int, month: int, county: str | None = None) -> TrialBalance:
    """Opening balance, the month's debits and credits, and closing balance of every account."""
    totals = AccountTotal.objects.filter(account__book=book).filter(month_until(year, month))
    if county:
        totals = totals.filter(county_id=county)
    during = Q(period__year=year, period__month=month)
    rows = {r["account"]: r for r in totals.values("account").annotate(
        d=Sum("debit_fen"), c=Sum("credit_fen"),
        dm=Sum("debit_fen", filter=during), cm=Sum("credit_fen", filter=during)).order_by()}
    result = TrialBalance(book=book, year=year, month=month)
    for account in Account.objects.filter(pk__in=rows).select_related("county").order_by("code"):
        r = rows[account.pk]
        dm, cm = r["dm"] or 0, r["cm"] or 0
        result.rows.append(TrialRow(account=account, opening_fen=(r["d"] or 0) - dm - (r["c"] or 0) + cm,
                                    debit_fen=dm, credit_fen=cm))
    return result


@dataclass
class StatementItem:
    category: str
    label: str
    month_fen: int = 0
    year_fen: int = 0


@dataclass
class FundStatement:
    """基金收支情况表 of one book for one county (or the whole city) and one month."""

    book: Book
    county: str | None
    year: int
    month: int
    opening_fen: int = 0
    income: list[StatementItem] = field(default_factory=list)
    expense: list[StatementItem] = field(default_factory=list)
    cash: list[tuple[str, int]] = field(default_factory=list)

    @property
    def income_month_fen(self) -> int:
        return sum(i.month_fen for i in self.income)

    @property
    def expense_month_fen(self) -> int:
        return sum(i.month_fen for i in self.expense)

    @property
    def income_year_fen(self) -> int:
        return sum(i.year_fen for i in self.income)

    @property
    def expense_year_fen(self) -> int:
        return sum(i.year_fen for i in self.expense)

    @property
    def surplus_month_fen(self) -> int:
        return self.income_month_fen - self.expense_month_fen

    @property
    def closing_fen(self) -> int:
        return self.opening_fen + self.surplus_month_fen


def fund_statement(*, book: Book, year: int, month: int, county: str | None = None) -> FundStatement:
    """Income and expenditure by budget item for the month and the year to date, with balances."""
    totals = AccountTotal.objects.filter(account__book=book).filter(month_until(year, month))
    if county:
        totals = totals.filter(county_id=county)
    this_month = Q(period__year=year, period__month=month)
    this_year = Q(period__year=year)
    rows = totals.values("account__category").annotate(
        net=Sum("debit_fen") - Sum("credit_fen"),
        month_net=Sum("debit_fen", filter=this_month) - Sum("credit_fen", filter=this_month),
        year_net=Sum("debit_fen", filter=this_year) - Sum("credit_fen", filter=this_year),
    ).order_by()
    until = {r["account__category"]: r["net"] or 0 for r in rows}
    month_rows = {r["account__category"]: r["month_net"] or 0 for r in rows}
    year_rows = {r["account__category"]: r["year_net"] or 0 for r in rows}
    st = FundStatement(book=book, county=county, year=year, month=month)
    for cats, target, sign in ((INCOME_CATEGORIES, st.income, -1), (EXPENSE_CATEGORIES, st.expense, 1)):
        for cat in cats:
            target.append(StatementItem(category=cat, label=str(Category(cat).label),
                                        month_fen=sign * month_rows.get(cat, 0),
                                        year_fen=sign * year_rows.get(cat, 0)))
    before = {c: until.get(c, 0) - month_rows.get(c, 0) for c in until}
    st.opening_fen = (-sum(before.get(c, 0) for c in INCOME_CATEGORIES)
                      - sum(before.get(c, 0) for c in EXPENSE_CATEGORIES))
    st.cash = [(str(Category(c).label), until.get(c, 0)) for c in CASH_CATEGORIES]
    return st


def book_balance_fen(*, book: Book, county: str | None = None) -> int:
    """The fund's accumulated balance: what its cash and receivables hold net of payables."""
    totals = AccountTotal.objects.filter(account__book=book,
                                         account__klass__in=[Klass.ASSET, Klass.LIABILITY])
    if county:
        totals = totals.filter(county_id=county)
    agg = totals.aggregate(d=Sum("debit_fen"), c=Sum("credit_fen"))
    return (agg["d"] or 0) - (agg["c"] or 0)


def monthly_expense_fen(*, book: Book, year: int, month: int, months: int = 12,
                        county: str | None = None) -> list[int]:
    """Expenditure of each of the `months` months up to and including (year, month)."""
    keys = []
    y, m = year, month
    for _ in range(months):
        keys.append((y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    totals = AccountTotal.objects.filter(account__book=book, account__klass=Klass.EXPENSE,
                                         period__year__gte=keys[-1][0])
    if county:
        totals = totals.filter(county_id=county)
    rows = totals.values("period__year", "period__month").annotate(
        d=Sum("debit_fen"), c=Sum("credit_fen")).order_by()
    got = {(r["period__year"], r["period__month"]): (r["d"] or 0) - (r["c"] or 0) for r in rows}
    return [got.get(k, 0) for k in reversed(keys)]


def journal(*, book: Book | None = None, year: int | None = None, month: int | None = None,
            county: str | None = None) -> QuerySet[Line]:
    """Posted lines with their entry and account, in posting order (scoped to the reader)."""
    lines = Line.objects.select_related("entry", "account", "county", "entry__period")
    if book is not None:
        lines = lines.filter(book=book)
    if year and month:
        lines = lines.filter(entry__period__year=year, entry__period__month=month)
    if county:
        lines = lines.filter(county_id=county)
    return lines.order_by("entry_id", "id")


def account_lines(*, account: Account, limit: int = 200) -> list[Line]:
    """The latest lines of one account, newest first."""
    return list(Line.objects.filter(account=account).select_related("entry", "county")
                .order_by("-id")[:limit])


def entry_visible(*, entry_id: int) -> Entry | None:
    """An entry, if the reader may see at least one of its lines."""
    if not Line.objects.filter(entry_id=entry_id).exists():
        return None
    return Entry.objects.select_related("book", "period", "created_by", "reverses").get(pk=entry_id)


def periods(*, book: Book) -> QuerySet[Period]:
    return Period.objects.filter(book=book).order_by("-year", "-month")


def side_sign(account: Account) -> int:
    return 1 if account.side == DEBIT else -1


def today_period() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year, today.month
