"""Money recorded after its month's collection step ran is booked in the next month the step
has not run (`settlement.cycle.booking`) and reaches the books there, once.

Demo policy, base 5,000.00: a person-month is 490.00 = 350.00 pooled + 100.00 personal +
40.00 maternity; a resident adult's year is 400.00. `march_world`: 亭湖区 (A) collects
700.00 + 214.30 pooled, 盐都区 (B) 350.00 pooled, 40.00 maternity, 100.00 personal.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Sum

from enrollment import services
from enrollment.models import AccountPosting, Collection, PostingKind, ResidentContribution
from funds.chart import Category as C
from funds.models import Entry, Line
from funds.services.reconcile import reconcile_ledger
from pooling.kernel.choices import PersonCategory, Scheme
from pooling.kernel.permissions import CYCLE_JOB
from settlement.cycle import runner
from settlement.cycle.booking import booked_month_for
from settlement.cycle.steps import accounts, collection
from settlement.models import CycleShard, CycleStatus
from tests.actors import SETUP
from tests.enrollment import factories as f
from tests.settlement.cycle import in_world as w
from tests.settlement.cycle.in_world import APR, BASE, MAR, bal, close, collect, declare, run

A, B = "320902", "320903"
POOLED, PERSONAL, MAT, RES = "employee_pooled", "employee_personal", "maternity", "resident"
IN_STEPS = [collection.STEP, accounts.STEP]  # the runner's real rows, only the money-in steps
LATE_DAY = date(2026, 3, 30)


@pytest.fixture
def march(settings, county_a, county_b, demo_policy):
    settings.POOLING_CYCLE_STEPS = "tests.settlement.cycle.test_late_booking.IN_STEPS"
    return w.march_world(county_a, county_b)


def month_run(month: date) -> None:
    run = runner.run_start(month=month, actor=CYCLE_JOB, dispatch=runner.no_dispatch)
    assert runner.run_to_end(run.pk).status == CycleStatus.DONE


def late_collection(county, received_on: date = LATE_DAY) -> Collection:
    """A March declaration filed in March (one person), paid in full, received on `received_on`."""
    emp = declare(county, MAR, [BASE], filed_on=date(2026, 3, 5))
    collect(emp, MAR, 49000, received_on)
    return Collection.objects.get(employer=emp)


def balanced() -> bool:
    """Every book's lines sum to zero (the trial balance), and the ledger's checks pass."""
    per_book = Line.objects.values("book_id").annotate(s=Sum("amount_fen"))
    return all(r["s"] == 0 for r in per_book) and reconcile_ledger() == []


def test_it_books_a_collection_recorded_after_the_months_run_in_the_next_month(march):
    month_run(MAR)
    late = late_collection(march["b"].county)
    assert (late.received_on, late.booked_month) == (LATE_DAY, APR)
    entries = Entry.objects.count()
    run(collection.STEP, MAR)  # March computed again: it is not March's any more
    assert Entry.objects.count() == entries
    assert bal(POOLED, C.INCOME_PREMIUM, B) == -35000
    month_run(APR)
    # April takes the whole 490.00 in: 350.00 + 350.00 pooled, 40.00 + 40.00 maternity,
    # 100.00 + 100.00 to the personal book's special account.
    assert bal(POOLED, C.INCOME_PREMIUM, B) == -70000
    assert bal(MAT, C.INCOME_PREMIUM, B) == -8000
    assert bal(PERSONAL, C.FISCAL_SPECIAL, B, owner=w.CITY) == 20000
    april = Line.objects.filter(entry__key="collection:2026-04:320903:employee_pooled")
    assert april.filter(account__category=C.INCOME_PREMIUM).get().amount_fen == -35000
    assert {e.entry_date for e in Entry.objects.filter(key__startswith="collection:2026-04:")} == {
        date(2026, 4, 30)
    }
    # Matched in March: nothing waits; the transit accounts are empty again.
    assert bal(POOLED, C.SUSPENSE, B) == 0
    for book in (POOLED, PERSONAL, MAT):
        assert bal(book, C.TREASURY_TRANSIT, B, owner=w.CITY) == 0
    # The employee's 100.00 reached their account in April's run, as March's allocation.
    assert late.declaration is not None
    person = late.declaration.lines.get().person
    posting = AccountPosting.objects.get(account__person=person, kind=PostingKind.ALLOCATION)
    assert (posting.month, posting.amount_fen, posting.batch is not None) == (MAR, 10000, True)
    assert bal(POOLED, C.INCOME_PREMIUM, A) == -91430  # 亭湖区 got nothing new
    assert balanced()


def test_it_books_a_collection_recorded_before_the_collection_step_in_its_month(march):
    late = late_collection(march["b"].county)
    assert late.booked_month == MAR
    month_run(MAR)
    march_entry = Line.objects.filter(entry__key="collection:2026-03:320903:employee_pooled")
    assert march_entry.filter(account__category=C.INCOME_PREMIUM).get().amount_fen == -70000
    month_run(APR)
    assert bal(POOLED, C.INCOME_PREMIUM, B) == -70000  # April does not take it again
    assert balanced()


def test_it_decides_by_the_countys_own_shard(march, county_a, county_b):
    run = runner.run_start(month=MAR, actor=CYCLE_JOB, dispatch=runner.no_dispatch)
    shard_a = CycleShard.objects.get(step__run=run, step__name="collection", key=A)
    runner.shard_execute(shard_a.pk, dispatch=runner.no_dispatch)
    assert (booked_month_for(A, LATE_DAY), booked_month_for(B, LATE_DAY)) == (APR, MAR)
    assert booked_month_for(A, date(2026, 4, 2)) == APR
    in_b, in_a = late_collection(county_b), late_collection(county_a)
    assert (in_b.booked_month, in_a.booked_month) == (MAR, APR)
    assert runner.run_to_end(run.pk).status == CycleStatus.DONE
    assert bal(POOLED, C.INCOME_PREMIUM, B) == -70000  # 盐都区's step had not run: March
    assert bal(POOLED, C.INCOME_PREMIUM, A) == -91430  # 亭湖区's had: waits for April
    month_run(APR)
    assert bal(POOLED, C.INCOME_PREMIUM, A) == -(91430 + 35000)
    assert balanced()


def _resident(county):
    p = f.person(county, "迟登居民", category=PersonCategory.RESIDENT_ADULT)
    services.enrol(person=p, scheme=Scheme.RESIDENT, start_month=date(2026, 1, 1), actor=SETUP)
    return p


def test_it_books_a_resident_contribution_recorded_late_in_the_next_month(march, county_a):
    month_run(MAR)
    paid = services.resident_contribution_record(
        person=_resident(county_a), year=2026, paid_on=date(2026, 3, 20), actor=SETUP
    )
    assert (paid.paid_fen, paid.booked_month) == (40000, APR)
    run(collection.STEP, MAR)
    assert bal(RES, C.INCOME_PREMIUM, A) == -38000  # March keeps its 380.00 only
    month_run(APR)
    april = Line.objects.filter(entry__key="collection:2026-04:320902:resident")
    assert april.filter(account__category=C.INCOME_PREMIUM).get().amount_fen == -40000
    assert bal(RES, C.INCOME_PREMIUM, A) == -(38000 + 40000)
    assert bal(RES, C.FISCAL_SPECIAL, A, owner=w.CITY) == 38000 + 40000
    assert balanced()


def test_a_resident_contribution_recorded_in_time_stays_in_its_month(march, county_a):
    paid = services.resident_contribution_record(
        person=_resident(county_a), year=2026, paid_on=date(2026, 3, 20), actor=SETUP
    )
    assert paid.booked_month == MAR
    month_run(MAR)
    assert bal(RES, C.INCOME_PREMIUM, A) == -(38000 + 40000)


def test_money_recorded_after_the_month_closed_goes_to_the_open_month_not_an_adjustment(march):
    run(collection.STEP, MAR)  # no run rows: the closed period alone decides
    close(MAR)
    late = late_collection(march["b"].county)
    assert late.booked_month == APR
    before = set(Entry.objects.values_list("key", flat=True))
    run(collection.STEP, MAR, run_id=2, adjustment=True, entry_date=date(2026, 4, 10))
    assert not Entry.objects.exclude(key__in=before).exists()  # not March's: nothing to correct
    run(collection.STEP, APR)
    assert bal(POOLED, C.INCOME_PREMIUM, B) == -70000 and bal(MAT, C.INCOME_PREMIUM, B) == -8000
    assert bal(PERSONAL, C.FISCAL_SPECIAL, B, owner=w.CITY) == 20000


def test_it_skips_every_month_already_taken_in(march):
    month_run(MAR)
    month_run(APR)
    close(date(2026, 5, 1))  # May closed by hand, without a run
    assert booked_month_for(B, LATE_DAY) == date(2026, 6, 1)
    assert booked_month_for(B, date(2026, 7, 9)) == date(2026, 7, 1)  # a later month: its own


def test_old_rows_without_a_booked_month_count_in_the_month_received(march):
    Collection.objects.update(booked_month=None)
    ResidentContribution.objects.update(booked_month=None)
    run(collection.STEP, MAR)
    assert bal(POOLED, C.INCOME_PREMIUM, A) == -91430 and bal(RES, C.INCOME_PREMIUM, A) == -38000


def test_the_collection_page_says_what_came_in_earlier_and_only_to_its_county(
    march, county_a, client_for, city_agent, clerk_a, clerk_b
):
    month_run(MAR)
    late_collection(march["b"].county)
    services.resident_contribution_record(
        person=_resident(county_a), year=2026, paid_on=date(2026, 3, 20), actor=SETUP
    )
    month_run(APR)
    html = client_for(city_agent).get("/settlement/cycle/2026-04/collection/").content.decode()
    late = html.split('id="cycle-collection-0"', 1)[1]
    assert "到账 2026-03，计入 2026-04 归集" in late and "缴费 2026-03，计入 2026-04 归集" in late
    assert "490.00" in late and "400.00" in late and "890.00" in late  # the total
    mine = client_for(clerk_b).get("/settlement/cycle/2026-04/collection/").content.decode()
    assert "到账 2026-03" in mine and "缴费 2026-03" not in mine  # 亭湖区's resident: not theirs
    march_page = client_for(city_agent).get("/settlement/cycle/2026-03/collection/")
    assert 'id="cycle-collection-0"' not in march_page.content.decode()  # nothing came late


def test_recording_late_money_tells_the_clerk_where_it_is_booked(march, client_for, clerk_b):
    month_run(MAR)
    emp = declare(march["b"].county, MAR, [BASE], filed_on=date(2026, 3, 5))
    page = client_for(clerk_b).post(
        "/enrollment/collections/new/",
        {
            "tax_ref": "T-LATE-1",
            "credit_code": emp.credit_code,
            "month": "2026-03",
            "amount": "490.00",
            "received_on": "2026-03-30",
        },
        follow=True,
    )
    assert "到账 2026-03，计入 2026-04 归集" in page.content.decode()
    assert Collection.objects.get(tax_ref="T-LATE-1").booked_month == APR


def test_money_recorded_between_the_collection_and_accounts_steps_balances_by_april(march):
    run = runner.run_start(month=MAR, actor=CYCLE_JOB, dispatch=runner.no_dispatch)
    for shard in CycleShard.objects.filter(step__run=run, step__name="collection"):
        runner.shard_execute(shard.pk, dispatch=runner.no_dispatch)
    late = late_collection(march["b"].county)
    assert late.booked_month == APR
    assert runner.run_to_end(run.pk).status == CycleStatus.DONE
    # March's accounts step found the declaration paid and credited the 100.00 now; the
    # personal book's transit account carries it until April's collection step moves it on.
    assert bal(PERSONAL, C.TREASURY_TRANSIT, B, owner=w.CITY) == 10000
    assert bal(POOLED, C.INCOME_PREMIUM, B) == -35000 and balanced()
    month_run(APR)
    assert bal(PERSONAL, C.TREASURY_TRANSIT, B, owner=w.CITY) == 0
    assert bal(PERSONAL, C.FISCAL_SPECIAL, B, owner=w.CITY) == 20000
    assert bal(POOLED, C.INCOME_PREMIUM, B) == -70000 and balanced()
    assert AccountPosting.objects.filter(county_id=B, kind=PostingKind.ALLOCATION).count() == 2
