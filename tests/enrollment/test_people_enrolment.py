"""Registering employers and people, enrolling them, and the rules that refuse."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from enrollment import selectors, services
from enrollment.models import Enrolment, EnrolmentStatus, Person
from enrollment.services import enrolment as enrolment_rules
from enrollment.services import people as people_rules
from pooling.kernel.choices import PersonCategory, Scheme
from pooling.kernel.codes import ID_BAD_CHECK_DIGIT
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.scoping import acting_as
from tests.actors import SETUP
from tests.enrollment import factories as f

VALID_ID = "360426199101010071"


def _refused(fn, **kwargs) -> BusinessRuleError:
    with pytest.raises(BusinessRuleError) as exc:
        fn(**{"actor": SETUP, **kwargs})
    return exc.value


def test_it_registers_a_person_with_sex_and_birth_date_from_the_id(county_a, clerk_a):
    with acting_as(clerk_a):
        p = services.person_register(
            county=county_a,
            id_number=VALID_ID.lower(),
            name="李四",
            category="在职职工",
            phone="13900001111",
            actor=clerk_a,
        )
    assert (p.sex, p.birth_date, p.county_id, p.created_by) == (
        "M",
        date(1991, 1, 1),
        "320902",
        clerk_a,
    )


def test_it_refuses_a_bad_id_number_beside_the_field(county_a):
    err = _refused(
        services.person_register,
        county=county_a,
        id_number="360426199101010072",
        name="李四",
        category="in_service",
    )
    assert err.message is ID_BAD_CHECK_DIGIT and err.field == "id_number"


def test_it_says_where_an_id_is_registered_in_another_county_and_nothing_more(
    county_a, county_b, clerk_b
):
    f.person(county_a, "王五的秘密")
    existing = Person.objects.get()
    with acting_as(clerk_b):
        err = _refused(
            services.person_register,
            county=county_b,
            id_number=existing.id_number,
            name="王五",
            category="in_service",
        )
        assert not Person.objects.filter(pk=existing.pk).exists()  # still invisible to clerk_b
    assert err.message is people_rules.PERSON_EXISTS_ELSEWHERE
    assert "亭湖区" in err.text() and "秘密" not in err.text()


def test_it_refuses_the_same_id_twice_in_one_county(county_a):
    p = f.person(county_a)
    err = _refused(
        services.person_register,
        county=county_a,
        id_number=p.id_number,
        name="x",
        category="in_service",
    )
    assert err.message is people_rules.PERSON_EXISTS_HERE


def test_it_registers_employers_with_a_checked_unique_credit_code(county_a, county_b):
    e = services.employer_register(
        county=county_a, credit_code="91110108551385082q", name="盐城甲公司", actor=SETUP
    )
    assert e.credit_code == "91110108551385082Q"
    err = _refused(
        services.employer_register, county=county_b, credit_code="91110108551385082Q", name="乙"
    )
    assert err.message is people_rules.EMPLOYER_EXISTS_ELSEWHERE and "亭湖区" in err.text()


def test_it_enrols_an_employee_and_refuses_a_resident_enrolment_at_the_same_time(
    county_a, demo_policy
):
    emp = f.employer(county_a)
    p = f.person(county_a, category=PersonCategory.RESIDENT_ADULT)
    e = services.enrol(
        person=p, scheme=Scheme.EMPLOYEE, employer=emp, start_month=date(2026, 1, 15), actor=SETUP
    )
    assert (e.start_month, e.status, e.county_id) == (
        date(2026, 1, 1),
        EnrolmentStatus.ACTIVE,
        "320902",
    )
    p.refresh_from_db()
    assert p.category == PersonCategory.IN_SERVICE
    err = _refused(services.enrol, person=p, scheme=Scheme.RESIDENT, start_month=date(2026, 3, 1))
    assert err.message is enrolment_rules.DOUBLE_ENROLMENT
    assert "职工基本医疗保险" in err.text() and "避免重复参保" in err.text()
    err = _refused(
        services.enrol, person=p, scheme=Scheme.EMPLOYEE, employer=emp, start_month=date(2026, 3, 1)
    )
    assert err.message is enrolment_rules.ALREADY_ENROLLED


def test_it_requires_an_employer_of_the_same_county_for_employee_insurance(
    county_a, county_b, demo_policy
):
    p = f.person(county_a)
    err = _refused(services.enrol, person=p, scheme=Scheme.EMPLOYEE, start_month=date(2026, 1, 1))
    assert err.message is enrolment_rules.EMPLOYER_REQUIRED and err.field == "employer"
    err = _refused(
        services.enrol,
        person=p,
        scheme=Scheme.EMPLOYEE,
        employer=f.employer(county_b),
        start_month=date(2026, 1, 1),
    )
    assert err.message is enrolment_rules.EMPLOYER_OTHER_COUNTY


def test_it_refuses_a_period_overlapping_an_ended_enrolment(county_a, demo_policy):
    e = f.employee_enrolment(county_a, start=date(2025, 1, 1))
    services.enrolment_end(enrolment=e, end_month=date(2025, 12, 1), reason="测试终止", actor=SETUP)
    err = _refused(
        services.enrol, person=e.person, scheme=Scheme.RESIDENT, start_month=date(2025, 6, 1)
    )
    assert err.message is enrolment_rules.PERIOD_OVERLAP


@pytest.mark.parametrize(
    "end, start, expected",
    [
        (date(2025, 12, 1), date(2026, 1, 1), 0),  # continuous: no gap
        (date(2025, 11, 1), date(2026, 2, 1), 0),  # from employee insurance within 3 months
        (date(2025, 6, 1), date(2026, 1, 1), 3),  # 6-month gap: the fixed 3 months
        (date(2023, 6, 1), date(2026, 1, 1), 5),  # 30-month gap: 3 + 2 extra years
    ],
)
def test_it_computes_the_resident_waiting_period_from_the_policy(
    county_a, demo_policy, end, start, expected
):
    e = f.employee_enrolment(county_a, start=date(2020, 1, 1))
    services.enrolment_end(enrolment=e, end_month=end, reason="测试终止", actor=SETUP)
    r = services.enrol(person=e.person, scheme=Scheme.RESIDENT, start_month=start, actor=SETUP)
    assert r.waiting_months == expected
    assert r.benefits_from == date(
        start.year + (start.month - 1 + expected) // 12, (start.month - 1 + expected) % 12 + 1, 1
    )


def test_it_reduces_the_variable_waiting_by_years_paid_back(county_a, demo_policy):
    e = f.employee_enrolment(county_a, start=date(2015, 1, 1))
    services.enrolment_end(enrolment=e, end_month=date(2020, 12, 1), reason="测试终止", actor=SETUP)
    r = services.enrol(
        person=e.person,
        scheme=Scheme.RESIDENT,
        start_month=date(2026, 1, 1),
        repaid_years=2,
        actor=SETUP,
    )
    assert r.waiting_months == 3 + 4 - 2  # gap 2021-01..2025-12 = 5 years: 4 extra


def test_it_exempts_newborns_and_charges_first_time_adults_the_fixed_wait(county_a, demo_policy):
    baby = f.person(
        county_a, "新生儿", birth=date(2026, 2, 3), category=PersonCategory.MINOR_STUDENT
    )
    assert (
        services.enrol(
            person=baby, scheme=Scheme.RESIDENT, start_month=date(2026, 3, 1), actor=SETUP
        ).waiting_months
        == 0
    )
    adult = f.person(county_a, "首次参保", category=PersonCategory.RESIDENT_ADULT)
    assert (
        services.enrol(
            person=adult, scheme=Scheme.RESIDENT, start_month=date(2026, 3, 1), actor=SETUP
        ).waiting_months
        == 3
    )


def test_it_suspends_resumes_and_ends_enrolments(county_a, demo_policy):
    e = f.employee_enrolment(county_a)
    assert (
        services.enrolment_suspend(enrolment=e, reason="测试暂停", actor=SETUP).status
        == EnrolmentStatus.SUSPENDED
    )
    assert services.enrolment_resume(enrolment=e, actor=SETUP).status == EnrolmentStatus.ACTIVE
    assert services.enrolment_end(
        enrolment=e, end_month=date(2026, 5, 20), reason="测试终止", actor=SETUP
    ).end_month == date(2026, 5, 1)
    err = _refused(
        services.enrolment_end, enrolment=e, end_month=date(2026, 6, 1), reason="再次终止"
    )
    assert err.message is enrolment_rules.ALREADY_ENDED


def test_it_records_retirement_and_death(county_a, demo_policy):
    e = f.employee_enrolment(county_a)
    services.person_retire(person=e.person, on=date(2026, 4, 1), actor=SETUP)
    assert e.person.category == PersonCategory.RETIRED
    services.person_death(person=e.person, on=date(2026, 8, 9), actor=SETUP)
    e.refresh_from_db()
    assert (e.status, e.end_month) == (EnrolmentStatus.ENDED, date(2026, 8, 1))
    err = _refused(
        services.enrol, person=e.person, scheme=Scheme.RESIDENT, start_month=date(2026, 9, 1)
    )
    assert err.message is enrolment_rules.PERSON_DEAD


def test_it_lets_a_clerk_write_only_in_their_own_county(county_a, county_b, clerk_a):
    with acting_as(clerk_a), pytest.raises(PermissionDenied):
        services.person_register(
            county=county_b, id_number=VALID_ID, name="李四", category="in_service", actor=SETUP
        )


def test_it_reports_overlapping_enrolments_found_in_existing_data(county_a, county_b, clerk_a):
    e = f.employee_enrolment(county_a, "重叠者", start=date(2025, 1, 1))
    Enrolment.objects.filter(pk=e.pk).update(
        status=EnrolmentStatus.ENDED, end_month=date(2026, 3, 1)
    )
    # An import put a resident enrolment over the last months of the employee one.
    Enrolment.objects.create(
        county=county_a, person=e.person, scheme=Scheme.RESIDENT, start_month=date(2026, 1, 1)
    )
    clean = f.employee_enrolment(county_b, "无重叠")
    Enrolment.objects.create(
        county=county_b,
        person=f.person(county_b, "他人"),
        scheme=Scheme.RESIDENT,
        start_month=date(2026, 1, 1),
    )
    found = selectors.enrolment_overlaps()
    assert [(o["person"].name, o["from"], o["to"]) for o in found] == [
        ("重叠者", date(2026, 1, 1), date(2026, 3, 1))
    ]
    with acting_as(clerk_a):
        assert len(selectors.enrolment_overlaps()) == 1
    assert clean.person.name == "无重叠"


def test_it_finds_people_by_id_number_or_name_prefix_in_scope_only(county_a, county_b, clerk_a):
    a1 = f.person(county_a, "张三丰")
    f.person(county_a, "张无忌")
    f.person(county_a, "李寻欢")
    b1 = f.person(county_b, "张翠山")
    with acting_as(clerk_a):
        assert [p.name for p in selectors.person_search(q="张", limit=10)] == ["张三丰", "张无忌"]
        assert selectors.person_search(q=a1.id_number.lower()) == [a1]
        assert selectors.person_search(q=b1.id_number) == []
        assert len(selectors.person_search(q=a1.id_number[:6], limit=2)) == 2
        assert selectors.person_search(q="  ") == []


def _prefix_plan(clerk, field: str, text: str) -> str:
    """PostgreSQL's plan for a clerk's prefix search (sequential scans off: the table is tiny)."""
    from django.db import connection

    from enrollment.selectors import _prefix

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL plan")
    with acting_as(clerk), connection.cursor() as cursor:
        sql, params = _prefix(Person.objects.all(), field, text).query.sql_with_params()
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("who", ["clerk_a", "city_agent"])
def test_it_answers_a_name_prefix_search_from_the_byte_order_index(county_a, who, request):
    f.person(county_a, "张三丰")
    plan = _prefix_plan(request.getfixturevalue(who), "name", "张")
    # The prefix range (and a clerk's county) are index conditions, and no sort is needed.
    assert "person_name_county_c" in plan and "Sort" not in plan, plan
    assert ("county_id" in plan.split("Index Cond")[1]) == (who == "clerk_a"), plan


def test_an_id_prefix_search_reads_the_unique_index_in_order(county_a, clerk_a):
    """Migration 0003 stores the ID number in byte order, so its unique index serves a prefix."""
    f.person(county_a, "张三丰")
    plan = _prefix_plan(clerk_a, "id_number", "320902")
    assert "enrollment_person_id_number_key" in plan and "Sort" not in plan, plan


def test_a_clerks_people_list_is_read_in_index_order_not_sorted(county_a, clerk_a):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL plan")
    f.person(county_a, "张三丰")
    with acting_as(clerk_a), connection.cursor() as cursor:
        sql, params = selectors.people_list().query.sql_with_params()
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql + " LIMIT 50", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "person_name_county_c" in plan and "Sort" not in plan, plan
