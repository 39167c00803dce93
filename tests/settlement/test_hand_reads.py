"""The person a message names and the enrolment a registration checks, read by hand-written SQL on the
interface's hot path, are the rows the ORM reads (settlement/hsa/people.py, services/eligibility.py)."""

from __future__ import annotations

from datetime import date

import pytest

from enrollment.models import Enrolment, EnrolmentStatus, Person
from pooling.kernel.choices import Scheme
from pooling.kernel.scoping import acting_for_provider, unrestricted
from settlement.hsa.errors import HsaError
from settlement.hsa.people import person_from, psn_no
from settlement.services.eligibility import enrolment_covering, enrolments_covering
from tests.enrollment.factories import employee_enrolment, person

pytestmark = pytest.mark.django_db


def _values(row):
    return {f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields}


def test_a_person_is_found_by_psn_no_or_certificate_across_counties(hospital, county_b):
    # The hospital's scope sees no person row of county B; a message may still name them.
    other = person(county_b, "外县人")
    with acting_for_provider(hospital.pk):
        by_number = person_from({"psn_no": psn_no(other)})
        by_cert = person_from({"mdtrt_cert_type": "02", "mdtrt_cert_no": other.id_number.lower()})
    with unrestricted():
        expected = _values(Person.objects.get(pk=other.pk))
    assert _values(by_number) == expected and _values(by_cert) == expected


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"psn_no": "32090099999999999999"}, "psn_no"),
        ({"mdtrt_cert_type": "02", "mdtrt_cert_no": "320902198001010000"}, "mdtrt_cert_no"),
    ],
)
def test_an_unknown_person_is_refused(county_a, data, field):
    person(county_a)
    with pytest.raises(HsaError) as refused:
        person_from(data)
    assert refused.value.field == field and refused.value.code == "unknown_person"


def test_the_enrolment_covering_a_date_is_the_first_the_orm_reads(county_a, county_b):
    # A transfer: 2025-03 … 2025-08 in county A (ended), from 2025-08 in county B (the month of the
    # move covered by both: the later start wins); a resident
    # enrolment suspended long ago beside it.
    first = employee_enrolment(county_a, "转移人", start=date(2025, 3, 1))
    Enrolment.objects.filter(pk=first.pk).update(
        end_month=date(2025, 8, 1), status=EnrolmentStatus.ENDED
    )
    Enrolment.objects.create(
        county=county_b,
        person_id=first.person_id,
        scheme=Scheme.EMPLOYEE,
        employer=first.employer,
        start_month=date(2025, 8, 1),
        benefits_from=date(2025, 8, 1),
        continues=first,
    )
    Enrolment.objects.create(
        county=county_a,
        person_id=first.person_id,
        scheme=Scheme.RESIDENT,
        start_month=date(2020, 1, 1),
        end_month=date(2021, 6, 1),
        status=EnrolmentStatus.ENDED,
    )
    days = [date(2025, 2, 28), date(2025, 3, 1), date(2025, 7, 31), date(2025, 8, 15)]
    days += [date(2026, 5, 4), date(2021, 6, 30), date(2021, 7, 1)]
    seen = set()
    with unrestricted():
        for scheme in (Scheme.EMPLOYEE, Scheme.RESIDENT):
            for on in days:
                by_orm = enrolments_covering(
                    person_id=first.person_id, scheme=scheme, on=on
                ).first()
                by_hand = enrolment_covering(person_id=first.person_id, scheme=scheme, on=on)
                assert (by_hand and _values(by_hand)) == (by_orm and _values(by_orm)), (scheme, on)
                seen.add(by_hand and by_hand.pk)
    assert len(seen) == 4  # none, the ended one, its continuation, the resident one
