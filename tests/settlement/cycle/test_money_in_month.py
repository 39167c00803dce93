"""The four money-in steps in their order over one month: the ledger reconciles (control =
Σ people's balances included), a second run changes no balance, each county's
expenditure account holds what its approved plan asked."""

import pytest

from funds.chart import Category as C
from funds.models import Account, Book
from funds.services.budgets import monthly_plan_approve, monthly_plan_submit
from funds.services.reconcile import reconcile_ledger
from settlement.cycle.steps import STEPS
from tests.actors import SETUP
from tests.settlement.cycle import in_world as w
from tests.settlement.cycle.in_world import MAR, bal, run

A, B = "320902", "320903"
MONEY_IN = [s for s in STEPS if s.name in ("collection", "accounts", "remittance", "disbursement")]


@pytest.fixture
def march(county_a, county_b, demo_policy, finance):
    world = w.march_world(county_a, county_b)
    pooled = Book.objects.get(code="employee_pooled")
    for county, amount in ((county_a, 80000), (county_b, 30000)):
        plan = monthly_plan_submit(
            book=pooled, county=county, year=2026, month=3, planned_expense_fen=amount, actor=SETUP
        )
        monthly_plan_approve(plan=plan, actor=finance)
    return world


def _balances() -> dict[tuple[str, str], int]:
    return {
        (book, code): fen
        for book, code, fen in Account.objects.values_list("book__code", "code", "balance_fen")
    }


def test_a_month_in_order_reconciles_and_runs_once(march):
    assert [s.name for s in MONEY_IN] == ["collection", "accounts", "remittance", "disbursement"]
    for step in MONEY_IN:
        run(step, MAR)
    assert reconcile_ledger() == []
    # Pooled special account: in 亭湖区's 914.30 (700.00 + 214.30) and 盐都区's 350.00 (no
    # retiree in this world); out the two plans, 800.00 + 300.00.
    assert Book.objects.get(code="employee_pooled").accounts.get(
        code="1002-320900"
    ).balance_fen == (91430 + 35000 - 80000 - 30000)
    assert (
        bal("employee_pooled", C.COUNTY_EXPENDITURE, A),
        bal("employee_pooled", C.COUNTY_EXPENDITURE, B),
    ) == (80000, 30000)
    before = _balances()
    for step in MONEY_IN:
        run(step, MAR)
    assert _balances() == before and reconcile_ledger() == []
