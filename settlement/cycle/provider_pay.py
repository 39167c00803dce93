"""From a provider's month figures to what it is paid, per book, and the entries that say so.

Per provider × book, three entries (keys under `settle:<YYYY-MM>:<provider code>:`, the
scope an adjustment run recomputes):

- `…:<book>` the settlement: Dr benefit expense of the insured person's county (by kind
  of care) / Cr payable to providers of the settlement's handling unit. In the
  personal-account book the sweep already moved the people's money into the payable of
  their county; this entry only carries it to the handling unit (Dr payable of the
  insured county / Cr payable of the unit; nothing where the two are the same).
- `…:<book>:release:<year>` the deposit released after the annual assessment of `year`,
  in the proportion of the provider's band (once per provider-year: the step releases it
  in the first month whose run sees the result, and the statement of that month records
  it): Dr quality deposit / Cr payable, of the provider's handling unit.
- `…:<book>:pay` the payment: Dr payable / Cr quality deposit (withheld at the policy's
  share of a positive gross), Cr other income (violation deductions of the month, taken
  book by book in `DEDUCTIBLE_BOOKS` order up to what each can bear) and Cr the handling
  unit's county expenditure account (the net). A provider not in performance at month end
  (suspended, under resume review, terminated) is held: the deposit and deductions are
  still taken, the net stays in the payable and the statement lists it as held. A
  negative net (reversals exceeding the month) is never "paid back": it stays in the
  payable; the first later month the provider is paid again carries every such amount
  into its payment (`carried`), so a held month is paid and a negative one set off then.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings

from funds.chart import PERSONAL_BOOK, account_code, expenditure_category
from funds.chart import Category as C
from funds.services import LineSpec
from pooling.kernel.money import apply_rate
from providers.choices import State
from settlement.cycle.base import Desired
from settlement.cycle.provider_figures import BOOK_ORDER, DEDUCTIBLE_BOOKS, ProviderFigures

HELD_STATES = (State.SUSPENDED, State.RESUME_REVIEW, State.TERMINATED)


@dataclass
class BookPay:
    book: str
    gross_fen: int = 0
    deposit_withheld_fen: int = 0
    deduction_fen: int = 0
    deposit_released_fen: int = 0
    net_fen: int = 0  # paid out of the expenditure account (0 when held)
    kept_fen: int = 0  # left in the payable: held, or a negative net
    carried_fen: int = 0  # earlier months' kept amounts, paid (or set off) now

    def as_dict(self) -> dict[str, int | str]:
        return {
            "book": self.book,
            "gross": self.gross_fen,
            "withheld": self.deposit_withheld_fen,
            "deduction": self.deduction_fen,
            "released": self.deposit_released_fen,
            "net": self.net_fen,
            "kept": self.kept_fen,
            "carried": self.carried_fen,
        }


@dataclass
class ProviderPay:
    """Everything decided for one provider's month (what the statement and the ledger show)."""

    provider_id: int
    code: str
    unit: str  # the provider's handling unit: its deposit, deductions and payment
    held: bool
    state: str
    deductions_fen: int
    books: dict[str, BookPay] = field(default_factory=dict)
    release_year: int | None = None

    @property
    def deductions_unapplied_fen(self) -> int:
        return self.deductions_fen - sum(b.deduction_fen for b in self.books.values())


@dataclass(frozen=True)
class PayTerms:
    deposit_rate: Decimal
    deductions_fen: int
    state: str
    release_year: int | None = None  # set when a release is due in this month
    release_ratio: Decimal = Decimal(0)
    withheld_in_year: dict[str, int] = field(
        default_factory=dict
    )  # book -> fen withheld in release_year
    carried: dict[str, int] = field(default_factory=dict)  # book -> earlier months' kept amounts


