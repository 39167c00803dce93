"""What a provider's month comes to, per book: one SQL GROUP BY over the month's settlements.

A settlement row charges up to four books: its `fund_book` (employee pooled, resident or
maternity) with `hifp_pay`, the employee large-expense book with `hifob_pay`, the
resident critical-illness book with `hifmi_pay`, and the personal-account book with
`acct_pay`. The benefit expense is accounted to the insured person's county, by the kind
of care (inpatient for med_type 21/52, else outpatient; maternity and critical illness
have their own expense kinds); what the provider is owed, to the settlement's handling
unit. Reversals are negative rows, so sums are net and person-times count them −1.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import BooleanField, Case, IntegerField, Sum, Value, When

from funds.chart import PERSONAL_BOOK, POOLED_BOOK
from funds.chart import Category as C
from pooling.kernel.scoping import unrestricted
from settlement.hsa.codes import INPATIENT_MED_TYPES
from settlement.models import Settlement, SettlementKind

LARGE_BOOK = "employee_large"
CRITICAL_BOOK = "resident_critical"
MATERNITY_BOOK = "maternity"
# The order books are shown in, and violation deductions taken from (never the personal
# accounts: that money is the insured people's).
BOOK_ORDER = (POOLED_BOOK, "resident", MATERNITY_BOOK, LARGE_BOOK, CRITICAL_BOOK, PERSONAL_BOOK)
DEDUCTIBLE_BOOKS = BOOK_ORDER[:-1]


@dataclass
class BookFigures:
    """One provider × book: gross owed, and the expense lines behind it."""

    book: str
    payable_by_unit: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # (expense category, insured county) -> fen; for the personal book: insured county -> fen
    # of the payable the sweep put there (category "").
    expense: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))

    @property
    def gross_fen(self) -> int:
        return sum(self.payable_by_unit.values())


@dataclass
class ProviderFigures:
    provider_id: int
    person_times: int = 0
    medfee_sumamt: int = 0
    fund_pay_sumamt: int = 0
    hifp_pay: int = 0
    maternity_pay: int = 0
    hifmi_pay: int = 0
    hifob_pay: int = 0
    acct_pay: int = 0
    books: dict[str, BookFigures] = field(default_factory=dict)

    def book(self, code: str) -> BookFigures:
        if code not in self.books:
            self.books[code] = BookFigures(code)
        return self.books[code]


def _care(book: str, inpatient: bool) -> str:
    if book == MATERNITY_BOOK:
        return C.BENEFIT_MATERNITY_MEDICAL
    if book == CRITICAL_BOOK:
        return C.BENEFIT_CRITICAL
    return C.BENEFIT_INPATIENT if inpatient else C.BENEFIT_OUTPATIENT


def month_figures(*, month: date, provider_ids: list[int]) -> dict[int, ProviderFigures]:
    """The month's settlements of these providers, summed by provider × book × county × care."""
    signed = Case(
        When(kind=SettlementKind.REVERSE, then=Value(-1)),
        default=Value(1),
        output_field=IntegerField(),
    )
    inpatient = Case(
        When(med_type__in=INPATIENT_MED_TYPES, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor
        ):  # a batch's rows are sorted or hashed in memory, not spilled to disk
            cursor.execute("SET LOCAL work_mem = '64MB'")
    with unrestricted():
        rows = list(
            Settlement.objects.filter(month=month, provider_id__in=provider_ids)
            .annotate(inpatient=inpatient)
            .values(
                "provider_id", "fund_book", "insured_county_id", "handling_unit_id", "inpatient"
            )
            .annotate(
                n=Sum(signed),
                medfee=Sum("medfee_sumamt"),
                fund=Sum("fund_pay_sumamt"),
                hifp=Sum("hifp_pay"),
                hifmi=Sum("hifmi_pay"),
                hifob=Sum("hifob_pay"),
                acct=Sum("acct_pay"),
            )
            .order_by()
        )
    out: dict[int, ProviderFigures] = {}
    for r in rows:
        p = out.setdefault(r["provider_id"], ProviderFigures(r["provider_id"]))
        p.person_times += r["n"]
        p.medfee_sumamt += r["medfee"]
        p.fund_pay_sumamt += r["fund"]
        p.hifmi_pay += r["hifmi"]
        p.hifob_pay += r["hifob"]
        p.acct_pay += r["acct"]
        if r["fund_book"] == MATERNITY_BOOK:
            p.maternity_pay += r["hifp"]
        else:
            p.hifp_pay += r["hifp"]
        county, unit, inpatient = r["insured_county_id"], r["handling_unit_id"], r["inpatient"]
        for book, amount in (
            (r["fund_book"], r["hifp"]),
            (LARGE_BOOK, r["hifob"]),
            (CRITICAL_BOOK, r["hifmi"]),
            (PERSONAL_BOOK, r["acct"]),
        ):
            if amount:
                figures = p.book(book)
                figures.payable_by_unit[unit] += amount
                figures.expense[
                    ("" if book == PERSONAL_BOOK else _care(book, inpatient), county)
                ] += amount
    return out
