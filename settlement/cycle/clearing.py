"""Inter-county clearing (县际清算): who paid for whose insured, and the postings that settle it.

A person insured in county A treated at a provider of county B is paid by B's agency (the
provider's handling unit) and accounted to A (分级核算). After the provider step, A's part
of each book shows A's benefit expense but not the money that paid it, and B's shows cash
gone out for nobody of its own. The matrix — payer unit × insured county × book, from the
month's settlements themselves — says how much; one entry per payer unit and book settles
it on the inter-county clearing account (县际清算往来):

    Dr 1102-B  Σ what B paid for other counties' insured   (B is owed it)
    Cr 1102-A  what B paid for A's insured, for each A ≠ B  (A owes it)

so each county's lines of a book net to zero again: its own insured people's spending on
one side, what its expenditure account paid on the other, the difference owed or owing.
Summed over the city the clearing accounts are zero: the city's consolidated totals per
account category do not move (tests prove it). Cash between counties is not moved here:
the monthly fund-use plan (disbursement) funds each expenditure account.

Amounts per book, from a settlement row: its `fund_book` ← hifp_pay (the basic fund, or
maternity), resident_critical ← hifmi_pay, employee_large ← hifob_pay, employee_personal ←
acct_pay (the personal account, paid to the provider by the handling unit too). Reversals
are negative rows of the month, so sums are net.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Sum

from funds.chart import PERSONAL_BOOK, account_code
from funds.chart import Category as C
from funds.models import Account, Book
from funds.services import LineSpec
from funds.services.setup import books_ensure
from pooling.kernel.scoping import current_scope, unrestricted
from pooling.models import Region
from settlement.cycle.base import Desired
from settlement.models import Settlement

CRITICAL_BOOK = "resident_critical"
LARGE_BOOK = "employee_large"


@dataclass(frozen=True)
class Cell:
    """What `payer`'s agency paid, in `book`, for people insured in `insured`."""

    payer: str
    insured: str
    book: str
    amount_fen: int

    @property
    def crosses(self) -> bool:
        return self.payer != self.insured


def key_prefix(month: date) -> str:
    return f"clear:{month:%Y-%m}:"


def entry_key(month: date, payer: str, book: str) -> str:
    return f"{key_prefix(month)}{payer}:{book}"


@dataclass(frozen=True)
class Sums:
    """The month's settlements summed per provider, payer unit, insured county and basic book."""

    provider_id: int | None
    payer: str
    insured: str
    fund_book: str
    fund: int
    critical: int
    large: int
    account: int

    def by_book(self) -> list[tuple[str, int]]:
        return [
            (self.fund_book, self.fund),
            (CRITICAL_BOOK, self.critical),
            (LARGE_BOOK, self.large),
            (PERSONAL_BOOK, self.account),
        ]


def month_sums(month: date) -> list[Sums]:
    """One GROUP BY over the month's partition; the clearing and the reconciliation both read it.

    County scoping applies (a clerk gets the rows where their unit paid or their insured
    were paid for); the steps run in the system's scope and get all.
    """
    rows = (
        Settlement.objects.filter(month=month)
        .order_by()
        .values_list("provider_id", "handling_unit_id", "insured_county_id", "fund_book")
        .annotate(
            fund=Sum("hifp_pay"),
            critical=Sum("hifmi_pay"),
            large=Sum("hifob_pay"),
            account=Sum("acct_pay"),
        )
    )
    return [
        Sums(p, h, i, b, int(f or 0), int(c or 0), int(lg or 0), int(a or 0))
        for p, h, i, b, f, c, lg, a in rows
    ]


def matrix(month: date, sums: list[Sums] | None = None) -> list[Cell]:
    """Every (payer, insured, book) with a non-zero amount in the month, in a stable order."""
    cells: dict[tuple[str, str, str], int] = defaultdict(int)
    for r in month_sums(month) if sums is None else sums:
        for book, amount in r.by_book():
            if amount:
                cells[(r.payer, r.insured, book)] += amount
    return [Cell(p, i, b, amount) for (p, i, b), amount in sorted(cells.items()) if amount]


