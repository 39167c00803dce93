"""Interest per book, and the year-end result of each county and of the whole fund.

Interest: each cash account of a book earns the month's rate on its closing balance;
one entry per book and month (the key says so: a second run returns the first entry,
and a racing second run with other balances is refused by the key, never doubled).

Year end (Yancheng art. 8–9, Sanmenxia): a county's gap caused by an unpaid subsidy or
unenforced collection becomes a receivable from that county; a whole-fund gap is covered
by accumulated surplus, then by the risk reserve, and the result says when policy must
be adjusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from funds.chart import CASH_CATEGORIES, Category
from funds.models import Account, AccountTotal, Book, Budget, Entry, InterestRate
from funds.selectors import fund_statement, month_until
from funds.services.budgets import budget_totals
from funds.services.ledger import LineSpec, cr, dr, post_entry
from funds.services.setup import account_for
from pooling.kernel.dates import month_end
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import apply_rate
from pooling.kernel.permissions import Actor, require
from pooling.kernel.scoping import current_scope, unrestricted

NO_RATE = _("%(book)s 未录入 %(period)s 的利率")
NO_INTEREST = _("本月没有计息余额")
GAP_REASONS = {
    "unpaid_subsidy": Category.SUBSIDY_COUNTY,
    "unenforced_collection": Category.INCOME_PREMIUM,
}
BAD_REASON = _("缺口原因只能是未足额到位的财政补助或未依法征缴的保费")
NOT_POSITIVE = _("金额必须大于零")
RATE_ACCRUED = _("%(period)s 的利息已按原利率入账，不能再修改利率（如需更正请冲销后重新计息）")
RESERVE_SHORT = _("风险准备金余额 %(reserve)s 分不足以弥补 %(amount)s 分")
RATE_RANGE = _("年利率应在 0 至 1 之间（如 0.0135 表示年利率 1.35 个百分点）")
RATE_PERIOD = _("请填写有效的年度与月份")


def interest_rate_check(*, book: Book, year: int, month: int, annual_rate: Decimal) -> None:
    """A rate for a real month, between 0 and 1, and not for a month already accrued."""
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise BusinessRuleError(RATE_PERIOD, code="period", field="month")
    if not Decimal(0) <= annual_rate < Decimal(1):
        raise BusinessRuleError(RATE_RANGE, code="rate", field="annual_rate")
    if Entry.objects.filter(key=f"interest:{book.code}:{year}-{month:02d}").exists():
        raise BusinessRuleError(
            RATE_ACCRUED,
            code="accrued",
            field="annual_rate",
            params={"period": f"{year}-{month:02d}"},
        )


@transaction.atomic
def interest_rate_set(
    *, book: Book, year: int, month: int, annual_rate: Decimal, actor: Actor
) -> InterestRate:
    """Enter (or correct) the annual rate a book's cash earns in a month, before it accrues."""
    require(actor, "interest.accrue")
    interest_rate_check(book=book, year=year, month=month, annual_rate=annual_rate)
    rate, _created = InterestRate.objects.update_or_create(
        book=book, year=year, month=month, defaults={"annual_rate": annual_rate}
    )
    return rate


def interest_accrue(*, book: Book, year: int, month: int, actor: Actor) -> Entry:
    """Post the month's interest on every cash account of the book (per county line)."""
    require(actor, "interest.accrue")
    key = f"interest:{book.code}:{year}-{month:02d}"
    done = Entry.objects.filter(key=key).first()
    if done is not None:  # already accrued: a second run changes nothing
        return done
    rate = InterestRate.objects.filter(book=book, year=year, month=month).first()
    if rate is None:
        raise BusinessRuleError(
            NO_RATE, code="no_rate", params={"book": book.name, "period": f"{year}-{month:02d}"}
        )
    monthly = rate.annual_rate / Decimal(12)
    with unrestricted():  # the whole book's cash earns interest, whoever presses the button
        rows = (
            AccountTotal.objects.filter(account__book=book, account__category__in=CASH_CATEGORIES)
            .filter(month_until(year, month))
            .values("account", "county")
            .annotate(d=Sum("debit_fen"), c=Sum("credit_fen"))
            .order_by("account", "county")
        )
        accounts = {
            a.pk: a for a in Account.objects.filter(book=book, category__in=CASH_CATEGORIES)
        }
    income = account_for(book=book, category=Category.INCOME_INTEREST, county_code="")
    lines: list[LineSpec] = []
    for r in rows:
        amount = apply_rate((r["d"] or 0) - (r["c"] or 0), monthly)
        if amount > 0:
            lines += [
                dr(accounts[r["account"]], amount, r["county"]),
                cr(income, amount, r["county"]),
            ]
    if not lines:
        raise BusinessRuleError(NO_INTEREST, code="no_interest")
    return post_entry(
        key=key,
        book=book,
        lines=lines,
        memo=f"{year}年{month}月利息（年利率 {rate.annual_rate}）",
        source="funds.interest",
        actor=actor,
        entry_date=month_end(date(year, month, 1)),
    )


