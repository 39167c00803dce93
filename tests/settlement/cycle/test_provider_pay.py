"""The payment rule on its own (no database): deposit, deductions across books, held, negative months."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from settlement.cycle.provider_figures import ProviderFigures
from settlement.cycle.provider_pay import PayTerms, decide, desired_entries

RATE = Decimal("0.05")


def _figures(**gross: int) -> ProviderFigures:
    f = ProviderFigures(1)
    for book, amount in gross.items():
        b = f.book(book)
        b.payable_by_unit["320902"] += amount
        b.expense[("benefit_outpatient", "320902")] += amount
    return f


def test_deductions_are_taken_book_by_book_and_what_cannot_be_taken_is_said():
    # pooled: 1000 − 50 = 950 can bear 950; resident: 300 − 15 = 285; the personal account never.
    pay = decide(
        _figures(employee_pooled=1000, resident=300, employee_personal=400),
        code="H1",
        unit="320902",
        terms=PayTerms(deposit_rate=RATE, deductions_fen=1500, state="performing"),
    )
    pooled, resident, personal = (
        pay.books[b] for b in ("employee_pooled", "resident", "employee_personal")
    )
    assert (pooled.deduction_fen, pooled.net_fen) == (950, 0)
    assert (resident.deduction_fen, resident.net_fen) == (285, 0)
    assert (personal.deposit_withheld_fen, personal.deduction_fen, personal.net_fen) == (0, 0, 400)
    assert pay.deductions_unapplied_fen == 1500 - 950 - 285


def test_a_held_provider_still_has_its_deposit_and_deductions_taken_and_the_rest_kept():
    pay = decide(
        _figures(employee_pooled=1000),
        code="H1",
        unit="320902",
        terms=PayTerms(
            deposit_rate=RATE, deductions_fen=100, state="suspended", carried={"employee_pooled": 7}
        ),
    )
    bp = pay.books["employee_pooled"]
    assert (
        pay.held,
        bp.deposit_withheld_fen,
        bp.deduction_fen,
        bp.net_fen,
        bp.kept_fen,
        bp.carried_fen,
    ) == (True, 50, 100, 0, 850, 0)


def test_a_negative_month_withholds_nothing_and_stays_in_the_payable():
    f = _figures(employee_pooled=-400)
    pay = decide(
        f,
        code="H1",
        unit="320902",
        terms=PayTerms(deposit_rate=RATE, deductions_fen=0, state="performing"),
    )
    bp = pay.books["employee_pooled"]
    assert (bp.deposit_withheld_fen, bp.net_fen, bp.kept_fen) == (0, 0, -400)
    # The settlement entry reverses expense and payable; no payment entry (nothing moves).
    entries = desired_entries(date(2026, 10, 1), f, pay)
    assert [e.key for e in entries] == ["settle:2026-10:H1:employee_pooled"]


def test_deposit_is_rounded_half_up_to_the_fen():
    pay = decide(
        _figures(resident=1010),
        code="H1",
        unit="320902",
        terms=PayTerms(deposit_rate=RATE, deductions_fen=0, state="performing"),
    )
    assert pay.books["resident"].deposit_withheld_fen == 51  # 50.5 fen