def desired(month: date, cells: list[Cell]) -> list[Desired]:
    """One entry per payer unit and book: what the clearing account should hold for the month."""
    by_payer: dict[tuple[str, str], list[Cell]] = defaultdict(list)
    for cell in cells:
        if cell.crosses:
            by_payer[(cell.payer, cell.book)].append(cell)
    names = dict(
        Region.objects.filter(code__in={c.payer for c in cells}).values_list("code", "name")
    )
    books = dict(Book.objects.values_list("code", "name"))
    out = []
    for (payer, book), row in sorted(by_payer.items()):
        total = sum(c.amount_fen for c in row)
        lines = [LineSpec(account_code(C.INTER_COUNTY_CLEARING, payer), total, payer)]
        lines += [
            LineSpec(account_code(C.INTER_COUNTY_CLEARING, c.insured), -c.amount_fen, c.insured)
            for c in row
        ]
        memo = f"{month:%Y-%m} 县际清算（{books.get(book, book)}）：{names.get(payer, payer)}代付外县参保人员费用"
        out.append(
            Desired(book=book, key=entry_key(month, payer, book), memo=memo[:200], lines=lines)
        )
    return out


def accounts_ensure(cells: list[Cell]) -> None:
    """Books opened before the chart had the clearing account get it now (idempotent)."""
    with unrestricted():
        needed = {
            (c.book, account_code(C.INTER_COUNTY_CLEARING, county))
            for c in cells
            if c.crosses
            for county in (c.payer, c.insured)
        }
        have = set(
            Account.objects.filter(category=C.INTER_COUNTY_CLEARING).values_list(
                "book__code", "code"
            )
        )
        if needed - have:
            books_ensure(
                area_code=settings.POOLING_AREA_CODE, codes=sorted({b for b, _c in needed})
            )


@dataclass(frozen=True)
class MatrixRow:
    """A row of the statement: one payer unit and book, what it paid for each insured county."""

    payer: str
    payer_name: str
    book: str
    book_name: str
    by_insured: list[int]  # in the order of `Statement.counties`
    own_fen: int  # for its own insured
    others_fen: int  # for other counties' insured: the amount cleared

    @property
    def total_fen(self) -> int:
        return self.own_fen + self.others_fen


@dataclass(frozen=True)
class Statement:
    month: date
    counties: list[tuple[str, str]]  # (code, name) of the insured-county columns
    rows: list[MatrixRow]
    net: list[tuple[str, str, str, int]]  # (county, name, book name, net owed to it: + / owing: −)


def statement(month: date) -> Statement:
    """The matrix statement (县际清算表) as the reader may see it: a county clerk gets the rows
    their unit paid and the columns of their insured (cells of other pairs are not theirs)."""
    scope = current_scope()
    with unrestricted():
        cells = matrix(month)
        names = dict(
            Region.objects.filter(
                code__in={c.payer for c in cells} | {c.insured for c in cells}
            ).values_list("code", "name")
        )
        books = {
            code: (order, name)
            for order, (code, name) in enumerate(
                Book.objects.order_by("sort_order", "code").values_list("code", "name")
            )
        }
    visible = [c for c in cells if scope.allows(c.payer) or scope.allows(c.insured)]
    counties = sorted({c.insured for c in visible})
    grid: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    net: dict[tuple[str, str], int] = defaultdict(int)
    for c in visible:
        grid[(c.payer, c.book)][c.insured] = c.amount_fen
        if c.crosses:
            net[(c.payer, c.book)] += c.amount_fen
            net[(c.insured, c.book)] -= c.amount_fen

    def book_order(book: str) -> tuple[int, str]:
        return books.get(book, (999, book))[0], book

    rows = []
    for (payer, book), cols in sorted(
        grid.items(), key=lambda kv: (book_order(kv[0][1]), kv[0][0])
    ):
        own = cols.get(payer, 0)
        rows.append(
            MatrixRow(
                payer,
                names.get(payer, payer),
                book,
                books.get(book, (0, book))[1],
                [cols.get(c, 0) for c in counties],
                own,
                sum(cols.values()) - own,
            )
        )
    nets = [
        (county, names.get(county, county), books.get(book, (0, book))[1], amount)
        for (county, book), amount in sorted(
            net.items(), key=lambda kv: (book_order(kv[0][1]), kv[0][0])
        )
        if amount and scope.allows(county)
    ]
    return Statement(month, [(c, names.get(c, c)) for c in counties], rows, nets)
