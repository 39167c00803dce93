"""Manual reimbursement (零星报销) and the maternity allowance (生育津贴), hand-computed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from enrollment.models import Declaration, DeclarationLine, DeclarationStatus, Enrolment, Referral
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.scoping import unrestricted
from settlement.models import Accumulator, Settlement
from settlement.services.allowance import allowance_decide, allowance_enter
from settlement.services.reimbursement import Item, reimbursement_decide, reimbursement_enter
from tests.enrollment import factories as ef

ITEMS = [
    Item("110900001000000", "床位费", Decimal(20), 15000, 300000),
    Item("XA01ABD075A002010100483", "含片", Decimal(10), 3000, 30000),
    Item("210103017000000", "CT", Decimal(1), 40000, 40000),
    Item("330800001000000", "美容", Decimal(1), 100000, 100000),
]


def enter(person, clerk, kind="ooc_registered"):
    today = timezone.localdate()
    return reimbursement_enter(
        person=person,
        kind=kind,
        insutype="310",
        med_type="21",
        hospital_name="南京鼓楼医院",
        hospital_level="level3",
        hospital_area_code="320106",
        begin_on=today - timedelta(days=10),
        end_on=today - timedelta(days=3),
        items=ITEMS,
        actor=clerk,
    )


@pytest.mark.parametrize(("registered", "fund"), [(True, 184500), (False, 159900)])
def test_it_reimburses_out_of_city_care_with_the_referral_reduction(
    catalogue, people, clerk_a, city_agent, registered, fund
):
    # 三级, in service: deductible 1,200.00, ratio 85 % less 10 (registered) or 20 points.
    # in scope 4,700.00 − 1,000.00 excluded − 40.00 class B = 3,660.00; base 2,460.00.
    person = people.employee
    if registered:
        today = timezone.localdate()
        Referral.objects.create(
            county=person.county,
            person=person,
            kind="referral",
            destination="南京",
            valid_from=today - timedelta(days=30),
            valid_to=today + timedelta(days=30),
            status="approved",
        )
    claim = enter(person, clerk_a)
    with pytest.raises(BusinessRuleError):
        reimbursement_decide(
            claim=claim, approve=True, note="", actor=clerk_a
        )  # not the clerk who entered it
    claim = reimbursement_decide(claim=claim, approve=True, note="同意", actor=city_agent)
    assert claim.status == "decided" and claim.payable_fen == fund
    with unrestricted():
        row = Settlement.objects.get(pk=claim.settlement_id, month=claim.settlement_month)
        assert row.channel == "manual" and row.provider_id is None and row.hifp_pay == fund
        assert any("异地就医" in line for line in row.detail["explanation"])
        assert Accumulator.objects.get(person=person).admissions == 1


def test_it_refuses_items_whose_amount_is_not_quantity_times_price(people, clerk_a):
    bad = [Item("110900001000000", "床位费", Decimal(2), 15000, 30001)]
    with pytest.raises(BusinessRuleError) as refused:
        reimbursement_enter(
            person=people.employee,
            kind="local",
            insutype="310",
            med_type="11",
            hospital_name="x",
            hospital_level="level2",
            begin_on=timezone.localdate(),
            items=bad,
            actor=clerk_a,
        )
    assert refused.value.field == "items" and "第 1 项" in refused.value.text()


@pytest.fixture
def mother(county_a, demo_policy):
    employer = ef.employer(county_a, "生育测试单位")
    person = ef.person(county_a, "女职工", male=False, birth=date(1994, 3, 3))
    colleague = ef.person(county_a, "同事")
    enrolment_of = {}
    for p in (person, colleague):
        enrolment_of[p] = Enrolment.objects.create(
            county=county_a,
            person=p,
            scheme="employee",
            employer=employer,
            start_month=date(2024, 1, 1),
            benefits_from=date(2024, 1, 1),
        )
    month = date(2025, 1, 1)
    while month <= date(2026, 9, 1):
        decl = Declaration.objects.create(
            county=county_a,
            employer=employer,
            month=month,
            total_fen=1,
            status=DeclarationStatus.PAID,
        )
        rows = [(person, 600000)] + ([(colleague, 800000)] if month.year == 2025 else [])
        for who, base in rows:
            DeclarationLine.objects.create(
                county=county_a,
                declaration=decl,
                person=who,
                enrolment=enrolment_of[who],
                month=month,
                declared_base_fen=base,
                base_fen=base,
                employer_fen=1,
                employee_fen=1,
                maternity_fen=500,
                account_fen=1,
            )
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return person


def test_it_computes_the_maternity_allowance_from_the_employers_declarations(
    mother, clerk_a, city_agent
):
    claim = allowance_enter(
        person=mother, event="birth", event_on=date(2026, 10, 15), actor=clerk_a
    )
    # 2025: 12 × 6,000 + 12 × 8,000 over 24 person-months = 7,000.00; 98 + 60 days = 158; ÷ 30 × 158
    assert (
        claim.average_wage_fen == 700000 and claim.leave_days == 158 and claim.amount_fen == 3686667
    )
    assert claim.payee == "employer"
    claim = allowance_decide(claim=claim, approve=True, note="", actor=city_agent)
    assert claim.status == "decided"
    with pytest.raises(BusinessRuleError):
        allowance_enter(person=mother, event="birth", event_on=date(2026, 10, 15), actor=clerk_a)


def test_it_refuses_the_allowance_when_contributions_were_not_paid(mother, clerk_a):
    DeclarationLine.objects.filter(person=mother, month=date(2026, 3, 1)).update(maternity_fen=0)
    with pytest.raises(BusinessRuleError) as refused:
        allowance_enter(person=mother, event="birth", event_on=date(2026, 10, 15), actor=clerk_a)
    assert "2026-03" in refused.value.text()
