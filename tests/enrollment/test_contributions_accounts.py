"""Declarations with the base clamped, collections matched, resident years, personal accounts."""

from datetime import date

import pytest

from enrollment import selectors, services
from enrollment.models import AccountPosting, DeclarationStatus, PostingKind
from enrollment.services import accounts as account_rules
from enrollment.services import contributions as rules
from pooling.kernel.choices import PersonCategory, Scheme
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.scoping import acting_as
from tests.actors import SETUP
from tests.enrollment import factories as f

JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


def _refused(fn, **kwargs) -> BusinessRuleError:
    with pytest.raises(BusinessRuleError) as exc:
        fn(**{"actor": SETUP, **kwargs})
    return exc.value


def test_it_computes_each_share_of_a_declared_month(county_a, demo_policy):
    e = f.employee_enrolment(county_a)
    assert e.employer is not None
    result = services.declaration_line_add(
        employer=e.employer,
        month=date(2026, 1, 20),
        person=e.person,
        declared_base_fen=500000,
        actor=SETUP,
    )
    line = result.line
    assert (line.month, line.base_fen, line.base_clamped, result.warning) == (
        JAN,
        500000,
        False,
        None,
    )
    assert (line.employer_fen, line.employee_fen, line.maternity_fen, line.account_fen) == (
        35000,
        10000,
        4000,
        10000,
    )
    assert (
        line.declaration.total_fen == 49000
        and line.declaration.status == DeclarationStatus.DECLARED
    )


def test_it_rounds_each_share_half_up_to_the_fen(county_a, demo_policy):
    e = f.employee_enrolment(county_a)
    assert e.employer is not None
    line = services.declaration_line_add(
        employer=e.employer, month=JAN, person=e.person, declared_base_fen=450050, actor=SETUP
    ).line
    assert line.employer_fen == 31504  # 450050 × 7 % = 31503.5 → 31504
    assert line.maternity_fen == 3600  # 450050 × 0.8 % = 3600.4 → 3600


def test_it_clamps_the_base_to_the_floor_and_ceiling_with_a_warning(county_a, demo_policy):
    low = f.employee_enrolment(county_a, "低")
    assert low.employer is not None
    high = f.employee_enrolment(county_a, "高", emp=low.employer)
    r_low = services.declaration_line_add(
        employer=low.employer, month=JAN, person=low.person, declared_base_fen=300000, actor=SETUP
    )
    r_high = services.declaration_line_add(
        employer=low.employer, month=JAN, person=high.person, declared_base_fen=3000000, actor=SETUP
    )
    assert (r_low.line.base_fen, r_low.line.base_clamped) == (450000, True)  # 60 % of 7,500.00
    assert (r_high.line.base_fen, r_high.line.base_clamped) == (2250000, True)  # 300 %
    assert "下限 4,500.00" in (r_low.warning or "") and "上限 22,500.00" in (r_high.warning or "")
    assert r_high.line.declared_base_fen == 3000000


def test_it_refuses_a_month_declared_twice_or_outside_the_enrolment(county_a, demo_policy):
    e = f.employee_enrolment(county_a, start=FEB)
    assert e.employer is not None
    services.declaration_line_add(
        employer=e.employer, month=FEB, person=e.person, declared_base_fen=500000, actor=SETUP
    )
    err = _refused(
        services.declaration_line_add,
        employer=e.employer,
        month=FEB,
        person=e.person,
        declared_base_fen=600000,
    )
    assert err.message is rules.MONTH_ALREADY_DECLARED and "亭湖区" in err.text()
    err = _refused(
        services.declaration_line_add,
        employer=e.employer,
        month=JAN,
        person=e.person,
        declared_base_fen=500000,
    )
    assert err.message is rules.NOT_ENROLLED_WITH_EMPLOYER


def test_it_declares_all_lines_or_none(county_a, demo_policy):
    a = f.employee_enrolment(county_a, "甲")
    assert a.employer is not None
    b = f.employee_enrolment(county_a, "乙", emp=a.employer)
    outsider = f.person(county_a, "外人")
    with pytest.raises(BusinessRuleError):
        services.declaration_submit(
            employer=a.employer,
            month=JAN,
            rows=[(a.person, 500000), (b.person, 500000), (outsider, 1)],
            actor=SETUP,
        )
    assert not a.person.declaration_lines.exists()
    result = services.declaration_submit(
        employer=a.employer, month=JAN, rows=[(a.person, 500000), (b.person, 500000)], actor=SETUP
    )
    assert result.declaration.total_fen == 98000 and len(result.lines) == 2


def test_it_matches_collections_to_declarations_and_lists_arrears(
    county_a, county_b, clerk_a, demo_policy
):
    e = f.employee_enrolment(county_a)
    assert e.employer is not None
    f.employee_enrolment(county_b)
    services.declaration_line_add(
        employer=e.employer, month=JAN, person=e.person, declared_base_fen=500000, actor=SETUP
    )
    with acting_as(clerk_a):
        assert [d.owed for d in selectors.arrears()] == [49000]
    c1 = services.collection_record(
        tax_ref="T-1",
        credit_code=e.employer.credit_code,
        month=JAN,
        amount_fen=20000,
        received_on=date(2026, 2, 15),
        actor=SETUP,
    )
    assert c1.declaration is not None and c1.declaration.status == DeclarationStatus.PARTIAL
    services.collection_record(
        tax_ref="T-2",
        credit_code=e.employer.credit_code,
        month=JAN,
        amount_fen=29000,
        received_on=date(2026, 2, 16),
        actor=SETUP,
    )
    again = services.collection_record(
        tax_ref="T-2",
        credit_code=e.employer.credit_code,
        month=JAN,
        amount_fen=29000,
        received_on=date(2026, 2, 16),
        actor=SETUP,
    )
    decl = again.declaration
    assert decl is not None
    decl.refresh_from_db()
    assert (decl.paid_fen, decl.status) == (49000, DeclarationStatus.PAID)
    with acting_as(clerk_a):
        assert list(selectors.arrears()) == []
    err = _refused(
        services.collection_record,
        tax_ref="T-2",
        credit_code=e.employer.credit_code,
        month=JAN,
        amount_fen=1,
        received_on=date(2026, 2, 16),
    )
    assert err.message is rules.COLLECTION_REF_CONFLICT