def decide(figures: ProviderFigures, *, code: str, unit: str, terms: PayTerms) -> ProviderPay:
    held = terms.state in HELD_STATES
    pay = ProviderPay(
        figures.provider_id,
        code,
        unit,
        held,
        terms.state,
        terms.deductions_fen,
        release_year=terms.release_year,
    )
    carried = {} if held else {b: v for b, v in terms.carried.items() if v}
    books = (
        set(figures.books)
        | set(terms.withheld_in_year if terms.release_year else ())
        | set(carried)
    )
    left = terms.deductions_fen
    for book in [b for b in BOOK_ORDER if b in books]:
        bp = pay.books[book] = BookPay(
            book, gross_fen=figures.books[book].gross_fen if book in figures.books else 0
        )
        if book != PERSONAL_BOOK and bp.gross_fen > 0:
            bp.deposit_withheld_fen = apply_rate(bp.gross_fen, terms.deposit_rate)
        if terms.release_year is not None:
            bp.deposit_released_fen = apply_rate(
                terms.withheld_in_year.get(book, 0), terms.release_ratio
            )
        bp.carried_fen = carried.get(book, 0)
        due = bp.gross_fen - bp.deposit_withheld_fen + bp.deposit_released_fen + bp.carried_fen
        if book in DEDUCTIBLE_BOOKS and left > 0 and due > 0:
            bp.deduction_fen = min(left, due)
            left -= bp.deduction_fen
            due -= bp.deduction_fen
        if held or due < 0:
            bp.kept_fen = due
        else:
            bp.net_fen = due
    return pay


def desired_entries(month: date, figures: ProviderFigures, pay: ProviderPay) -> list[Desired]:
    label = month.strftime("%Y-%m")
    prefix = f"settle:{label}:{pay.code}"
    out: list[Desired] = []
    for book, bp in pay.books.items():
        fig = figures.books.get(book)
        if fig is not None:
            out.append(
                Desired(
                    book,
                    f"{prefix}:{book}",
                    f"{label} 定点机构 {pay.code} 结算费用",
                    _settle_lines(book, fig.expense, fig.payable_by_unit),
                )
            )
        if bp.deposit_released_fen and pay.release_year is not None:
            out.append(
                Desired(
                    book,
                    f"{prefix}:{book}:release:{pay.release_year}",
                    f"{label} 定点机构 {pay.code} 返还{pay.release_year}年度质量保证金",
                    [
                        _line(C.QUALITY_DEPOSIT, pay.unit, bp.deposit_released_fen),
                        _line(C.PAYABLE_PROVIDER, pay.unit, -bp.deposit_released_fen),
                    ],
                )
            )
        pay_lines = _pay_lines(pay.unit, fig.payable_by_unit if fig else {}, bp)
        if pay_lines:
            memo = "暂缓支付" if pay.held else "支付"
            out.append(
                Desired(
                    book, f"{prefix}:{book}:pay", f"{label} 定点机构 {pay.code} {memo}", pay_lines
                )
            )
    return out


def _line(category: str, county: str, amount: int) -> LineSpec:
    return LineSpec(account_code(category, county), amount, county)


def _settle_lines(
    book: str, expense: dict[tuple[str, str], int], payable: dict[str, int]
) -> list[LineSpec]:
    net: dict[tuple[str, str], int] = defaultdict(int)
    for (category, county), amount in expense.items():
        net[(category or C.PAYABLE_PROVIDER, county)] += (
            amount  # personal book: the sweep's payable
        )
    for unit, amount in payable.items():
        net[(C.PAYABLE_PROVIDER, unit)] -= amount
    lines = [
        _line(category, county, amount)
        for (category, county), amount in sorted(net.items())
        if amount
    ]
    return lines if len(lines) >= 2 else []


def _pay_lines(unit: str, payable: dict[str, int], bp: BookPay) -> list[LineSpec]:
    """Dr payable (the gross of each unit it was booked to, plus the release) / Cr where it goes."""
    net: dict[tuple[str, str], int] = defaultdict(int)
    for u, amount in payable.items():
        net[(C.PAYABLE_PROVIDER, u)] += amount
    net[(C.PAYABLE_PROVIDER, unit)] += bp.deposit_released_fen + bp.carried_fen - bp.kept_fen
    net[(C.QUALITY_DEPOSIT, unit)] -= bp.deposit_withheld_fen
    net[(C.INCOME_OTHER, unit)] -= bp.deduction_fen
    net[(expenditure_category(unit, settings.POOLING_AREA_CODE), unit)] -= bp.net_fen
    lines = [
        _line(category, county, amount)
        for (category, county), amount in sorted(net.items())
        if amount
    ]
    return lines if len(lines) >= 2 else []
