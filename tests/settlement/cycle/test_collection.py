"""The collection step: each county's month into the books, hand-computed.

Demo policy, base 5,000.00: employer 350.00 (7 %), employee 100.00 (2 %, all of it to the
personal account), maternity 40.00 (0.8 %) — a person-month is 490.00, of which 350.00
pooled, 100.00 personal, 40.00 maternity.
"""

from datetime import date

import pytest

from enrollment.models import Collection, Declaration
from funds.chart import Category as C
from funds.models import Entry
from settlement.cycle.steps import collection
from tests.settlement.cycle import in_world as w
from tests.settlement.cycle.in_world import APR, BASE, MAR, bal, close, collect, declare, run

A, B = "320902", "320903"
POOLED, PERSONAL, MAT, RES = "employee_pooled", "employee_personal", "maternity", "resident"


@pytest.fixture
def march(county_a, county_b, demo_policy):
    return w.march_world(county_a, county_b)


def test_each_county_and_book_gets_its_months_collections(march):
    counts = run(collection.STEP, MAR)
    # Partial 300.00 of 490.00: 300×350/490 = 214.28|57 → 214.28, 300×100/490 = 61.22|44 → 61.22,
    # 300×40/490 = 24.48|97 → 24.48; the 2 fen left to the pooled part: 214.30.
    assert bal(POOLED, C.INCOME_PREMIUM, A) == -(70000 + 21430)
    assert bal(MAT, C.INCOME_PREMIUM, A) == -(8000 + 2448)
    assert (
        bal(PERSONAL, C.FISCAL_SPECIAL, A, owner="320900") == 20000 + 6122
    )  # no income: the people's
    assert bal(POOLED, C.FISCAL_SPECIAL, A, owner="320900") == 91430
    assert bal(MAT, C.FISCAL_SPECIAL, A, owner="320900") == 10448
    # 200.00 without a declaration waits in transit against the county's suspense account.
    assert bal(POOLED, C.SUSPENSE, A) == -20000
    assert bal(POOLED, C.TREASURY_TRANSIT, A, owner="320900") == 20000
    assert bal(PERSONAL, C.TREASURY_TRANSIT, A, owner="320900") == -26122  # until the accounts step
    assert (bal(RES, C.INCOME_PREMIUM, A), bal(RES, C.FISCAL_SPECIAL, A, owner="320900")) == (
        -38000,
        38000,
    )
    assert bal(POOLED, C.INCOME_PREMIUM, B) == -35000 and bal(MAT, C.INCOME_PREMIUM, B) == -4000
    assert bal(PERSONAL, C.FISCAL_SPECIAL, B, owner="320900") == 10000
    assert (
        counts[A]["collections"] == 3
        and counts[A]["unmatched"] == 1
        and counts[B]["collections"] == 1
    )
    assert Entry.objects.filter(key="collection:2026-03:320902:employee_pooled").exists()


def test_running_again_changes_nothing(march):
    run(collection.STEP, MAR)
    before = Entry.objects.count()
    counts = run(collection.STEP, MAR)
    assert Entry.objects.count() == before and all(c["entries"] == 0 for c in counts.values())


def test_money_matched_later_leaves_suspense_and_a_partial_payment_completes(march):
    run(collection.STEP, MAR)
    # April: the early payer files its March declaration (200.00 of 490.00 already there),
    # and the partial payer pays the remaining 190.00.
    declare(march["early"].county, MAR, [BASE], filed_on=date(2026, 4, 3), emp=march["early"])
    assert Declaration.objects.get(employer=march["early"]).paid_fen == 20000
    collect(march["part"], MAR, 19000, date(2026, 4, 8))
    run(collection.STEP, APR)
    # early: 200×350/490 = 142.85|71 → 142.85, 200×100/490 = 40.81, 200×40/490 = 16.32; +2 fen → 142.87.
    # part: in full now, so 350 − 214.30 = 135.70, 100 − 61.22 = 38.78, 40 − 24.48 = 15.52.
    assert bal(POOLED, C.INCOME_PREMIUM, A) == -(91430 + 14287 + 13570)
    assert bal(MAT, C.INCOME_PREMIUM, A) == -(10448 + 1632 + 1552)
    assert bal(PERSONAL, C.FISCAL_SPECIAL, A, owner="320900") == 26122 + 4081 + 3878
    assert (
        bal(POOLED, C.SUSPENSE, A) == 0 and bal(POOLED, C.TREASURY_TRANSIT, A, owner="320900") == 0
    )
    assert bal(POOLED, C.INCOME_PREMIUM, B) == -35000  # nothing new in 盐都区


def test_an_adjustment_run_posts_only_the_late_collection(march, county_b):
    run(collection.STEP, MAR)
    close(MAR)
    late = declare(county_b, MAR, [BASE], filed_on=date(2026, 3, 5))
    collect(late, MAR, 49000, date(2026, 3, 30))  # recorded after the month was closed
    # A row from before `booked_month` was stored counts in the month received, so March's
    # adjustment finds it (one recorded now is booked in April: test_late_booking.py).
    Collection.objects.filter(employer=late).update(booked_month=None)
    before = set(Entry.objects.values_list("key", flat=True))
    run(collection.STEP, MAR, run_id=2, adjustment=True, entry_date=date(2026, 4, 10))
    new = Entry.objects.exclude(key__in=before)
    assert sorted(new.values_list("key", flat=True)) == [
        "collection:2026-03:320903:employee_personal|adj:2",
        "collection:2026-03:320903:employee_pooled|adj:2",
        "collection:2026-03:320903:maternity|adj:2",
    ]
    assert {e.entry_date for e in new} == {date(2026, 4, 10)}
    assert bal(POOLED, C.INCOME_PREMIUM, B) == -70000 and bal(MAT, C.INCOME_PREMIUM, B) == -8000
    assert bal(PERSONAL, C.FISCAL_SPECIAL, B, owner="320900") == 20000
    run(
        collection.STEP, MAR, run_id=2, adjustment=True, entry_date=date(2026, 4, 10)
    )  # redelivered
    assert Entry.objects.exclude(key__in=before).count() == 3


def test_books_opened_before_the_suspense_kind_get_their_suspense_accounts(regions):
    import importlib

    from django.apps import apps

    from funds.models import Account, Book

    Book.objects.create(
        code=POOLED, scheme="employee", name="职工基本医疗保险统筹基金"
    )  # an old book
    importlib.import_module("funds.migrations.0008_suspense_accounts").add_suspense_accounts(
        apps, None
    )
    made = Account.objects.filter(category=C.SUSPENSE)
    assert made.filter(code="2101-320902", county_id=A, name="亭湖区暂收款", side="C").exists()
    assert made.count() == len(
        w.books()[POOLED].accounts.filter(category=C.SUSPENSE)
    )  # books_ensure adds none
