"""Every change to a person's state takes the person's row lock first, in one order; and a
unique index that refuses a racing insert answers with the rule's message, never a 500."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enrollment import services
from enrollment.models import Enrolment, EnrolmentStatus, Person, Transfer
from enrollment.services import contributions, enrolment, people, subledger, transfers
from enrollment.services.enrolment import EnrolRequest, enrol_many
from enrollment.services.subledger import PostingSpec, posting_write
from pooling.kernel.choices import PersonCategory, Scheme
from pooling.kernel.errors import BusinessRuleError
from pooling.models import Region
from tests.actors import SETUP
from tests.enrollment import factories as f
from tests.enrollment.subledger_helpers import paid_employee
from tests.races import blind_once

JAN, APR = date(2026, 1, 1), date(2026, 4, 1)


def _resident(county: Region) -> Person:
    p = f.person(county, "居民", category=PersonCategory.RESIDENT_ADULT)
    services.enrol(person=p, scheme=Scheme.RESIDENT, start_month=JAN, actor=SETUP)
    return p


def _suspended(county: Region) -> Enrolment:
    e = f.employee_enrolment(county)
    return services.enrolment_suspend(enrolment=e, reason="测试暂停", actor=SETUP)


def _transfer(county: Region) -> Transfer:
    e = f.employee_enrolment(county)
    return services.transfer_request(
        id_number=e.person.id_number,
        to_county=Region.objects.get(code="320903"),
        new_employer=_employer_b(),
        effective_month=APR,
        actor=SETUP,
    )


def _employer_b() -> Any:
    return f.employer(Region.objects.get(code="320903"))


# Each: (set-up returning what the call needs, the call).
SERVICES: dict[str, tuple[Callable[[Region], Any], Callable[[Any], Any]]] = {
    "person_update": (
        f.person,
        lambda p: services.person_update(
            person=p,
            name="新名",
            phone="",
            address="",
            category=p.category,
            special_group="",
            actor=SETUP,
        ),
    ),
    "person_retire": (
        lambda c: f.employee_enrolment(c).person,
        lambda p: services.person_retire(person=p, on=JAN, actor=SETUP),
    ),
    "person_death": (
        lambda c: f.employee_enrolment(c).person,
        lambda p: services.person_death(person=p, on=JAN, actor=SETUP),
    ),
    "enrol": (
        f.person,
        lambda p: services.enrol(person=p, scheme=Scheme.RESIDENT, start_month=JAN, actor=SETUP),
    ),
    "enrol_many": (
        f.person,
        lambda p: enrol_many(
            requests=[EnrolRequest(p, Scheme.RESIDENT, JAN)], refuse=lambda i, e: None, actor=SETUP
        ),
    ),
    "enrolment_suspend": (
        f.employee_enrolment,
        lambda e: services.enrolment_suspend(enrolment=e, reason="测试暂停", actor=SETUP),
    ),
    "enrolment_resume": (_suspended, lambda e: services.enrolment_resume(enrolment=e, actor=SETUP)),
    "enrolment_end": (
        f.employee_enrolment,
        lambda e: services.enrolment_end(
            enrolment=e, end_month=JAN, reason="测试终止", actor=SETUP
        ),
    ),
    "transfer_request": (
        lambda c: (f.employee_enrolment(c).person, _employer_b()),
        lambda pe: services.transfer_request(
            id_number=pe[0].id_number,
            to_county=Region.objects.get(code="320903"),
            new_employer=pe[1],
            effective_month=APR,
            actor=SETUP,
        ),
    ),
    "transfer_release": (_transfer, lambda t: services.transfer_release(transfer=t, actor=SETUP)),
    "transfer_object": (
        _transfer,
        lambda t: services.transfer_object(transfer=t, reason="欠费", actor=SETUP),
    ),
    "transfer_cancel": (
        _transfer,
        lambda t: services.transfer_cancel(transfer=t, reason="放弃", actor=SETUP),
    ),
    "resident_contribution_record": (
        _resident,
        lambda p: services.resident_contribution_record(
            person=p, year=2026, paid_on=JAN, actor=SETUP
        ),
    ),
    "account_open": (f.person, lambda p: services.account_open(person=p)),
    "account_allocate": (
        lambda c: paid_employee(c).person,
        lambda p: services.account_allocate(person=p, month=JAN, actor=SETUP),
    ),
    "accounts_allocate_month": (
        lambda c: paid_employee(c).person,
        lambda p: services.accounts_allocate_month(month=JAN, actor=SETUP),
    ),
    "account_pay": (
        lambda c: f.posting(f.person(c)).account.person,
        lambda p: services.account_pay(person=p, amount_fen=1, month=JAN, key="pay", actor=SETUP),
    ),
}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_it_locks_the_person_before_anything_else(name, county_a, county_b, demo_policy):
    setup, call = SERVICES[name]
    subject = setup(county_a)
    with CaptureQueriesContext(connection) as queries:
        call(subject)
    locks = [
        q["sql"] for q in queries if " FOR UPDATE" in q["sql"] or " FOR NO KEY UPDATE" in q["sql"]
    ]
    assert locks, f"{name} takes no lock at all"
    assert 'FROM "enrollment_person"' in locks[0] and locks[0].endswith("FOR NO KEY UPDATE"), locks[
        0
    ]


@pytest.mark.django_db(transaction=True)
def test_it_lets_one_of_two_racing_enrolments_through_and_tells_the_other_why(regions, demo_policy):
    person = f.person(regions["320902"], "双参保")
    employer = f.employer(regions["320902"])
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []

    def enrol(scheme: str) -> None:
        try:
            barrier.wait()
            services.enrol(
                person=person,
                scheme=scheme,
                start_month=JAN,
                employer=employer if scheme == Scheme.EMPLOYEE else None,
                actor=SETUP,
            )
            outcomes.append("enrolled")
        except Exception as exc:  # noqa: BLE001 — the outcome is what we assert on
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=enrol, args=(s,)) for s in (Scheme.EMPLOYEE, Scheme.RESIDENT)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    refused = [o for o in outcomes if o != "enrolled"]
    assert len(refused) == 1 and isinstance(refused[0], BusinessRuleError), outcomes
    assert refused[0].message is enrolment.DOUBLE_ENROLMENT
    assert Enrolment.objects.filter(person=person, status=EnrolmentStatus.ACTIVE).count() == 1


def test_it_names_the_person_registered_meanwhile(county_a, monkeypatch):
    taken = f.person(county_a)
    blind_once(monkeypatch, people, "person_duplicate_check")
    with pytest.raises(BusinessRuleError) as exc:
        services.person_register(
            county=county_a,
            id_number=taken.id_number,
            name="李四",
            category="in_service",
            actor=SETUP,
        )
    assert exc.value.message is people.PERSON_EXISTS_HERE


def test_it_names_the_employer_registered_meanwhile(county_a, county_b, monkeypatch):
    taken = f.employer(county_b, "盐都某公司")
    blind_once(monkeypatch, people, "_check_employer_free")
    with pytest.raises(BusinessRuleError) as exc:
        services.employer_register(
            county=county_a, credit_code=taken.credit_code, name="某公司", actor=SETUP
        )
    assert exc.value.message is people.EMPLOYER_EXISTS_ELSEWHERE and "盐都区" in exc.value.text()


def test_it_refuses_an_enrolment_that_slipped_past_the_check(county_a, demo_policy, monkeypatch):
    e = f.employee_enrolment(county_a)
    blind_once(monkeypatch, enrolment, "_check_no_overlap")
    with pytest.raises(BusinessRuleError) as exc:
        services.enrol(person=e.person, scheme=Scheme.RESIDENT, start_month=APR, actor=SETUP)
    assert exc.value.message is enrolment.DOUBLE_ENROLMENT


def test_it_refuses_to_resume_when_active_elsewhere_meanwhile(county_a, monkeypatch):
    suspended = _suspended(county_a)
    Enrolment.objects.create(
        county=county_a,
        person=suspended.person,
        scheme=Scheme.RESIDENT,
        start_month=date(2027, 1, 1),
    )
    blind_once(monkeypatch, enrolment, "_check_not_active_elsewhere")
    with pytest.raises(BusinessRuleError) as exc:
        services.enrolment_resume(enrolment=suspended, actor=SETUP)
    assert exc.value.message is enrolment.DOUBLE_ENROLMENT


def test_it_refuses_a_second_pending_transfer(county_a, monkeypatch):
    first = _transfer(county_a)
    blind_once(monkeypatch, transfers, "_check_none_pending")
    with pytest.raises(BusinessRuleError) as exc:
        services.transfer_request(
            id_number=first.person.id_number,
            to_county=Region.objects.get(code="320903"),
            new_employer=first.new_employer,
            effective_month=APR,
            actor=SETUP,
        )
    assert exc.value.message is transfers.PENDING_EXISTS


def test_it_refuses_a_month_declared_meanwhile(county_a, demo_policy, monkeypatch):
    e = paid_employee(county_a)
    assert e.employer is not None
    blind_once(monkeypatch, contributions, "_declared", blind={})
    with pytest.raises(BusinessRuleError) as exc:
        services.declaration_line_add(
            employer=e.employer, month=JAN, person=e.person, declared_base_fen=1, actor=SETUP
        )
    assert exc.value.message is contributions.MONTH_ALREADY_DECLARED


def test_it_answers_a_collection_recorded_meanwhile(county_a, demo_policy, monkeypatch):
    e = paid_employee(county_a)
    assert e.employer is not None
    recorded = e.employer.collections.get()
    blind_once(monkeypatch, contributions, "_recorded")
    again = services.collection_record(
        tax_ref=recorded.tax_ref,
        credit_code=e.employer.credit_code,
        month=JAN,
        amount_fen=recorded.amount_fen,
        received_on=JAN,
        actor=SETUP,
    )
    assert again == recorded  # the same collection: idempotent, as if seen first
    blind_once(monkeypatch, contributions, "_recorded")
    with pytest.raises(BusinessRuleError) as exc:
        services.collection_record(
            tax_ref=recorded.tax_ref,
            credit_code=e.employer.credit_code,
            month=JAN,
            amount_fen=1,
            received_on=JAN,
            actor=SETUP,
        )
    assert exc.value.message is contributions.COLLECTION_REF_CONFLICT


def test_it_refuses_a_resident_year_paid_meanwhile(county_a, demo_policy, monkeypatch):
    person = _resident(county_a)
    services.resident_contribution_record(person=person, year=2026, paid_on=JAN, actor=SETUP)
    blind_once(monkeypatch, contributions, "_check_year_unpaid")
    with pytest.raises(BusinessRuleError) as exc:
        services.resident_contribution_record(person=person, year=2026, paid_on=JAN, actor=SETUP)
    assert exc.value.message is contributions.YEAR_ALREADY_PAID


def test_it_refuses_a_posting_key_taken_meanwhile_by_another_person(county_a, monkeypatch):
    first, second = f.person(county_a, "甲"), f.person(county_a, "乙")
    posting_write(
        spec=PostingSpec(person_id=first.pk, kind="allocation", month=JAN, amount_fen=5, key="k"),
        actor=SETUP,
    )
    blind_once(monkeypatch, subledger, "_existing", blind={})
    with pytest.raises(BusinessRuleError) as exc:
        posting_write(
            spec=PostingSpec(
                person_id=second.pk, kind="allocation", month=JAN, amount_fen=5, key="k"
            ),
            actor=SETUP,
        )
    assert exc.value.message is subledger.KEY_CONFLICT
