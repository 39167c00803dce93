"""Inter-county clearing: the matrix, its postings, consolidated totals, re-runs, adjustment."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from funds.chart import Category as C
from funds.models import Book, Entry, Line
from funds.services import period_close
from settlement.cycle import clearing
from settlement.cycle.steps import clearing as step
from tests.actors import SETUP
from tests.settlement.cycle import world
from tests.settlement.cycle.world import MONTH, NEXT_DAY, A, B, D

pytestmark = pytest.mark.django_db

# The matrix of world.py, off the diagonal, by hand.
EXPECTED = {
    ("employee_pooled", B, A): 30000,
    ("employee_large", B, A): 5000,
    ("employee_personal", B, A): 1500,
    ("resident", B, D): 20000,
    ("resident", A, B): 7000,
    ("resident_critical", B, D): 4000,
    ("maternity", D, B): 12000,
}
# Clearing balances per (book, county): + owed to the unit, − owed by it.
CLEARED = {
    ("employee_pooled", B): 30000,
    ("employee_pooled", A): -30000,
    ("employee_large", B): 5000,
    ("employee_large", A): -5000,
    ("employee_personal", B): 1500,
    ("employee_personal", A): -1500,
    ("resident", B): 20000 - 7000,
    ("resident", D): -20000,
    ("resident", A): 7000,
    ("resident_critical", B): 4000,
    ("resident_critical", D): -4000,
    ("maternity", D): 12000,
    ("maternity", B): -12000,
}


@pytest.fixture
def month(regions):
    world.build(regions)
    return MONTH


def test_it_computes_the_matrix_from_the_settlements(month):
    cells = {
        (c.book, c.payer, c.insured): c.amount_fen for c in clearing.matrix(month) if c.crosses
    }
    assert cells == EXPECTED
    own = {(c.book, c.payer): c.amount_fen for c in clearing.matrix(month) if not c.crosses}
    assert own == {("employee_pooled", A): 10000, ("employee_personal", A): 2000}


def test_it_posts_the_clearing_so_each_county_balances(month):
    world.provider_postings()
    counts = world.run_step(step.STEP)
    assert counts == {"city": {"cells": 7, "cleared_fen": 79500, "entries": 7}}
    assert world.balances(C.INTER_COUNTY_CLEARING) == CLEARED
    assert (
        Entry.objects.get(key=f"clear:2027-03:{B}:resident").memo
        == "2027-03 县际清算（城乡居民基本医疗保险基金）：盐都区代付外县参保人员费用"
    )
    # Each county's lines of the month, in every book, net to zero: its own insured people's
    # spending against what its unit paid, the difference owed or owing.
    per_county = (
        Line.objects.values("book__code", "county_id").annotate(t=Sum("amount_fen")).order_by()
    )
    assert {(r["book__code"], r["county_id"]): r["t"] for r in per_county if r["t"]} == {}


def test_consolidated_totals_are_unchanged_by_clearing(month):
    world.provider_postings()
    before = world.consolidated()
    world.run_step(step.STEP)
    after = world.consolidated()
    assert after == before
    assert world.balances(C.INTER_COUNTY_CLEARING)  # and yet it did post


def test_running_again_changes_nothing(month):
    world.run_step(step.STEP)
    entries = Entry.objects.count()
    again = world.run_step(step.STEP)
    assert again["city"]["entries"] == 0
    assert Entry.objects.count() == entries
    assert world.balances(C.INTER_COUNTY_CLEARING) == CLEARED


def test_an_adjustment_posts_only_the_difference(month, regions):
    world.run_step(step.STEP)
    for book in Book.objects.all():
        period_close(book=book, year=2027, month=3, actor=SETUP)
    hospitals = {p.handling_region_id: p for p in world.Provider.objects.all()}
    # Found after the close: A's hospital also treated a D resident (800), and B's
    # large-expense payment for A's insured is cut by 5000 (a late reversal).
    world.settle(regions[D], hospitals[A], "resident", 800)
    world.settle(regions[A], hospitals[B], "employee_pooled", 0, large=-5000)
    counts = world.run_step(step.STEP, run_id=2, adjustment=True, entry_date=NEXT_DAY)
    assert counts["city"]["entries"] == 2  # resident A→D is new; employee_large B→A undone
    adj = Entry.objects.filter(key__contains="|adj:2").order_by("key")
    assert [(e.key, e.entry_date) for e in adj] == [
        (f"clear:2027-03:{A}:resident|adj:2", NEXT_DAY),
        (f"clear:2027-03:{B}:employee_large|adj:2", NEXT_DAY),
    ]
    resident = adj[0].lines.values_list("county_id", "amount_fen")
    assert sorted(resident) == [(A, 800), (D, -800)]
    expected = dict(CLEARED)
    expected[("resident", A)] += 800
    expected[("resident", D)] -= 800
    del expected[("employee_large", A)], expected[("employee_large", B)]
    assert world.balances(C.INTER_COUNTY_CLEARING) == expected


COUNTIES = [A, B, D, "320921"]
BOOKS = ["employee_pooled", "resident", "maternity", "employee_personal"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(COUNTIES),
            st.sampled_from(COUNTIES),
            st.sampled_from(BOOKS),
            st.integers(-50_000, 50_000).filter(bool),
        ),
        max_size=30,
    )
)
def test_clearing_entries_always_balance_and_sum_to_zero_over_the_city(regions, raw):
    """Whatever the matrix (reversals included): every entry balances, each county's clearing
    equals what it paid for others less what others paid for its insured, and the city's sum is 0."""
    cells = clearing.matrix(
        MONTH, [clearing.Sums(None, p, i, b, amt, 0, 0, 0) for p, i, b, amt in raw]
    )
    expected: dict[tuple[str, str], int] = defaultdict(int)
    for p, i, b, amt in raw:
        if p != i:
            expected[(b, p)] += amt
            expected[(b, i)] -= amt
    got: dict[tuple[str, str | None], int] = defaultdict(int)
    for entry in clearing.desired(MONTH, cells):
        assert sum(ln.amount_fen for ln in entry.lines) == 0
        for ln in entry.lines:
            assert ln.account == f"1102-{ln.county}"
            got[(entry.book, ln.county)] += ln.amount_fen
    assert {k: v for k, v in got.items() if v} == {k: v for k, v in expected.items() if v}
    for book in BOOKS:
        assert sum(v for (b, _c), v in got.items() if b == book) == 0
