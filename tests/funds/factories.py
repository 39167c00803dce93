"""Rows of the fund app in a given county, for the scoping matrix (see CONTRIBUTING.md)."""

from __future__ import annotations

from datetime import date

from funds.chart import Category
from funds.models import Account, AccountTotal, Line
from funds.services import cr, dr, post_entry
from funds.services.setup import account_for, books_ensure
from pooling.models import Region
from tests.actors import SETUP


def _book():
    return books_ensure(area_code="320900", codes=["resident"])[0]


def make_account(county: Region, marker: str) -> Account:
    book = _book()
    account = account_for(book=book, category=Category.INCOME_OTHER, county_code=county.code)
    Account.objects.filter(pk=account.pk).update(name=f"{account.name}{marker}")
    account.refresh_from_db()
    return account


def make_line(county: Region, marker: str) -> Line:
    book = _book()
    entry = post_entry(
        key=f"factory:{marker}",
        book=book,
        memo=marker,
        entry_date=date(2026, 1, 15),
        lines=[
            dr(
                account_for(book=book, category=Category.TREASURY_TRANSIT, county_code=county.code),
                1,
                county.code,
            ),
            cr(make_account(county, marker), 1),
        ],
        actor=SETUP,
    )
    line = Line.objects.filter(entry=entry, county=county).first()
    assert line is not None  # the treasury line carries the county
    return line


def make_total(county: Region, marker: str) -> AccountTotal:
    line = make_line(county, marker)
    return AccountTotal.objects.get(account=line.account, county=county)


def _maker():
    from pooling.kernel.choices import Role
    from pooling.kernel.regions import StaffSpec, staff_ensure

    return staff_ensure(
        spec=StaffSpec("factory_maker", Role.FINANCE, "factory_maker"), password="x-factory-2026"
    )


def _budget(county: Region):
    from funds.models import Budget
    from funds.services import budgets as B

    book = _book()
    found = Budget.objects.filter(book=book, county=county, year=2026).first()
    if found is not None and found.status == Budget.ISSUED:
        return found
    budget = B.budget_save_draft(
        book=book, county=county, year=2026, items={Category.INCOME_PREMIUM: 1000}, actor=SETUP
    )
    B.budget_submit(budget=budget, actor=SETUP)
    return B.budget_issue(budget=budget, actor=SETUP)


def make_adjustment(county: Region, marker: str):
    from funds.services import budgets as B

    return B.adjustment_request(
        budget=_budget(county),
        category=Category.INCOME_PREMIUM,
        delta_fen=1,
        reason=marker,
        actor=_maker(),
    )


def make_budget(county: Region, marker: str):
    return make_adjustment(county, marker).budget


def make_budget_item(county: Region, marker: str):
    return make_adjustment(county, marker).budget.items.first()


def make_monthly_plan(county: Region, marker: str):
    from funds.services.budgets import monthly_plan_submit

    return monthly_plan_submit(
        book=_book(), county=county, year=2026, month=1, planned_expense_fen=100, actor=SETUP
    )


def _position(county: Region):
    from funds.models import PrePoolingPosition
    from funds.services.schedules import instalments_generate, rules_ensure

    position, created = PrePoolingPosition.objects.get_or_create(
        rule=rules_ensure()[0], book=_book(), county=county, defaults={"surplus_fen": 1000}
    )
    if created:
        instalments_generate(position=position, actor=SETUP)
    return position


def make_position(county: Region, marker: str):
    return _position(county)


def make_instalment(county: Region, marker: str):
    return _position(county).instalments.first()


def make_payment(county: Region, marker: str):
    from funds.models import InstalmentPayment
    from funds.services.schedules import instalment_pay

    instalment = _position(county).instalments.order_by("seq").last()
    found = InstalmentPayment.objects.filter(instalment=instalment).first()
    return found or instalment_pay(
        instalment=instalment,
        amount_fen=1,
        paid_on=date(2020, 6, 1),
        key=f"factory:pay:{county.code}",
        actor=SETUP,
    )


def make_claim(county: Region, marker: str):
    from funds.models import PrePoolingClaim

    return PrePoolingClaim.objects.create(
        book=_book(),
        county=county,
        kind=PrePoolingClaim.CLAIM,
        counterparty=marker,
        description=marker,
        amount_fen=100,
    )


def _all():
    from funds import models as m

    return {
        m.Account: make_account,
        m.Line: make_line,
        m.AccountTotal: make_total,
        m.Budget: make_budget,
        m.BudgetItem: make_budget_item,
        m.BudgetAdjustment: make_adjustment,
        m.MonthlyPlan: make_monthly_plan,
        m.PrePoolingPosition: make_position,
        m.Instalment: make_instalment,
        m.InstalmentPayment: make_payment,
        m.PrePoolingClaim: make_claim,
    }


SCOPED_FACTORIES = _all()
