"""Budgets with maker-checker, schedules from rules, interest, capacity and year end."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from funds.chart import Category as C
from funds.models import Account, BudgetItem, Entry, InterestRate, PrePoolingPosition
from funds.selectors import budget_execution, capacity, city_monthly_plan
from funds.services import budgets as B
from funds.services import cr, dr, post_entry
from funds.services import schedules as S
from funds.services import yearend as Y
from pooling.kernel.errors import BusinessRuleError
from tests.actors import SETUP

A = "320902"


def test_it_issues_only_balanced_budgets_and_adjusts_them_with_four_eyes(
    resident, county_a, clerk_a, finance, bureau_admin
):
    budget = B.budget_save_draft(
        book=resident,
        county=county_a,
        year=2026,
        actor=clerk_a,
        items={C.INCOME_PREMIUM: 1000, C.BENEFIT_INPATIENT: 1200},
    )
    B.budget_submit(budget=budget, actor=clerk_a)
    with pytest.raises(BusinessRuleError) as err:
        B.budget_issue(budget=budget, actor=finance)
    assert err.value.message == B.DEFICIT_BUDGET
    with pytest.raises(BusinessRuleError) as err:
        B.budget_save_draft(
            book=resident, county=county_a, year=2026, items={C.BENEFIT_INPATIENT: 900}, actor=SETUP
        )
    assert err.value.message == B.NOT_DRAFT
    budget.status = budget.DRAFT
    budget.save(update_fields=["status"])
    B.budget_save_draft(
        book=resident, county=county_a, year=2026, items={C.BENEFIT_INPATIENT: 900}, actor=SETUP
    )
    B.budget_submit(budget=budget, actor=clerk_a)
    assert B.budget_issue(budget=budget, actor=finance).status == budget.ISSUED
    adjustment = B.adjustment_request(
        budget=budget,
        category=C.BENEFIT_INPATIENT,
        delta_fen=50,
        reason="住院人次增加",
        actor=finance,
    )
    with pytest.raises(BusinessRuleError) as err:
        B.adjustment_decide(adjustment=adjustment, approve=True, actor=finance)
    assert err.value.message == B.SAME_PERSON
    B.adjustment_decide(adjustment=adjustment, approve=True, actor=bureau_admin)
    assert BudgetItem.objects.get(budget=budget, category=C.BENEFIT_INPATIENT).amount_fen == 950


def test_it_measures_execution_and_rolls_county_plans_up(resident, acct, county_a, county_b):
    budget = B.budget_save_draft(
        book=resident, county=county_a, year=2026, items={C.INCOME_PREMIUM: 10_000}, actor=SETUP
    )
    post_entry(
        key="c",
        book=resident,
        memo="保费",
        entry_date=date(2026, 4, 1),
        lines=[
            dr(acct(resident, C.TREASURY_TRANSIT), 2500, A),
            cr(acct(resident, C.INCOME_PREMIUM, A), 2500),
        ],
        actor=SETUP,
    )
    row = next(r for r in budget_execution(budget=budget) if r.category == C.INCOME_PREMIUM)
    assert (row.budget_fen, row.actual_fen, row.rate) == (10_000, 2500, Decimal("25.0"))
    B.monthly_plan_submit(
        book=resident, county=county_a, year=2026, month=4, planned_expense_fen=700, actor=SETUP
    )
    B.monthly_plan_submit(
        book=resident, county=county_b, year=2026, month=4, planned_expense_fen=300, actor=SETUP
    )
    assert city_monthly_plan(book=resident, year=2026, month=4).planned_fen == 1000


def test_it_generates_yancheng_tranches_exactly_to_the_fen(resident, county_a):
    yancheng, _sanmenxia = S.rules_ensure()
    position = PrePoolingPosition.objects.create(
        rule=yancheng, book=resident, county=county_a, surplus_fen=10_001
    )
    rows = S.instalments_generate(position=position, actor=SETUP)
    assert [(i.due_date, i.amount_fen) for i in rows] == [
        (date(2019, 12, 31), 5001),
        (date(2020, 12, 31), 5000),
    ]


def test_it_offsets_a_sanmenxia_deficit_then_schedules_at_least_30_percent_a_year(
    resident, county_a
):
    _yancheng, sanmenxia = S.rules_ensure()
    position = PrePoolingPosition.objects.create(
        rule=sanmenxia,
        book=resident,
        county=county_a,
        deficit_fen=1_000_000,
        risk_adjustment_paid_fen=200_000,
    )
    rows = S.instalments_generate(position=position, actor=SETUP)
    position.refresh_from_db()
    assert position.offset_fen == 200_000
    assert [i.amount_fen for i in rows] == [240_000, 240_000, 320_000]
    assert (
        all(i.amount_fen >= 800_000 * 3 // 10 for i in rows[:2])
        and sum(i.amount_fen for i in rows) == 800_000
    )
    position.lump_sum = True
    position.save(update_fields=["lump_sum"])
    assert [
        (i.due_date, i.amount_fen) for i in S.instalments_generate(position=position, actor=SETUP)
    ] == [(date(2023, 12, 31), 800_000)]


def test_it_posts_a_remittance_once_and_flags_what_is_overdue(resident, county_a, acct):
    yancheng, _ = S.rules_ensure()
    position = PrePoolingPosition.objects.create(
        rule=yancheng, book=resident, county=county_a, surplus_fen=1000
    )
    first, second = S.instalments_generate(position=position, actor=SETUP)
    for _ in range(2):  # a double-submitted form
        S.instalment_pay(
            instalment=first,
            amount_fen=500,
            paid_on=date(2019, 12, 20),
            key="prepool:1",
            actor=SETUP,
        )
    assert Account.objects.get(pk=acct(resident, C.FISCAL_SPECIAL).pk).balance_fen == 500
    states = S.instalment_states(position=position, today=date(2021, 1, 1))
    assert [s.status for s in states] == ["paid", "overdue"]
    assert [s.instalment for s in S.overdue_instalments(today=date(2021, 1, 1))] == [second]
    with pytest.raises(BusinessRuleError) as err:
        S.instalment_pay(
            instalment=second,
            amount_fen=501,
            paid_on=date(2021, 1, 2),
            key="prepool:2",
            actor=SETUP,
        )
    assert err.value.message == S.OVERPAID


def test_it_accrues_interest_once_per_book_and_month(resident, acct):
    post_entry(
        key="in",
        book=resident,
        memo="入专户",
        entry_date=date(2026, 1, 5),
        lines=[
            dr(acct(resident, C.FISCAL_SPECIAL), 1_200_000, A),
            cr(acct(resident, C.INCOME_PREMIUM, A), 1_200_000),
        ],
        actor=SETUP,
    )
    with pytest.raises(BusinessRuleError):
        Y.interest_accrue(book=resident, year=2026, month=1, actor=SETUP)
    InterestRate.objects.create(book=resident, year=2026, month=1, annual_rate=Decimal("0.015"))
    entry = Y.interest_accrue(book=resident, year=2026, month=1, actor=SETUP)
    assert Y.interest_accrue(book=resident, year=2026, month=1, actor=SETUP).pk == entry.pk
    assert (
        Account.objects.get(pk=acct(resident, C.INCOME_INTEREST).pk).balance_fen == -1500
    )  # 1.2m × 1.5 % / 12


def test_it_warns_when_months_of_payment_capacity_run_low(resident, acct):
    post_entry(
        key="in",
        book=resident,
        memo="保费",
        entry_date=date(2026, 1, 5),
        lines=[
            dr(acct(resident, C.COUNTY_EXPENDITURE, A), 12_000, A),
            cr(acct(resident, C.INCOME_PREMIUM, A), 12_000),
        ],
        actor=SETUP,
    )
    post_entry(
        key="out",
        book=resident,
        memo="支付",
        entry_date=date(2026, 1, 25),
        lines=[
            dr(acct(resident, C.BENEFIT_INPATIENT, A), 9_600, A),
            cr(acct(resident, C.COUNTY_EXPENDITURE, A), 9_600),
        ],
        actor=SETUP,
    )
    c = capacity(book=resident, year=2026, month=1)
    assert (c.balance_fen, c.average_expense_fen, c.months, c.level) == (
        2400,
        800,
        Decimal("3.0"),
        "warn",
    )


def test_it_turns_a_county_gap_into_a_receivable_and_covers_a_fund_gap(
    resident, county_a, acct, finance
):
    B.budget_save_draft(
        book=resident,
        county=county_a,
        year=2026,
        items={C.INCOME_PREMIUM: 5000, C.SUBSIDY_COUNTY: 3000, C.BENEFIT_INPATIENT: 6000},
        actor=SETUP,
    )
    post_entry(
        key="in",
        book=resident,
        memo="保费",
        entry_date=date(2026, 6, 1),
        lines=[
            dr(acct(resident, C.COUNTY_EXPENDITURE, A), 5000, A),
            cr(acct(resident, C.INCOME_PREMIUM, A), 5000),
        ],
        actor=SETUP,
    )
    post_entry(
        key="out",
        book=resident,
        memo="支付",
        entry_date=date(2026, 11, 1),
        lines=[
            dr(acct(resident, C.BENEFIT_INPATIENT, A), 6000, A),
            cr(acct(resident, C.COUNTY_EXPENDITURE, A), 1000, A),
            cr(acct(resident, C.PAYABLE_PROVIDER, A), 5000, A),
        ],
        actor=SETUP,
    )
    result = Y.year_end_result(book=resident, year=2026)
    county = result.counties[0]
    assert (county.income_shortfall_fen, county.result_fen, result.gap_fen) == (3000, -1000, 1000)
    assert result.policy_adjustment_needed and result.uncovered_fen == 1000
    Y.county_gap_receivable(
        book=resident, county=A, year=2026, amount_fen=3000, reason="unpaid_subsidy", actor=SETUP
    )
    assert Account.objects.get(pk=acct(resident, C.RECEIVABLE_COUNTY, A).pk).balance_fen == 3000
    assert Y.year_end_result(book=resident, year=2026).gap_fen == 0
    with pytest.raises(BusinessRuleError) as err:
        Y.reserve_cover(book=resident, year=2026, amount_fen=1, actor=SETUP)
    assert err.value.message == Y.RESERVE_SHORT
    assert not Entry.objects.filter(key__startswith="yearend-reserve").exists()


def test_it_lets_only_the_city_issue_budgets_and_close_periods(resident, county_a, clerk_a):
    from django.core.exceptions import PermissionDenied

    from funds.services import period_close
    from pooling.kernel.scoping import acting_as

    budget = B.budget_save_draft(
        book=resident, county=county_a, year=2026, items={C.INCOME_PREMIUM: 1}, actor=SETUP
    )
    B.budget_submit(budget=budget, actor=clerk_a)
    with pytest.raises(PermissionDenied):
        B.budget_issue(budget=budget, actor=clerk_a)
    with acting_as(clerk_a), pytest.raises(PermissionDenied):
        period_close(book=resident, year=2026, month=1, actor=SETUP)
