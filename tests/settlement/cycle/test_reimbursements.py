"""零星报销 (settlements without a provider) reach the books: found in review to be posted by
no step and missed by reconciliation, so a month closed without them."""

from __future__ import annotations

from typing import Any

import pytest

from funds.chart import Category as C
from funds.models import Book
from funds.services import LineSpec, post_entry
from settlement.cycle import reconciling
from settlement.cycle.steps import clearing, reconcile, reimbursements
from settlement.models import MaternityAllowance, Settlement
from tests.actors import SETUP
from tests.enrollment import factories as ef
from tests.settlement.cycle import world
from tests.settlement.cycle.world import MONTH, WHEN, B, D

pytestmark = pytest.mark.django_db


def reimburse(regions, fund: int, **fields: Any) -> Settlement:
    """A D-insured patient's inpatient bill from outside the designated network, paid by B's
    agency; `fields` set the rest (settlements are written once: never updated after)."""
    values: dict[str, Any] = dict(
        month=MONTH,
        channel="manual",
        provider=None,
        person=ef.person(regions[D], "报销人"),
        insured_county=regions[D],
        handling_unit=regions[B],
        insutype="390",
        med_type="21",
        clr_type="21",
        scheme="resident",
        fund_book="resident",
        scope="inpatient",
        year=MONTH.year,
        service_date=MONTH,
        setl_time=WHEN,
        policy_code="P",
        medfee_sumamt=fund * 2,
        hifp_pay=fund,
        fund_pay_sumamt=fund,
    )
    return Settlement.objects.create(**{**values, **fields})


def test_a_reimbursement_is_expense_of_the_insured_county_paid_by_the_handling_unit(regions):
    world.build(regions)
    world.provider_postings()
    reimburse(regions, 5000)
    world.accumulators_sync()
    post_entry(
        key="fund-b",
        book=Book.objects.get(code="resident"),
        memo="拨付",
        actor=SETUP,
        entry_date=MONTH,
        lines=[LineSpec(f"1004-{B}", 8000, B), LineSpec("3001-320900", -8000, B)],
    )
    differences = reconciling.month_differences(MONTH)
    assert [
        (d.unit, d.book, d.ours_fen, d.posted_fen)
        for d in differences
        if d.kind == reconciling.REIMBURSEMENT
    ] == [(B, "resident", 5000, 0)]
    expense_before = world.balances(C.BENEFIT_INPATIENT)
    assert world.run_step(reimbursements.STEP)["city"] == {"entries": 1, "paid_fen": 5000}
    expense = world.balances(C.BENEFIT_INPATIENT)
    assert expense[("resident", D)] - expense_before.get(("resident", D), 0) == 5000
    assert world.balances(C.COUNTY_EXPENDITURE)[("resident", B)] == 8000 - 5000
    assert world.run_step(reimbursements.STEP)["city"] == {"entries": 0, "paid_fen": 5000}  # once
    world.run_step(clearing.STEP)  # B paid for D's insured: cleared like any settlement
    assert world.run_step(reconcile.STEP)["month"] == {"differences": 0}


def test_a_reimbursements_second_tier_is_charged_to_its_own_books(regions):
    """A 零星报销 past the basic cap: 大额补充 (hifob_pay) is expense of employee_large, 大病保险
    (hifmi_pay) of resident_critical, each paid from the handling unit's account in that book."""
    world.build(regions)
    world.provider_postings()
    reimburse(
        regions,
        5000,
        insutype="310",
        scheme="employee",
        fund_book="employee_pooled",
        hifob_pay=3000,
        fund_pay_sumamt=8000,
        medfee_sumamt=12000,
    )
    reimburse(regions, 4000, hifmi_pay=1000, fund_pay_sumamt=5000, medfee_sumamt=9000)
    world.accumulators_sync()
    for book in ("employee_pooled", "employee_large", "resident", "resident_critical"):
        post_entry(
            key=f"fund-b-{book}",
            book=Book.objects.get(code=book),
            memo="拨付",
            actor=SETUP,
            entry_date=MONTH,
            lines=[LineSpec(f"1004-{B}", 9000, B), LineSpec("3001-320900", -9000, B)],
        )
    inpatient, critical = world.balances(C.BENEFIT_INPATIENT), world.balances(C.BENEFIT_CRITICAL)
    # one entry per (unit, book): 5000 + 3000 + 4000 + 1000 = 13000 paid
    assert world.run_step(reimbursements.STEP)["city"] == {"entries": 4, "paid_fen": 13000}
    after = world.balances(C.BENEFIT_INPATIENT)
    for book, fen in (("employee_pooled", 5000), ("employee_large", 3000), ("resident", 4000)):
        assert after[(book, D)] - inpatient.get((book, D), 0) == fen
    key = ("resident_critical", D)
    assert world.balances(C.BENEFIT_CRITICAL)[key] - critical.get(key, 0) == 1000
    spent = world.balances(C.COUNTY_EXPENDITURE)
    assert (spent[("employee_large", B)], spent[("resident_critical", B)]) == (
        9000 - 3000,
        9000 - 1000,
    )
    world.run_step(clearing.STEP)
    assert world.run_step(reconcile.STEP)["month"] == {"differences": 0}


def test_an_approved_maternity_allowance_is_paid_from_the_maternity_book(regions, clerk_b):
    """生育津贴 approved in the month: the maternity book's allowance expense of the mother's
    county, paid from the approving unit's expenditure account; entered-only claims wait."""
    world.build(regions)
    world.provider_postings()
    mother = ef.person(regions[D], "产妇")
    employer = ef.employer(regions[D], "甲公司")
    common = dict(
        person=mother,
        employer=employer,
        event="birth",
        event_on=MONTH,
        leave_days=98,
        average_wage_fen=600000,
        wage_basis="上年度申报",
        payee="employer",
        policy_code="P",
        entered_by=clerk_b,
    )
    MaternityAllowance.objects.create(
        county=regions[B], amount_fen=1960000, status="decided", decided_at=WHEN, **common
    )
    MaternityAllowance.objects.create(
        county=regions[B],
        amount_fen=999,
        status="entered",
        **{**common, "person": ef.person(regions[D], "另一产妇")},
    )
    post_entry(
        key="fund-b-maternity",
        book=Book.objects.get(code="maternity"),
        memo="拨付",
        actor=SETUP,
        entry_date=MONTH,
        lines=[LineSpec(f"1004-{B}", 2000000, B), LineSpec("3001-320900", -2000000, B)],
    )
    assert world.run_step(reimbursements.STEP)["city"] == {"entries": 1, "paid_fen": 1960000}
    assert world.balances(C.BENEFIT_MATERNITY_ALLOWANCE) == {("maternity", D): 1960000}
    assert world.balances(C.COUNTY_EXPENDITURE)[("maternity", B)] == 2000000 - 1960000
    assert not [
        d for d in reconciling.month_differences(MONTH) if d.kind == reconciling.REIMBURSEMENT
    ]
