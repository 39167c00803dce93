"""The accounts step: the month's allocations credited and swept, control = Σ balances."""

from datetime import date

import pytest
from django.db.models import Sum

from enrollment.models import AccountPosting, Person, PersonalAccount
from funds.chart import Category as C
from funds.models import Entry
from pooling.kernel.choices import PersonCategory
from settlement.cycle.steps import accounts, collection
from tests.enrollment import factories as f
from tests.settlement.cycle import in_world as w
from tests.settlement.cycle.in_world import MAR, bal, close, collect, run

A, B = "320902", "320903"
POOLED, PERSONAL = "employee_pooled", "employee_personal"


@pytest.fixture
def march(county_a, county_b, demo_policy):
    world = w.march_world(county_a, county_b)
    retiree = f.employee_enrolment(county_a, "退休").person  # 76 in March 2026: 110.00 a month
    Person.objects.filter(pk=retiree.pk).update(
        category=PersonCategory.RETIRED, birth_date=date(1950, 1, 1)
    )
    run(collection.STEP, MAR)
    return world


def _people(county: str) -> int:
    return int(
        PersonalAccount.objects.filter(person__county_id=county).aggregate(s=Sum("balance_fen"))[
            "s"
        ]
        or 0
    )


def test_in_service_and_retiree_allocations_reach_people_and_books(march):
    counts = run(accounts.STEP, MAR)
    # 亭湖区: the fully paid employer's two people 100.00 each, the retiree 110.00; the
    # partial payer's person nothing yet (declaration not paid in full).
    assert _people(A) == 31000 and _people(B) == 10000
    assert bal(PERSONAL, C.PERSONAL_ACCOUNT_BALANCE, A) == -_people(A)
    assert bal(PERSONAL, C.PERSONAL_ACCOUNT_BALANCE, B) == -_people(B)
    # The partial payer's 61.22 is in the special account, waiting for its people.
    assert bal(PERSONAL, C.TREASURY_TRANSIT, A, owner="320900") == -26122 + 20000
    assert bal(PERSONAL, C.TREASURY_TRANSIT, B, owner="320900") == 0
    # The retiree's 110.00: out of the pooled book's special account into the personal one.
    assert bal(POOLED, C.BENEFIT_PERSONAL_ACCOUNT, A) == 11000
    assert bal(POOLED, C.FISCAL_SPECIAL, A, owner="320900") == 91430 - 11000
    assert bal(PERSONAL, C.FISCAL_SPECIAL, A, owner="320900") == 26122 + 11000
    assert (
        counts[A]["allocated"] == 3
        and counts[A]["batches"] == 2
        and counts[A]["swept_fen"] == 31000
    )


def test_running_again_changes_nothing(march):
    run(accounts.STEP, MAR)
    before = (Entry.objects.count(), AccountPosting.objects.count())
    counts = run(accounts.STEP, MAR)
    assert (Entry.objects.count(), AccountPosting.objects.count()) == before
    assert all(c["allocated"] == 0 and c["batches"] == 0 for c in counts.values())


def test_an_adjustment_allocates_a_late_paid_declaration_in_the_open_month(march):
    run(accounts.STEP, MAR)
    close(MAR)
    collect(march["part"], MAR, 19000, date(2026, 3, 31))  # the rest of the partial payer's month
    before = set(Entry.objects.values_list("key", flat=True))
    run(accounts.STEP, MAR, run_id=2, adjustment=True, entry_date=date(2026, 4, 10))
    new = list(Entry.objects.exclude(key__in=before))
    assert [(e.key, e.entry_date) for e in new] == [
        ("pa:320902:2026-03:allocation:2", date(2026, 4, 10))
    ]
    assert _people(A) == 41000 and bal(PERSONAL, C.PERSONAL_ACCOUNT_BALANCE, A) == -41000


def test_a_month_paid_in_full_later_is_allocated_and_swept_in_the_later_month(march):
    run(accounts.STEP, MAR)
    collect(march["part"], MAR, 19000, date(2026, 4, 8))  # March's rest arrives in April
    before = set(Entry.objects.values_list("key", flat=True))
    counts = run(accounts.STEP, w.APR)
    new = sorted((e.key, e.entry_date) for e in Entry.objects.exclude(key__in=before))
    assert new == [
        ("pa:320902:2026-03:allocation:2", date(2026, 4, 30)),  # March's, booked in April
        ("pa:320902:2026-04:retiree_allocation:1", date(2026, 4, 30)),
        ("pa:320902:2026-04:retiree_allocation:1:pooled", date(2026, 4, 30)),
    ]
    assert counts[A]["allocated"] == 2  # the March person and the retiree's April
    assert _people(A) == 31000 + 10000 + 11000
    assert bal(PERSONAL, C.PERSONAL_ACCOUNT_BALANCE, A) == -_people(A)
    close(MAR)  # an adjustment of March afterwards finds it done
    run(accounts.STEP, MAR, run_id=2, adjustment=True, entry_date=date(2026, 5, 3))
    assert _people(A) == 52000 and Entry.objects.filter(key__contains="|adj:").count() == 0
