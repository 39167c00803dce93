"""Remittance (instalments due paid, overdue flagged) and disbursement (approved plans only,
all or nothing), hand-computed."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from funds.chart import Category as C
from funds.models import Book, Entry, InstalmentPayment, PrePoolingPosition
from funds.services import cr, dr, post_entry
from funds.services.budgets import PLAN_SAME_PERSON, monthly_plan_approve, monthly_plan_submit
from funds.services.schedules import position_save, rules_ensure
from pooling.kernel.errors import BusinessRuleError
from settlement.cycle.steps import disbursement, remittance
from tests.actors import SETUP
from tests.settlement.cycle import in_world as w
from tests.settlement.cycle.in_world import MAR, bal, close, run

A, B = "320902", "320903"
DEC = date(2020, 12, 1)


def _position(county, surplus: int) -> None:
    rule = next(
        r for r in rules_ensure() if r.code == "yancheng-2019"
    )  # 50 % by 2019-12-31, 50 % by 2020-12-31
    position_save(
        position=PrePoolingPosition(
            rule=rule, book=Book.objects.get(code="resident"), county=county, surplus_fen=surplus
        ),
        actor=SETUP,
    )


def test_instalments_due_in_the_month_are_paid_and_earlier_ones_flagged(county_a, county_b):
    w.books()
    _position(
        county_a, 100001
    )  # 50 % of 1,000.01 = 500.005 → 500.01 (2019), the rest 500.00 (2020)
    counts = run(remittance.STEP, DEC)
    assert counts[A] == {"paid": 1, "paid_fen": 50000, "overdue": 1, "overdue_fen": 50001}
    assert bal("resident", C.INCOME_REMITTANCE_BELOW, A) == -50000
    assert bal("resident", C.FISCAL_SPECIAL, A, owner="320900") == 50000
    assert InstalmentPayment.objects.get().paid_on == date(2020, 12, 31)
    again = run(remittance.STEP, DEC)
    assert (
        again[A]["paid"] == 0
        and again[A]["overdue"] == 1
        and InstalmentPayment.objects.count() == 1
    )
    close(DEC)
    _position(county_b, 30000)  # entered after the month was closed
    run(remittance.STEP, DEC, run_id=2, adjustment=True, entry_date=date(2021, 1, 10))
    late = Entry.objects.get(key="remittance:2020-12:320903:resident:yancheng-2019:2|adj:2")
    assert (
        late.entry_date == date(2021, 1, 10)
        and bal("resident", C.INCOME_REMITTANCE_BELOW, B) == -15000
    )
    assert InstalmentPayment.objects.count() == 2


@pytest.fixture
def funded(county_a, county_b):
    """The resident book's special account holds 1,000.00 (accounted to 亭湖区)."""
    books = w.books()
    post_entry(
        key="seed",
        book=books["resident"],
        memo="期初",
        actor=SETUP,
        entry_date=date(2026, 3, 1),
        lines=[dr("1002-320900", 100000, A), cr("4099-320902", 100000)],
    )
    return books["resident"]


def _plan(book, county, amount, approver=None):
    plan = monthly_plan_submit(
        book=book, county=county, year=2026, month=3, planned_expense_fen=amount, actor=SETUP
    )
    return monthly_plan_approve(plan=plan, actor=approver) if approver else plan


def _refused(step, month) -> BusinessRuleError:
    with pytest.raises(BusinessRuleError) as exc:
        run(step, month)
    return exc.value


def test_a_plan_not_approved_stops_disbursement_before_any_transfer(
    funded, county_a, county_b, finance
):
    _plan(funded, county_b, 30000, finance)
    _plan(funded, county_a, 60000)
    err = _refused(disbursement.STEP, MAR)
    assert err.code == "plan_not_approved"
    assert all(s in err.text() for s in ("亭湖区", "城乡居民基本医疗保险基金", "2026-03"))
    assert not Entry.objects.filter(key__startswith="disbursement:").exists()


def test_approved_plans_reach_each_county_and_never_overdraw(funded, county_a, county_b, finance):
    _plan(funded, county_a, 60000, finance)
    _plan(funded, county_b, 50000, finance)  # 600 + 500 > 1,000.00 in the special account
    assert _refused(disbursement.STEP, MAR).code == "overdraft"
    assert not Entry.objects.filter(key__startswith="disbursement:").exists()
    _plan(funded, county_b, 30000, finance)  # filed again: approved anew
    counts = run(disbursement.STEP, MAR)
    assert counts["city"] == {"plans": 2, "entries": 2, "disbursed_fen": 90000}
    assert (bal("resident", C.COUNTY_EXPENDITURE, A), bal("resident", C.COUNTY_EXPENDITURE, B)) == (
        60000,
        30000,
    )
    assert bal("resident", C.CITY_EXPENDITURE, A, owner="320900") == 0
    assert Book.objects.get(code="resident").accounts.get(code="1002-320900").balance_fen == 10000
    assert run(disbursement.STEP, MAR)["city"]["entries"] == 0
    close(MAR)
    _plan(funded, county_a, 65000, finance)  # the plan corrected after the close
    run(disbursement.STEP, MAR, run_id=2, adjustment=True, entry_date=date(2026, 4, 2))
    adj = Entry.objects.get(key="disbursement:2026-03:320902:resident|adj:2")
    assert adj.entry_date == date(2026, 4, 2) and bal("resident", C.COUNTY_EXPENDITURE, A) == 65000


def test_a_plan_is_approved_by_a_person_other_than_who_filed_it(funded, county_a, finance):
    plan = monthly_plan_submit(
        book=funded, county=county_a, year=2026, month=3, planned_expense_fen=1, actor=finance
    )
    with pytest.raises(BusinessRuleError) as exc:
        monthly_plan_approve(plan=plan, actor=finance)
    assert exc.value.message is PLAN_SAME_PERSON
    with pytest.raises(PermissionDenied):
        monthly_plan_approve(plan=plan, actor=SETUP)  # a system job never approves