@dataclass
class CountyResult:
    county: str
    name: str
    budget_income_fen: int
    budget_expense_fen: int
    income_fen: int
    expense_fen: int

    @property
    def result_fen(self) -> int:
        return self.income_fen - self.expense_fen

    @property
    def income_shortfall_fen(self) -> int:
        return max(self.budget_income_fen - self.income_fen, 0)


@dataclass
class FundResult:
    book: Book
    year: int
    counties: list[CountyResult]
    surplus_before_fen: int  # accumulated surplus at the start of the year
    reserve_fen: int
    whole_fund: bool = True  # False: a county's view, without the whole fund's figures

    @property
    def result_fen(self) -> int:
        return sum(c.result_fen for c in self.counties)

    @property
    def gap_fen(self) -> int:
        return max(-self.result_fen, 0)

    @property
    def from_surplus_fen(self) -> int:
        return min(self.gap_fen, max(self.surplus_before_fen, 0))

    @property
    def from_reserve_fen(self) -> int:
        return min(self.gap_fen - self.from_surplus_fen, max(self.reserve_fen, 0))

    @property
    def uncovered_fen(self) -> int:
        return self.gap_fen - self.from_surplus_fen - self.from_reserve_fen

    @property
    def policy_adjustment_needed(self) -> bool:
        """Yancheng art. 9: when the surplus cannot cover the gap, policy must be adjusted."""
        return self.gap_fen > max(self.surplus_before_fen, 0)


def year_end_result(*, book: Book, year: int) -> FundResult:
    """Each county's result against its budget, and how a whole-fund gap would be covered."""
    budgets = {
        b.county_id: b for b in Budget.objects.filter(book=book, year=year).select_related("county")
    }
    counties = []
    for code, budget in sorted(budgets.items()):
        st = fund_statement(book=book, year=year, month=12, county=code)
        b_in, b_out = budget_totals(budget)
        counties.append(
            CountyResult(
                code, budget.county.name, b_in, b_out, st.income_year_fen, st.expense_year_fen
            )
        )
    if not current_scope().all_regions:
        # A county's clerk sees their own county's result; how the whole fund's gap is
        # covered (its surplus, the city's risk reserve) is the city's to see.
        return FundResult(book, year, counties, 0, 0, whole_fund=False)
    opening = fund_statement(book=book, year=year, month=1).opening_fen
    reserve = account_for(book=book, category=Category.RISK_RESERVE, county_code="")
    return FundResult(
        book, year, counties, opening, -Account.objects.get(pk=reserve.pk).balance_fen
    )


def county_gap_receivable(
    *, book: Book, county: str, year: int, amount_fen: int, reason: str, actor: Actor
) -> Entry:
    """Yancheng art. 8: the county owes what its unpaid subsidy or unenforced collection cost."""
    require(actor, "yearend.close")
    if reason not in GAP_REASONS:
        raise BusinessRuleError(BAD_REASON, code="reason")
    if amount_fen <= 0:
        raise BusinessRuleError(NOT_POSITIVE, code="amount")
    income = account_for(book=book, category=GAP_REASONS[reason], county_code=county)
    return post_entry(
        key=f"yearend-gap:{book.code}:{year}:{county}:{reason}",
        book=book,
        entry_date=date(year, 12, 31),
        memo=f"{year}年度{county}收入缺口由县级补足（{reason}）",
        source="funds.yearend",
        actor=actor,
        lines=[
            dr(
                account_for(book=book, category=Category.RECEIVABLE_COUNTY, county_code=county),
                amount_fen,
            ),
            cr(income, amount_fen),
        ],
    )


def reserve_cover(*, book: Book, year: int, amount_fen: int, actor: Actor) -> Entry:
    """Use the risk reserve for a gap the accumulated surplus could not cover."""
    require(actor, "yearend.close")
    if amount_fen <= 0:
        raise BusinessRuleError(NOT_POSITIVE, code="amount")
    reserve = account_for(book=book, category=Category.RISK_RESERVE, county_code="")
    held = -Account.objects.get(pk=reserve.pk).balance_fen
    if held < amount_fen:
        raise BusinessRuleError(
            RESERVE_SHORT, code="reserve_short", params={"reserve": held, "amount": amount_fen}
        )
    city = reserve.county_id
    return post_entry(
        key=f"yearend-reserve:{book.code}:{year}",
        book=book,
        entry_date=date(year, 12, 31),
        memo=f"{year}年度动用风险准备金弥补基金缺口",
        source="funds.yearend",
        actor=actor,
        lines=[
            dr(reserve, amount_fen, city),
            cr(
                account_for(book=book, category=Category.FUND_BALANCE, county_code=""),
                amount_fen,
                city,
            ),
        ],
    )
