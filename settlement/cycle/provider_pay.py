"""From a provider's month figures to what it is paid, per book, and the entries that say so.

Per provider × book, three entries (keys under `settle:<YYYY-MM>:<provider code>:`, the
scope an adjustment run recomputes):

- `…:<book>` the settlement: Dr benefit expense of the insured person's county (by kind
  of care) / Cr payable to providers of the settlement's handling unit. In the
  personal-account book the sweep already moved the people's money into the payable of
  their county; this entry only carries it to the handling unit (Dr payable of the
  insured county / Cr payable of the unit; nothing where the two are the same).
- `…:<book>:release:<year>` the deposit released after the annual assessment of `year`,
  in the proportion of the provider's band, the rest forfeited (once per provider-year:
  the step releases it in the first month whose run sees the result, and the statement of
  that month records it): Dr quality deposit / Cr payable, Cr other income, of the
  provider's handling unit (see "Releasing the deposit" below).
- `…:<book>:pay` the payment: Dr payable / Cr quality deposit (withheld at the policy's
  share of a positive gross), Cr other income (violation deductions of the month, taken
  book by book in `DEDUCTIBLE_BOOKS` order up to what each can bear) and Cr the handling
  unit's county expenditure account (the net). A provider not in performance at month end
  (suspended, under resume review, terminated) is held: the deposit and deductions are
  still taken, the net stays in the payable and the statement lists it as held. A
  negative net (reversals exceeding the month) is never "paid back": it stays in the
  payable as the month's kept amount.

Carrying forward (exactly once). The first later month the provider is paid again (a
regular run, not held) carries, per book, every earlier month's kept amount not yet
carried into its payment (`carried`: a held month is paid, a negative one set off then),
and adds the violation deductions earlier months could not take (`deductions_unapplied`)
to its own (`deductions_carried`). Each earlier statement records, per month that took
them, the amounts taken (`carried_out`); what is left to carry is kept (or unapplied) less
every other month's share, so running a month again takes the same amounts, and an
adjustment that changes an earlier month's kept amount later carries only the difference.
Nothing is withheld for the deposit on a carried amount (the deposit was withheld, if
ever, on the gross of the month it belongs to).

Adjusting a paid month. The `:pay` entry of a closed month is frozen (the bank moved the
money); an adjustment recomputes gross and release, keeps deposit withheld, deductions
taken, net paid and amounts carried in as they were paid (`PayTerms.paid`), and makes the
whole change a kept amount of the month: kept = gross − withheld + released + carried −
deduction − net. Positive, the provider is owed it; negative, it was overpaid and is set
off. Either way the next paid month carries it, in full: the deposit share withheld on the
original gross stays withheld (to be released or forfeited by that year's assessment),
none is withheld on or returned for the difference.

Releasing the deposit (`…:release:<year>`): of what was withheld in `year` per book, the
assessment band's share is released to the payable and the rest is forfeited to the
handling unit's other income, in the one entry: Dr quality deposit (withheld) / Cr payable
(released) / Cr other income (forfeited), so nothing of a year's deposit stays behind.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

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
    deposit_forfeited_fen: int = 0  # of the year's deposit, what the assessment does not return
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
            "forfeited": self.deposit_forfeited_fen,
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
    deductions_fen: int  # the month's own violation deductions
    books: dict[str, BookPay] = field(default_factory=dict)
    release_year: int | None = None
    deductions_carried_fen: int = 0  # earlier months' deductions not taken then, due now

    @property
    def deductions_unapplied_fen(self) -> int:
        taken = sum(b.deduction_fen for b in self.books.values())
        return self.deductions_fen + self.deductions_carried_fen - taken


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
    deductions_carried_fen: int = 0  # earlier months' unapplied deductions (or, adjusting, as paid)
    # Adjusting a closed month: its statement's books as paid (book -> BookPay.as_dict()); None
    # in a regular run.
    paid: dict[str, dict[str, Any]] | None = None


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
    if terms.paid is not None:
        return _as_paid(figures, pay, terms.paid, terms)
    carried = {} if held else {b: v for b, v in terms.carried.items() if v}
    pay.deductions_carried_fen = 0 if held else terms.deductions_carried_fen
    left = terms.deductions_fen + pay.deductions_carried_fen
    for book in _books(figures, terms, carried):
        bp = pay.books[book] = _book(figures, book, terms)
        if book != PERSONAL_BOOK and bp.gross_fen > 0:
            bp.deposit_withheld_fen = apply_rate(bp.gross_fen, terms.deposit_rate)
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


def _as_paid(
    figures: ProviderFigures, pay: ProviderPay, paid: dict[str, dict[str, Any]], terms: PayTerms
) -> ProviderPay:
    """An adjustment of a closed month: what was paid stands, the change is kept (module doc)."""
    pay.deductions_carried_fen = terms.deductions_carried_fen
    for book in _books(figures, terms, paid):
        bp = pay.books[book] = _book(figures, book, terms)
        was = paid.get(book, {})
        bp.deposit_withheld_fen = int(was.get("withheld", 0))
        bp.deduction_fen = int(was.get("deduction", 0))
        bp.net_fen = int(was.get("net", 0))
        bp.carried_fen = int(was.get("carried", 0))
        bp.kept_fen = (
            bp.gross_fen
            - bp.deposit_withheld_fen
            + bp.deposit_released_fen
            + bp.carried_fen
            - bp.deduction_fen
            - bp.net_fen
        )
    return pay


def _books(figures: ProviderFigures, terms: PayTerms, more: dict[str, Any]) -> list[str]:
    released = set(terms.withheld_in_year if terms.release_year else ())
    books = set(figures.books) | released | set(more)
    return [b for b in BOOK_ORDER if b in books]


def _book(figures: ProviderFigures, book: str, terms: PayTerms) -> BookPay:
    """A book's gross, and the year's deposit it releases and forfeits (when a release is due)."""
    bp = BookPay(book, gross_fen=figures.books[book].gross_fen if book in figures.books else 0)
    if terms.release_year is not None:
        withheld = terms.withheld_in_year.get(book, 0)
        bp.deposit_released_fen = apply_rate(withheld, terms.release_ratio)
        bp.deposit_forfeited_fen = withheld - bp.deposit_released_fen
    return bp


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
        withheld = bp.deposit_released_fen + bp.deposit_forfeited_fen
        if withheld and pay.release_year is not None:
            out.append(
                Desired(
                    book,
                    f"{prefix}:{book}:release:{pay.release_year}",
                    f"{label} 定点机构 {pay.code} 返还{pay.release_year}年度质量保证金",
                    [
                        _line(C.QUALITY_DEPOSIT, pay.unit, withheld),
                        _line(C.PAYABLE_PROVIDER, pay.unit, -bp.deposit_released_fen),
                        _line(C.INCOME_OTHER, pay.unit, -bp.deposit_forfeited_fen),
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
