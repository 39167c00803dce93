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


def test_deductions_carried_in_add_to_the_months_and_what_is_still_not_borne_stays_unapplied():
    # pooled 1000 − 50 = 950 bears 950 of 200 own + 900 carried; 150 left for a later month.
    pay = decide(
        _figures(employee_pooled=1000),
        code="H1",
        unit="320902",
        terms=PayTerms(
            deposit_rate=RATE, deductions_fen=200, state="performing", deductions_carried_fen=900
        ),
    )
    assert (pay.books["employee_pooled"].deduction_fen, pay.books["employee_pooled"].net_fen) == (
        950,
        0,
    )
    assert (pay.deductions_carried_fen, pay.deductions_unapplied_fen) == (900, 150)


def test_a_held_month_carries_in_nothing():
    pay = decide(
        _figures(employee_pooled=1000),
        code="H1",
        unit="320902",
        terms=PayTerms(
            deposit_rate=RATE,
            deductions_fen=0,
            state="suspended",
            carried={"employee_pooled": 500},
            deductions_carried_fen=300,
        ),
    )
    bp = pay.books["employee_pooled"]
    assert (pay.deductions_carried_fen, bp.carried_fen, bp.deduction_fen, bp.kept_fen) == (
        0,
        0,
        0,
        950,
    )


def test_an_adjusted_month_keeps_what_was_paid_and_keeps_the_change():
    # Paid: gross 1000, withheld 50, deduction 100, carried in 30, net 880. Now gross 600 and a
    # book (resident 200) that was never paid: kept −400 and 200, nothing withheld anew.
    paid = {
        "employee_pooled": {"withheld": 50, "deduction": 100, "net": 880, "carried": 30},
    }
    pay = decide(
        _figures(employee_pooled=600, resident=200),
        code="H1",
        unit="320902",
        terms=PayTerms(
            deposit_rate=RATE,
            deductions_fen=100,
            state="performing",
            deductions_carried_fen=0,
            paid=paid,
        ),
    )
    pooled, resident = pay.books["employee_pooled"], pay.books["resident"]
    assert (pooled.deposit_withheld_fen, pooled.deduction_fen, pooled.net_fen) == (50, 100, 880)
    assert (pooled.carried_fen, pooled.kept_fen) == (30, 600 - 50 + 30 - 100 - 880)
    assert (resident.deposit_withheld_fen, resident.net_fen, resident.kept_fen) == (0, 0, 200)
    assert pay.deductions_unapplied_fen == 0


def test_the_deposit_not_released_is_forfeited_to_other_income_in_the_release_entry():
    f = _figures()
    pay = decide(
        f,
        code="H1",
        unit="320902",
        terms=PayTerms(
            deposit_rate=RATE,
            deductions_fen=0,
            state="performing",
            release_year=2025,
            release_ratio=Decimal("0.8"),
            withheld_in_year={"employee_pooled": 1001},
        ),
    )
    bp = pay.books["employee_pooled"]
    assert (bp.deposit_released_fen, bp.deposit_forfeited_fen, bp.net_fen) == (801, 200, 801)
    (release,) = [e for e in desired_entries(date(2026, 10, 1), f, pay) if ":release:" in e.key]
    assert sorted((str(ln.account), ln.amount_fen) for ln in release.lines) == [
        ("2001-320902", -801),
        ("2002-320902", 1001),
        ("4099-320902", -200),
    ]
