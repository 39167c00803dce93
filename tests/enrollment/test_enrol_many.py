"""enrol_many (an import's chunk) decides exactly as enrol does one request at a time."""

from __future__ import annotations

from datetime import date

from enrollment import services
from enrollment.models import Enrolment, Person
from enrollment.services.enrolment import EnrolRequest, enrol_many
from pooling.kernel.choices import PersonCategory, Scheme
from pooling.kernel.scoping import unrestricted
from tests.actors import SETUP
from tests.enrollment import factories as f
from tests.enrollment.batch_helpers import outcome


def _cases(county_a, county_b) -> list[EnrolRequest]:
    gap = f.employee_enrolment(county_a, "断保", start=date(2020, 1, 1))
    services.enrolment_end(
        enrolment=gap, end_month=date(2023, 6, 1), reason="测试终止", actor=SETUP
    )
    continuous = f.employee_enrolment(county_a, "接续", start=date(2020, 1, 1))
    services.enrolment_end(
        enrolment=continuous, end_month=date(2025, 12, 1), reason="测试终止", actor=SETUP
    )
    overlap = f.employee_enrolment(county_a, "重叠", start=date(2025, 1, 1))
    services.enrolment_end(
        enrolment=overlap, end_month=date(2026, 2, 1), reason="测试终止", actor=SETUP
    )
    active = f.employee_enrolment(county_a, "在保")
    dead = f.person(county_a, "已故")
    Person.objects.filter(pk=dead.pk).update(died_on=date(2025, 1, 1))
    dead.died_on = date(2025, 1, 1)
    employer_a, employer_b = f.employer(county_a, "亭湖单位"), f.employer(county_b, "盐都单位")
    worker, retiree = (
        f.person(county_a, "职工"),
        f.person(county_a, "退休", category=PersonCategory.RETIRED),
    )
    baby = f.person(
        county_a, "新生儿", birth=date(2026, 2, 3), category=PersonCategory.MINOR_STUDENT
    )
    adult, pupil = (
        f.person(county_a, "首次参保", category=PersonCategory.IN_SERVICE),
        f.person(county_a, "学生", birth=date(2012, 9, 1), category=PersonCategory.RESIDENT_ADULT),
    )
    twice = f.person(county_a, "两行")
    march = date(2026, 3, 1)
    return [
        EnrolRequest(gap.person, Scheme.RESIDENT, march),  # 3 + 2 extra years of waiting
        EnrolRequest(continuous.person, Scheme.RESIDENT, date(2026, 1, 1)),  # continuous: none
        EnrolRequest(overlap.person, Scheme.RESIDENT, date(2026, 1, 1)),  # overlaps: refused
        EnrolRequest(active.person, Scheme.RESIDENT, march),  # 避免重复参保: refused
        EnrolRequest(dead, Scheme.RESIDENT, march),  # dead: refused
        EnrolRequest(worker, Scheme.EMPLOYEE, march, employer_b),  # employer of another county
        EnrolRequest(worker, Scheme.EMPLOYEE, march),  # no employer
        EnrolRequest(retiree, Scheme.EMPLOYEE, march, employer_a),  # stays retired
        EnrolRequest(baby, Scheme.RESIDENT, march),  # newborn: no wait
        EnrolRequest(adult, Scheme.RESIDENT, march),  # becomes a resident adult
        EnrolRequest(pupil, Scheme.RESIDENT, march),  # under 18: minor/student
        EnrolRequest(twice, Scheme.RESIDENT, march),
        EnrolRequest(twice, Scheme.EMPLOYEE, march, employer_a),  # second row, same person: refused
    ]


def _state() -> tuple[list, list, list]:
    with unrestricted():
        enrolments = sorted(
            Enrolment.objects.values_list(
                "person__name",
                "scheme",
                "start_month",
                "status",
                "waiting_months",
                "benefits_from",
                "employer_id",
            )
        )
        people = sorted(Person.objects.values_list("name", "category"))
    return enrolments, people, _audit("enrolment", "person")


def _audit(*models: str) -> list:
    """The audit trail the run left for these models: what, which row, which fields."""
    from auditlog.models import LogEntry

    # The table's own columns: the signal also notes reverse accessors (`continued_by`) as
    # changing from nothing to "None", which the batch path does not bother to read.
    columns = {f.name for m in (Enrolment, Person) for f in m._meta.concrete_fields}
    entries = LogEntry.objects.filter(content_type__model__in=models)
    found = [
        (e.content_type.model, e.action, e.object_repr, sorted(set(e.changes or {}) & columns))
        for e in entries
    ]
    return sorted(found)


def test_a_batch_is_decided_exactly_as_one_request_at_a_time(county_a, county_b, demo_policy):
    requests = _cases(county_a, county_b)
    one_by_one = outcome(
        requests,
        state=_state,
        one=lambda r: services.enrol(
            person=r.person,
            scheme=r.scheme,
            start_month=r.start_month,
            employer=r.employer,
            actor=SETUP,
        ),
    )
    batched = outcome(requests, state=_state, batch=enrol_many)
    assert batched == one_by_one
    refused, (enrolments, people, audit) = batched
    assert refused == [
        (2, "period_overlap"),
        (3, "double_enrolment"),
        (4, "dead"),
        (5, "employer_county"),
        (6, "employer_required"),
        (12, "double_enrolment"),
    ]
    waits = {
        name: (months, benefits_from)
        for name, _scheme, start, _status, months, benefits_from, _employer in enrolments
        if start >= date(2026, 1, 1)
    }
    assert (
        waits["断保"] == (5, date(2026, 8, 1)) and waits["接续"][0] == 0 and waits["新生儿"][0] == 0
    )
    assert dict(people)["首次参保"] == PersonCategory.RESIDENT_ADULT
    assert dict(people)["学生"] == PersonCategory.MINOR_STUDENT
    assert dict(people)["退休"] == PersonCategory.RETIRED
