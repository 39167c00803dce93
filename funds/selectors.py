"""Reads of the fund ledger: balances, trial balance, fund statements, payment capacity.

Everything here reads the maintained `AccountTotal` rows (accounts × counties ×
months: thousands of rows, not millions of lines), so a statement answers in
milliseconds at any ledger size; `funds.services.reconcile` proves the totals
equal the lines. County scoping applies as everywhere: a clerk's statement is
their county's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funds.chart import (
    CASH_CATEGORIES,
    DEBIT,
    EXPENSE_CATEGORIES,
    INCOME_CATEGORIES,
    KINDS,
    Category,
    Klass,
)
from funds.models import Account, AccountTotal, Book, Budget, Entry, Line, MonthlyPlan, Period
from pooling.kernel.money import round_fen
from pooling.kernel.scoping import unrestricted


def month_before(year: int, month: int) -> Q:
    return Q(period__year__lt=year) | Q(period__year=year, period__month__lt=month)


def month_until(year: int, month: int) -> Q:
    return Q(period__year__lt=year) | Q(period__year=year, period__month__lte=month)


def books() -> QuerySet[Book]:
    return Book.objects.all()


def accounts(*, book: Book) -> QuerySet[Account]:
    return Account.objects.filter(book=book).select_related("county").order_by("code")


@dataclass
class AccountGroup:
    """The accounts of one category (one per handling unit, or the city's one)."""

    category: str
    label: str
    klass: str
    accounts: list[Account]

    @property
    def balance_fen(self) -> int:
        return sum(a.normal_balance_fen for a in self.accounts)


def account_groups(*, book: Book, county: str | None = None) -> list[AccountGroup]:
    """A book's accounts by category in chart order, each category's by unit: a book of
    ~250 accounts reads as ~30 lines a reader opens, not one list."""
    rows = accounts(book=book).order_by("code", "county__sort_order")
    if county:
        rows = rows.filter(county_id=county)
    groups: dict[str, AccountGroup] = {}
    for account in rows:
        group = groups.get(account.category)
        if group is None:
            group = groups[account.category] = AccountGroup(
                account.category, account.get_category_display(), account.get_klass_display(), []
            )
        group.accounts.append(account)
    order = {category: i for i, category in enumerate(KINDS)}
    return sorted(groups.values(), key=lambda g: order.get(g.category, len(order)))


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
        return (
            self.total("debit_fen") == self.total("credit_fen")
            and self.total("opening_fen") == 0
            and self.total("closing_fen") == 0
        )


def trial_balance(*, book: Book, year: int, month: int, county: str | None = None) -> TrialBalance:
    """Opening balance, the month's debits and credits, and closing balance of every account."""
    totals = AccountTotal.objects.filter(account__book=book).filter(month_until(year, month))
    if county:
        totals = totals.filter(county_id=county)
    during = Q(period__year=year, period__month=month)
    rows = {
        r["account"]: r
        for r in totals.values("account")
        .annotate(
            d=Sum("debit_fen"),
            c=Sum("credit_fen"),
            dm=Sum("debit_fen", filter=during),
            cm=Sum("credit_fen", filter=during),
        )
        .order_by()
    }
    result = TrialBalance(book=book, year=year, month=month)
    # The rows are already scoped: a clerk sees the city's accounts only where their
    # own county's amounts sit on them (treasury, special account), never the rest.
    with unrestricted():
        accounts = list(
            Account.objects.filter(pk__in=list(rows)).select_related("county").order_by("code")
        )
    for account in accounts:
        r = rows[account.pk]
        dm, cm = r["dm"] or 0, r["cm"] or 0
        result.rows.append(
            TrialRow(
                account=account,
                opening_fen=(r["d"] or 0) - dm - (r["c"] or 0) + cm,
                debit_fen=dm,
                credit_fen=cm,
            )
        )
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
    opening_fen: int = 0  # the fund's balance when the month opened
    opening_year_fen: int = 0  # ... and when the year opened
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
    def surplus_year_fen(self) -> int:
        return self.income_year_fen - self.expense_year_fen

    @property
    def closing_fen(self) -> int:
        """The same balance from either column: opening + result, month or year to date."""
        return self.opening_fen + self.surplus_month_fen


def fund_statement(
    *, book: Book, year: int, month: int, county: str | None = None
) -> FundStatement:
    """Income and expenditure by budget item for the month and the year to date, with balances."""
    totals = AccountTotal.objects.filter(account__book=book).filter(month_until(year, month))
    if county:
        totals = totals.filter(county_id=county)
    this_month = Q(period__year=year, period__month=month)
    this_year = Q(period__year=year)
    rows = (
        totals.values("account__category")
        .annotate(
            net=Sum("debit_fen") - Sum("credit_fen"),
            month_net=Sum("debit_fen", filter=this_month) - Sum("credit_fen", filter=this_month),
            year_net=Sum("debit_fen", filter=this_year) - Sum("credit_fen", filter=this_year),
        )
        .order_by()
    )
    until = {r["account__category"]: r["net"] or 0 for r in rows}
    month_rows = {r["account__category"]: r["month_net"] or 0 for r in rows}
    year_rows = {r["account__category"]: r["year_net"] or 0 for r in rows}
    st = FundStatement(book=book, county=county, year=year, month=month)
    for cats, target, sign in (
        (INCOME_CATEGORIES, st.income, -1),
        (EXPENSE_CATEGORIES, st.expense, 1),
    ):
        for cat in cats:
            target.append(
                StatementItem(
                    category=cat,
                    label=str(Category(cat).label),
                    month_fen=sign * month_rows.get(cat, 0),
                    year_fen=sign * year_rows.get(cat, 0),
                )
            )
    # The fund's balance is what income exceeded spending by (income is credit-side).
    result = INCOME_CATEGORIES + EXPENSE_CATEGORIES
    st.opening_fen = -sum(until.get(c, 0) - month_rows.get(c, 0) for c in result)
    st.opening_year_fen = -sum(until.get(c, 0) - year_rows.get(c, 0) for c in result)
    st.cash = [(str(Category(c).label), until.get(c, 0)) for c in CASH_CATEGORIES]
    return st


def book_balance_fen(*, book: Book, county: str | None = None) -> int:
    """The fund's accumulated balance: what its cash and receivables hold net of payables."""
    totals = AccountTotal.objects.filter(
        account__book=book, account__klass__in=[Klass.ASSET, Klass.LIABILITY]
    )
    if county:
        totals = totals.filter(county_id=county)
    agg = totals.aggregate(d=Sum("debit_fen"), c=Sum("credit_fen"))
    return (agg["d"] or 0) - (agg["c"] or 0)


def monthly_expense_fen(
    *, book: Book, year: int, month: int, months: int = 12, county: str | None = None
) -> list[int]:
    """Expenditure of each of the `months` months up to and including (year, month)."""
    keys = []
    y, m = year, month
    for _step in range(months):
        keys.append((y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    totals = AccountTotal.objects.filter(
        account__book=book, account__klass=Klass.EXPENSE, period__year__gte=keys[-1][0]
    )
    if county:
        totals = totals.filter(county_id=county)
    rows = (
        totals.values("period__year", "period__month")
        .annotate(d=Sum("debit_fen"), c=Sum("credit_fen"))
        .order_by()
    )
    got = {(r["period__year"], r["period__month"]): (r["d"] or 0) - (r["c"] or 0) for r in rows}
    return [got.get(k, 0) for k in reversed(keys)]


def journal(
    *,
    book: Book | None = None,
    year: int | None = None,
    month: int | None = None,
    county: str | None = None,
) -> QuerySet[Line]:
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
    return list(
        Line.objects.filter(account=account)
        .select_related("entry", "county")
        .order_by("-id")[:limit]
    )


def entry_visible(*, entry_id: int) -> Entry | None:
    """An entry, if the reader may see at least one of its lines."""
    if not Line.objects.filter(entry_id=entry_id).exists():
        return None
    return Entry.objects.select_related("book", "period", "created_by", "reverses").get(pk=entry_id)


def periods(*, book: Book) -> QuerySet[Period]:
    return Period.objects.filter(book=book).order_by("-year", "-month")


def latest_posted_period(*, book: Book) -> tuple[int, int] | None:
    """The latest (year, month) with postings the reader may see, or None.

    Read from the maintained totals (thousands of rows), scoped like everything else, so
    a clerk's journal opens on their county's latest month, not on an empty one.
    """
    found = (
        AccountTotal.objects.filter(account__book=book, line_count__gt=0)
        .order_by("-period__year", "-period__month")
        .values_list("period__year", "period__month")
        .first()
    )
    return (found[0], found[1]) if found else None


def side_sign(account: Account) -> int:
    return 1 if account.side == DEBIT else -1


def today_period() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year, today.month


@dataclass
class Capacity:
    """可支付月数 of one book: balance ÷ average monthly spending of the last 12 months."""

    book: Book
    balance_fen: int
    average_expense_fen: int
    months: Decimal | None
    level: str  # ok | warn | danger
    note: str


def capacity(
    *, book: Book, year: int | None = None, month: int | None = None, county: str | None = None
) -> Capacity:
    if year is None or month is None:
        year, month = today_period()
    balance = book_balance_fen(book=book, county=county)
    spent = monthly_expense_fen(book=book, year=year, month=month, months=12, county=county)
    average = round_fen(Decimal(sum(spent)) / 12)
    if average <= 0:
        return Capacity(book, balance, 0, None, "info", str(_("近12个月无支出")))
    months = (Decimal(balance) / Decimal(average)).quantize(Decimal("0.1"))
    if months < book.capacity_danger_below:
        level, note = "danger", _("可支付月数不足，需调整政策或动用风险准备金")
    elif months < book.capacity_warn_below:
        level, note = "warn", _("可支付月数低于预警线")
    elif months > book.capacity_warn_above:
        level, note = "warn", _("基金累计结余过多")
    else:
        level, note = "ok", _("正常")
    return Capacity(book, balance, average, months, level, str(note))


def book_overview() -> list[Capacity]:
    return [capacity(book=b) for b in Book.objects.all()]


@dataclass
class ExecutionRow:
    category: str
    label: str
    budget_fen: int
    actual_fen: int

    @property
    def rate(self) -> Decimal | None:
        if not self.budget_fen:
            return None
        return (Decimal(self.actual_fen) * 100 / Decimal(self.budget_fen)).quantize(Decimal("0.1"))


def budget_execution(*, budget: Budget, month: int = 12) -> list[ExecutionRow]:
    """Budget against actual, year to date (through `month`), item by item, at any time."""
    st = fund_statement(book=budget.book, year=budget.year, month=month, county=budget.county_id)
    planned = dict(budget.items.values_list("category", "amount_fen"))
    return [
        ExecutionRow(i.category, i.label, planned.get(i.category, 0), i.year_fen)
        for i in st.income + st.expense
        if planned.get(i.category) or i.year_fen
    ]


@dataclass
class CityPlan:
    year: int
    month: int
    rows: list[tuple[str, str, int, int]]  # county code, name, planned, actual

    @property
    def planned_fen(self) -> int:
        return sum(r[2] for r in self.rows)

    @property
    def actual_fen(self) -> int:
        return sum(r[3] for r in self.rows)


def city_monthly_plan(*, book: Book, year: int, month: int) -> CityPlan:
    """The city's fund-use plan: the counties' monthly plans summed, with what was spent."""
    plans = MonthlyPlan.objects.filter(book=book, year=year, month=month).select_related("county")
    spent = dict(
        AccountTotal.objects.filter(
            account__book=book, account__klass=Klass.EXPENSE, period__year=year, period__month=month
        )
        .values("county")
        .annotate(net=Sum("debit_fen") - Sum("credit_fen"))
        .values_list("county", "net")
    )
    rows = [
        (p.county_id, p.county.name, p.planned_expense_fen, spent.get(p.county_id, 0) or 0)
        for p in plans.order_by("county__sort_order")
    ]
    return CityPlan(year=year, month=month, rows=rows)