def test_it_matches_money_that_arrived_before_the_declaration(county_a, demo_policy):
    e = f.employee_enrolment(county_a)
    assert e.employer is not None
    services.collection_record(
        tax_ref="EARLY",
        credit_code=e.employer.credit_code,
        month=JAN,
        amount_fen=49000,
        received_on=date(2026, 1, 10),
        actor=SETUP,
    )
    line = services.declaration_line_add(
        employer=e.employer, month=JAN, person=e.person, declared_base_fen=500000, actor=SETUP
    ).line
    line.declaration.refresh_from_db()
    assert line.declaration.status == DeclarationStatus.PAID


@pytest.mark.parametrize("group, paid", [("", 40000), ("dibao", 20000), ("tekun", 0)])
def test_it_charges_residents_the_standard_less_the_special_group_subsidy(
    county_a, demo_policy, group, paid
):
    p = f.person(county_a, category=PersonCategory.RESIDENT_ADULT, special_group=group)
    services.enrol(person=p, scheme=Scheme.RESIDENT, start_month=JAN, actor=SETUP)
    c = services.resident_contribution_record(
        person=p, year=2026, paid_on=date(2026, 1, 5), actor=SETUP
    )
    assert (c.standard_fen, c.paid_fen, c.standard_fen - c.subsidy_fen) == (40000, paid, paid)
    err = _refused(
        services.resident_contribution_record, person=p, year=2026, paid_on=date(2026, 2, 1)
    )
    assert err.message is rules.YEAR_ALREADY_PAID


def _paid_month(e, month):
    line = services.declaration_line_add(
        employer=e.employer, month=month, person=e.person, declared_base_fen=500000, actor=SETUP
    ).line
    services.collection_record(
        tax_ref=f"T{e.pk}-{month:%Y%m}",
        credit_code=e.employer.credit_code,
        month=month,
        amount_fen=line.declaration.total_fen,
        received_on=month,
        actor=SETUP,
    )
    return line


def test_it_allocates_to_the_account_once_contributions_arrive_and_only_once(county_a, demo_policy):
    e = f.employee_enrolment(county_a)
    assert e.employer is not None
    services.declaration_line_add(
        employer=e.employer, month=JAN, person=e.person, declared_base_fen=500000, actor=SETUP
    )
    err = _refused(services.account_allocate, person=e.person, month=JAN, actor=SETUP)
    assert err.message is account_rules.NOTHING_TO_ALLOCATE  # declared, not yet paid
    services.collection_record(
        tax_ref="A1",
        credit_code=e.employer.credit_code,
        month=JAN,
        amount_fen=49000,
        received_on=JAN,
        actor=SETUP,
    )
    assert services.accounts_allocate_month(month=JAN, actor=SETUP) == 1
    assert (
        services.accounts_allocate_month(month=JAN, actor=SETUP) == 0
    )  # re-running books nothing twice
    assert services.account_balance(person=e.person) == 10000


def test_it_allocates_the_retiree_amount_by_age(county_a, demo_policy):
    young = f.employee_enrolment(county_a, "六十五")
    old = f.employee_enrolment(county_a, "七十五", emp=young.employer)
    old.person.birth_date = date(1950, 1, 1)
    old.person.save()
    for e in (young, old):
        services.person_retire(person=e.person, on=date(2025, 12, 1), actor=SETUP)
    services.accounts_allocate_month(month=JAN, actor=SETUP)
    assert services.account_balance(person=young.person) == 9000
    assert services.account_balance(person=old.person) == 11000


def test_it_never_lets_a_payment_take_the_account_below_zero(county_a, demo_policy):
    e = f.employee_enrolment(county_a)
    _paid_month(e, JAN)
    services.account_allocate(person=e.person, month=JAN, actor=SETUP)
    services.account_pay(person=e.person, amount_fen=6000, month=FEB, key="claim:1", actor=SETUP)
    err = _refused(
        services.account_pay,
        person=e.person,
        amount_fen=4001,
        month=FEB,
        key="claim:2",
        actor=SETUP,
    )
    assert err.message is account_rules.INSUFFICIENT and "4,000.00" not in err.text()
    assert "40.00" in err.text()
    services.account_pay(
        person=e.person, amount_fen=6000, month=FEB, key="claim:1", actor=SETUP
    )  # idempotent repeat
    services.account_pay(person=e.person, amount_fen=4000, month=FEB, key="claim:3", actor=SETUP)
    assert services.account_balance(person=e.person) == 0
    assert AccountPosting.objects.filter(kind=PostingKind.PAYMENT).count() == 2


def test_it_runs_the_monthly_allocation_task_idempotently(county_a, county_b, demo_policy):
    from enrollment.tasks import allocate_accounts_month

    for county in (county_a, county_b):
        e = f.employee_enrolment(county)
        _paid_month(e, JAN)
    assert allocate_accounts_month.delay("2026-01-01").get() == 2
    assert allocate_accounts_month.delay("2026-01-01").get() == 0
    assert AccountPosting.objects.filter(kind=PostingKind.ALLOCATION).count() == 2
