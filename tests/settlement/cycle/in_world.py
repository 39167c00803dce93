"""Running the money-in steps in tests, and a small contribution world to run them on."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from enrollment import services
from enrollment.models import Declaration, Employer, ResidentContribution
from funds.chart import account_code
from funds.models import Book, Line, Period
from funds.services import period_close
from funds.services.setup import books_ensure
from pooling.kernel.audit import system_job
from pooling.kernel.choices import PersonCategory, Scheme
from pooling.kernel.dates import month_end
from pooling.kernel.permissions import CYCLE_JOB
from pooling.models import Region
from settlement.cycle.base import ShardContext, StepDef
from tests.actors import SETUP
from tests.enrollment import factories as f

CITY = "320900"
MAR, APR = date(2026, 3, 1), date(2026, 4, 1)


def run(
    step: StepDef,
    month: date,
    *,
    run_id: int = 1,
    adjustment: bool = False,
    entry_date: date | None = None,
) -> dict[str, dict[str, int]]:
    """Every shard of the step as the runner does: each in its own transaction, as the job."""
    counts = {}
    with system_job(CYCLE_JOB):
        for shard in step.plan(month):
            ctx = ShardContext(
                run_id=run_id,
                month=month,
                shard=shard,
                actor=CYCLE_JOB,
                entry_date=entry_date or month_end(month),
                adjustment=adjustment,
            )
            with transaction.atomic():
                counts[shard] = step.work(ctx)
    return counts


def bal(book: str, category: str, county: str, *, owner: str | None = None) -> int:
    """Debit-positive sum of the lines of one account accounted to `county`."""
    code = account_code(category, owner or county)
    return int(
        Line.objects.filter(book__code=book, account__code=code, county_id=county).aggregate(
            s=Sum("amount_fen")
        )["s"]
        or 0
    )


def books() -> dict[str, Book]:
    return {b.code: b for b in books_ensure(area_code=CITY)}


def close(month: date) -> None:
    for book in Book.objects.all():
        period_close(book=book, year=month.year, month=month.month, actor=SETUP)
    assert (
        Period.objects.filter(year=month.year, month=month.month, status=Period.OPEN).count() == 0
    )


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def declare(
    county: Region, month: date, bases: list[int], *, filed_on: date, emp: Employer | None = None
) -> Employer:
    """An employer declaring `month` for one new employee per base, filed on `filed_on`."""
    emp = emp or f.employer(county)
    for i, base in enumerate(bases):
        e = f.employee_enrolment(county, f"职工{i}", emp=emp)
        services.declaration_line_add(
            employer=emp, month=month, person=e.person, declared_base_fen=base, actor=SETUP
        )
    Declaration.objects.filter(employer=emp, month=month).update(created_at=at(filed_on))
    return emp


_refs = iter(range(10_000, 99_999))


def collect(emp: Employer, month: date, amount: int, received_on: date) -> None:
    services.collection_record(
        tax_ref=f"T{next(_refs)}",
        credit_code=emp.credit_code,
        month=month,
        amount_fen=amount,
        received_on=received_on,
        actor=SETUP,
    )


def resident_paid(county: Region, amount: int, paid_on: date) -> None:
    from enrollment.models import Enrolment

    p = f.person(county, "居民", category=PersonCategory.RESIDENT_ADULT)
    e = Enrolment.objects.create(
        county=county, person=p, scheme=Scheme.RESIDENT, start_month=date(2026, 1, 1)
    )
    ResidentContribution.objects.create(
        county=county,
        person=p,
        enrolment=e,
        year=paid_on.year,
        standard_fen=amount,
        paid_fen=amount,
        paid_on=paid_on,
    )


BASE = 500000  # a person-month: 490.00 = 350.00 pooled + 100.00 personal + 40.00 maternity


def march_world(county_a: Region, county_b: Region) -> dict[str, Employer]:
    """亭湖区: one employer paid in full (2 people), one in part, money with no declaration,
    a resident's contribution; 盐都区: one employer paid in full."""
    books()
    full = declare(county_a, MAR, [BASE, BASE], filed_on=date(2026, 3, 2))
    collect(full, MAR, 98000, date(2026, 3, 10))
    part = declare(county_a, MAR, [BASE], filed_on=date(2026, 3, 2))
    collect(part, MAR, 30000, date(2026, 3, 15))
    early = f.employer(county_a, "先缴后报单位")
    collect(early, MAR, 20000, date(2026, 3, 20))
    resident_paid(county_a, 38000, date(2026, 3, 5))
    b = declare(county_b, MAR, [BASE], filed_on=date(2026, 3, 3))
    collect(b, MAR, 49000, date(2026, 3, 12))
    return {"full": full, "part": part, "early": early, "b": b}
