"""Moves inside the city keep one continuous history; referrals are registered and read."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Sum

from enrollment import selectors, services
from enrollment.models import (
    AccountPosting,
    Enrolment,
    EnrolmentStatus,
    Person,
    ReferralStatus,
    Transfer,
    TransferStatus,
)
from enrollment.services import contributions as contribution_rules
from enrollment.services import transfer_move as moving
from enrollment.services import transfers as rules
from pooling.kernel.choices import Role, Scheme
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.regions import StaffSpec, staff_ensure
from pooling.kernel.scoping import acting_as
from tests.actors import SETUP
from tests.enrollment import factories as f


def _month(n: int) -> date:  # 1 → 2026-01
    return date(2026 + (n - 1) // 12, (n - 1) % 12 + 1, 1)


def _pay(e, month, base=500000):
    line = services.declaration_line_add(
        employer=e.employer, month=month, person=e.person, declared_base_fen=base, actor=SETUP
    ).line
    services.collection_record(
        tax_ref=f"T{e.person_id}-{month:%Y%m}",
        credit_code=e.employer.credit_code,
        month=month,
        amount_fen=line.declaration.total_fen,
        received_on=month,
        actor=SETUP,
    )


@pytest.fixture
def moved(county_a, county_b, clerk_a, clerk_b, demo_policy):
    """An employee of 亭湖区 paid Jan–Mar 2026, then moved to 盐都区 from April."""
    e = f.employee_enrolment(county_a, "迁移者", start=_month(1))
    for n in (1, 2, 3):
        _pay(e, _month(n))
    services.account_allocate(person=e.person, month=_month(1), actor=SETUP)
    new_employer = f.employer(county_b, "盐都新单位")
    with acting_as(
        clerk_b
    ):  # the receiving clerk knows the ID number and the new employer (the ground)
        t = services.transfer_request(
            id_number=e.person.id_number,
            to_county=county_b,
            new_employer=new_employer,
            effective_month=_month(4),
            reason="工作调动",
            actor=clerk_b,
        )
    return {"old": e, "transfer": t, "employer": new_employer}


def _release(moved, clerk_a):
    with acting_as(clerk_a):  # the sending county confirms the release: the person moves
        return services.transfer_release(transfer=moved["transfer"], actor=clerk_a)


def test_it_shows_a_pending_transfer_to_both_counties_and_no_other(
    moved, clerk_a, clerk_b, regions
):
    other = staff_ensure(
        spec=StaffSpec("clerk_c", Role.COUNTY_CLERK, "大丰", "320904"), password="x"
    )
    for clerk in (clerk_a, clerk_b):
        with acting_as(clerk):
            assert list(Transfer.objects.all()) == [moved["transfer"]]
    with acting_as(other):
        assert not Transfer.objects.exists()


def test_it_lets_only_the_sending_county_release(moved, clerk_b):
    with acting_as(clerk_b), pytest.raises(PermissionDenied):
        services.transfer_release(transfer=moved["transfer"], actor=clerk_b)
    assert Transfer.objects.get().status == TransferStatus.PENDING


def test_it_keeps_one_continuous_history_without_gap_or_duplicate_month(
    moved, clerk_a, clerk_b, county_b
):
    _release(moved, clerk_a)
    old = Enrolment.objects.get(pk=moved["old"].pk)
    new = old.continued_by
    assert (old.status, old.end_month) == (EnrolmentStatus.ENDED, _month(3))
    assert (new.county_id, new.start_month, new.status, new.employer) == (
        "320903",
        _month(4),
        EnrolmentStatus.ACTIVE,
        moved["employer"],
    )
    person = Person.objects.get(pk=old.person_id)
    assert person.county_id == "320903"
    # The old county can no longer declare April; the new county cannot re-declare March.
    with pytest.raises(BusinessRuleError) as exc:
        services.declaration_line_add(
            employer=old.employer,
            month=_month(4),
            person=person,
            declared_base_fen=500000,
            actor=SETUP,
        )
    assert exc.value.message is contribution_rules.NOT_ENROLLED_WITH_EMPLOYER
    with acting_as(clerk_b):
        for n in (4, 5):
            _pay(new, _month(n))
        with pytest.raises(BusinessRuleError) as exc:
            services.declaration_line_add(
                employer=new.employer,
                month=_month(3),
                person=person,
                declared_base_fen=500000,
                actor=SETUP,
            )
    assert exc.value.message is contribution_rules.NOT_ENROLLED_WITH_EMPLOYER
    with acting_as(clerk_b):
        history = selectors.person_history(person_id=person.pk)
    months = [line.month for line in history.lines]
    assert months == [_month(n) for n in range(1, 6)]  # continuous, no gap, each once
    assert [line.county_id for line in history.lines] == ["320902"] * 3 + ["320903"] * 2
    assert history.paid_months == 5  # cumulative across counties: what retiree eligibility reads
    assert (
        history.retiree is not None
        and history.retiree["months"] == 5
        and history.paid_years_months == (0, 5)
    )


def test_it_moves_the_account_balance_with_the_person(moved, clerk_a):
    _release(moved, clerk_a)
    person = moved["old"].person
    assert services.account_balance(person=person) == 10000
    by_county = dict(
        AccountPosting.objects.filter(account__person=person)
        .values("county_id")
        .annotate(s=Sum("amount_fen"))
        .values_list("county_id", "s")
    )
    assert by_county == {"320902": 0, "320903": 10000}  # nothing left behind in the old county


def test_it_counts_prior_months_towards_retiree_eligibility(county_a, demo_policy):
    e = f.employee_enrolment(county_a)
    Person.objects.filter(pk=e.person_id).update(prior_contribution_months=299)
    _pay(e, _month(1))
    person = Person.objects.get(pk=e.person_id)
    result = selectors.retiree_eligibility(person=person, on=_month(2))
    assert (result["months"], result["required_months"], result["eligible"]) == (300, 300, True)


def test_it_refuses_a_transfer_month_not_after_the_last_declared_one(moved, clerk_a):
    Transfer.objects.filter(pk=moved["transfer"].pk).update(effective_month=_month(3))
    with pytest.raises(BusinessRuleError) as exc:
        _release(moved, clerk_a)
    assert exc.value.message is moving.DECLARED_AFTER
    assert Person.objects.get(pk=moved["old"].person_id).county_id == "320902"  # nothing moved


def test_it_requires_a_new_employer_in_the_receiving_county(
    clerk_b, county_a, county_b, demo_policy
):
    e = f.employee_enrolment(county_a, "无依据")
    elsewhere = f.employer(county_a, "亭湖另一单位")
    with acting_as(clerk_b), pytest.raises(BusinessRuleError) as exc:
        services.transfer_request(
            id_number=e.person.id_number,
            to_county=county_b,
            effective_month=_month(4),
            new_address="盐都区某路1号",
            actor=clerk_b,
        )
    assert exc.value.message is moving.NEW_EMPLOYER_REQUIRED
    with acting_as(clerk_b), pytest.raises(BusinessRuleError) as exc:
        services.transfer_request(
            id_number=e.person.id_number,
            to_county=county_b,
            effective_month=_month(4),
            new_employer=elsewhere,
            actor=SETUP,
        )
    assert exc.value.message is moving.NEW_EMPLOYER_WRONG_COUNTY
    assert not Transfer.objects.exists()


def test_it_refuses_a_second_pending_transfer_and_an_unknown_id(moved, clerk_b, county_b):
    with acting_as(clerk_b), pytest.raises(BusinessRuleError) as exc:
        services.transfer_request(
            id_number=moved["old"].person.id_number,
            to_county=county_b,
            effective_month=_month(5),
            actor=SETUP,
        )
    assert exc.value.message is rules.PENDING_EXISTS
    with pytest.raises(BusinessRuleError) as exc:
        services.transfer_request(
            id_number="360426199101010071",
            to_county=county_b,
            effective_month=_month(5),
            actor=SETUP,
        )
    assert exc.value.message is rules.UNKNOWN_PERSON


def test_it_moves_a_resident_without_a_new_waiting_period(county_a, county_b, clerk_b, demo_policy):
    p = f.person(county_a, "居民迁移", category="resident_adult")
    r = services.enrol(person=p, scheme=Scheme.RESIDENT, start_month=_month(1), actor=SETUP)
    with acting_as(clerk_b):
        with pytest.raises(BusinessRuleError) as exc:  # a resident's ground is the new address
            services.transfer_request(
                id_number=p.id_number, to_county=county_b, effective_month=_month(6), actor=SETUP
            )
        assert exc.value.message is moving.NEW_ADDRESS_REQUIRED
        t = services.transfer_request(
            id_number=p.id_number,
            to_county=county_b,
            effective_month=_month(6),
            new_address="盐都区新都路8号",
            actor=SETUP,
        )
    services.transfer_release(transfer=t, actor=SETUP)
    new = Enrolment.objects.get(pk=r.pk).continued_by
    assert (new.scheme, new.start_month, new.waiting_months, new.benefits_from) == (
        Scheme.RESIDENT,
        _month(6),
        0,
        _month(6),
    )
    assert Person.objects.get(pk=p.pk).address == "盐都区新都路8号"


def test_it_registers_approves_and_reads_a_referral(county_a, demo_policy):
    e = f.employee_enrolment(county_a)
    ref = services.referral_apply(
        person=e.person,
        kind="referral",
        destination="南京鼓楼医院",
        destination_area_code="320106",
        valid_from=date(2026, 3, 1),
        valid_to=date(2026, 5, 31),
        diagnosis="冠心病",
        actor=SETUP,
    )
    assert (
        selectors.referral_in_force(person=e.person, on=date(2026, 4, 1)) is None
    )  # not yet approved
    services.referral_decide(referral=ref, approve=True, note="同意", actor=SETUP)
    assert selectors.referral_in_force(person=e.person, on=date(2026, 4, 1)) == ref
    assert selectors.referral_in_force(person=e.person, on=date(2026, 6, 1)) is None
    with pytest.raises(BusinessRuleError) as exc:  # the record must say why
        services.referral_revoke(referral=ref, note=" ", actor=SETUP)
    assert exc.value.field == "note"
    services.referral_revoke(referral=ref, note="患者已在本地治疗", actor=SETUP)
    ref.refresh_from_db()
    assert (ref.status, ref.decision_note) == (ReferralStatus.REVOKED, "患者已在本地治疗")


def test_it_refuses_a_referral_for_someone_not_insured_or_too_long(county_a, demo_policy):
    p = f.person(county_a)
    with pytest.raises(BusinessRuleError):
        services.referral_apply(
            person=p,
            kind="referral",
            destination="x",
            valid_from=date(2026, 1, 1),
            valid_to=date(2026, 2, 1),
            actor=SETUP,
        )
    e = f.employee_enrolment(county_a, "有参保")
    with pytest.raises(BusinessRuleError) as exc:
        services.referral_apply(
            person=e.person,
            kind="referral",
            destination="x",
            valid_from=date(2026, 1, 1),
            valid_to=date(2027, 1, 1),
            actor=SETUP,
        )
    assert exc.value.field == "valid_to"


def test_it_tells_the_old_county_where_a_person_moved_instead_of_a_404(
    moved, clerk_a, clerk_b, client_for
):
    person = moved["old"].person
    page = client_for(clerk_a)
    assert page.get(f"/enrollment/people/{person.pk}/").status_code == 200  # still theirs
    _release(moved, clerk_a)
    response = page.get(f"/enrollment/people/{person.pk}/")
    body = response.content.decode()
    assert response.status_code == 200 and "参保人已转出" in body and "盐都区" in body
    assert f"/enrollment/transfers/{moved['transfer'].pk}/" in body
    assert "缴费记录" not in body  # the record itself stays with the county that holds it now
    # Someone who never held the person gets the plain 404.
    other = staff_ensure(
        spec=StaffSpec("clerk_c", Role.COUNTY_CLERK, "clerk_c", "320904"), password="x-2026-pass"
    )
    assert client_for(other).get(f"/enrollment/people/{person.pk}/").status_code == 404
