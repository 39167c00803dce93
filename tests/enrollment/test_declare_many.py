"""declaration_lines_add_many (an import's chunk) decides exactly as declaration_line_add does."""

from __future__ import annotations

from datetime import date

from enrollment import services
from enrollment.models import Declaration, DeclarationLine, Person
from enrollment.services.contributions import LineRequest, declaration_lines_add_many
from pooling.kernel.choices import PersonCategory
from pooling.kernel.scoping import unrestricted
from tests.actors import SETUP
from tests.enrollment import factories as f
from tests.enrollment.batch_helpers import outcome

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


def _cases(county_a, county_b) -> list[LineRequest]:
    one = f.employee_enrolment(county_a, "甲", start=JAN)
    employer = one.employer
    assert employer is not None
    two = f.employee_enrolment(county_a, "乙", start=JAN, emp=employer)
    left = f.employee_enrolment(county_a, "离职", start=JAN, emp=employer)
    services.enrolment_end(enrolment=left, end_month=JAN, reason="测试终止", actor=SETUP)
    retired = f.employee_enrolment(county_a, "退休", start=JAN, emp=employer)
    Person.objects.filter(pk=retired.person.pk).update(category=PersonCategory.RETIRED)
    retired.person.category = PersonCategory.RETIRED
    stranger = f.person(county_a, "未参保")
    other = f.employer(county_a, "别家")
    services.declaration_line_add(
        employer=employer, month=JAN, person=two.person, declared_base_fen=500000, actor=SETUP
    )
    return [
        LineRequest(employer, JAN, one.person, 500000),
        LineRequest(employer, date(2026, 2, 17), one.person, 300000),  # clamped to the floor
        LineRequest(employer, MAR, one.person, 3000000),  # clamped to the ceiling
        LineRequest(employer, JAN, two.person, 500000),  # January already declared
        LineRequest(employer, FEB, two.person, 450050),  # rounding half up
        LineRequest(employer, JAN, left.person, 500000),  # the last covered month
        LineRequest(employer, FEB, left.person, 500000),  # after the enrolment ended
        LineRequest(employer, JAN, retired.person, 500000),  # retirees do not pay
        LineRequest(employer, JAN, stranger, 500000),  # not enrolled
        LineRequest(other, FEB, one.person, 500000),  # enrolled with another employer
        LineRequest(employer, FEB, one.person, 600000),  # February twice in one batch
    ]


def _state() -> tuple[list, list, list]:
    with unrestricted():
        lines = sorted(
            DeclarationLine.objects.values_list(
                "person__name",
                "month",
                "declared_base_fen",
                "base_fen",
                "base_clamped",
                "employer_fen",
                "employee_fen",
                "maternity_fen",
                "account_fen",
                "enrolment_id",
                "declaration__month",
            )
        )
        declarations = sorted(
            Declaration.objects.values_list("employer__name", "month", "total_fen", "status")
        )
        from auditlog.models import LogEntry

        # (A line's repr is its id, which the two runs draw differently from the sequence.)
        audit = sorted(
            (e.action, e.actor_id, sorted(e.changes or {}))
            for e in LogEntry.objects.filter(content_type__model="declarationline")
        )
    return lines, declarations, audit


def test_a_batch_is_declared_exactly_as_one_line_at_a_time(county_a, county_b, demo_policy):
    requests = _cases(county_a, county_b)
    one_by_one = outcome(
        requests,
        state=_state,
        one=lambda r: services.declaration_line_add(
            employer=r.employer,
            month=r.month,
            person=r.person,
            declared_base_fen=r.declared_base_fen,
            actor=SETUP,
        ),
    )
    assert outcome(requests, state=_state, batch=declaration_lines_add_many) == one_by_one
    refused, (lines, declarations, audit) = one_by_one
    assert len(audit) == len(lines)  # one CREATE entry per line, on both paths
    assert refused == [
        (3, "month_declared"),
        (6, "not_enrolled"),
        (7, "retired"),
        (8, "not_enrolled"),
        (9, "not_enrolled"),
        (10, "month_declared"),
    ]
    assert len(lines) == 6 and [d[1:] for d in declarations] == [
        (JAN, 3 * 49000, "declared"),
        (
            FEB,
            (31500 + 9000 + 3600) + (31504 + 9001 + 3600),
            "declared",
        ),  # the floor 4,500.00; 4,500.50
        (MAR, 157500 + 45000 + 18000, "declared"),
    ]  # the ceiling 22,500.00: 7 % + 2 % + 0.8 %
