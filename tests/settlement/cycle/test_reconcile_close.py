"""Reconciliation catches what the postings lack; close makes the month final."""

from __future__ import annotations

import pytest

from funds.models import Book, Entry, Period
from funds.services import LineSpec, post_entry
from funds.services.ledger import PERIOD_CLOSED
from pooling.kernel.errors import BusinessRuleError
from settlement.cycle import reconciling
from settlement.cycle.steps import clearing, close, reconcile
from tests.actors import SETUP
from tests.settlement.cycle import world
from tests.settlement.cycle.world import MONTH, NEXT_DAY, A, B, D

pytestmark = pytest.mark.django_db


@pytest.fixture
def hospitals(regions):
    hospitals = world.build(regions)
    world.provider_postings()
    world.run_step(clearing.STEP)
    return hospitals


def test_a_clean_month_reconciles(hospitals):
    counts = world.run_step(reconcile.STEP)
    assert counts["month"] == {"differences": 0}
    assert counts["ledger"]["checks"] >= 10
    assert reconciling.report(MONTH).clean


def test_a_settlement_written_after_the_provider_step_fails_the_month(hospitals, regions):
    world.settle(regions[D], hospitals[B], "resident", 1234)  # after the provider step: unposted
    world.accumulators_sync()  # the settlement service keeps them: only the postings lack it
    with pytest.raises(BusinessRuleError) as caught:
        world.run_step(reconcile.STEP)
    assert caught.value.code == "reconcile_month"
    assert "2027-03 结算与记账不符：3 处差异" in caught.value.text()
    rows = {
        (d.kind, d.subject, d.book): (d.ours_fen, d.posted_fen)
        for d in reconciling.month_differences(MONTH)
    }
    # The provider's resident expense lacks 1234; and B's clearing with D misses it too.
    assert rows == {
        ("provider", hospitals[B].national_code, "resident"): (20000 + 1234, 20000),
        ("clearing", B, "resident"): (13000 + 1234, 13000),
        ("clearing", D, "resident"): (-20000 - 1234, -20000),
    }
    assert (
        f"{hospitals[B].name}（{hospitals[B].national_code}）城乡居民基本医疗保险基金：结算 21234 分，记账 20000 分"
        in caught.value.text()
    )


def test_a_tampered_entry_is_a_difference(hospitals):
    book = Book.objects.get(code="maternity")
    post_entry(
        key="settle:2027-03:tamper",
        book=book,
        memo="手工补记",
        actor=SETUP,
        entry_date=world.MONTH_END,
        lines=[LineSpec(f"5002-{B}", 500, B), LineSpec(f"2001-{D}", -500, D)],
    )
    rows = reconciling.month_differences(MONTH)
    assert [(d.subject, d.book, d.ours_fen, d.posted_fen, d.diff_fen) for d in rows] == [
        ("tamper", "maternity", 0, 500, 500)
    ]


def test_a_clerk_sees_only_their_units_differences(hospitals, regions, clerk_a, clerk_b):
    from pooling.kernel.scoping import acting_as

    world.settle(regions[D], hospitals[B], "resident", 1234)
    with acting_as(clerk_a):
        assert reconciling.report(MONTH).differences == []
    with acting_as(clerk_b):
        report = reconciling.report(MONTH)
    assert {d.unit for d in report.differences} == {B}
    assert not report.ledger_shown


def test_close_closes_every_book_and_nothing_more_posts_into_the_month(hospitals):
    assert not close.month_closed(MONTH)
    assert world.run_step(close.STEP) == {"city": {"books_closed": Book.objects.count()}}
    assert close.month_closed(MONTH)
    assert set(Period.objects.filter(year=2027, month=3).values_list("status", flat=True)) == {
        Period.CLOSED
    }
    with pytest.raises(BusinessRuleError) as caught:
        world.run_step(clearing.STEP, run_id=1)  # a regular re-run has nothing to post, and …
        post_entry(
            key="late",
            book=Book.objects.get(code="resident"),
            memo="迟到",
            actor=SETUP,
            entry_date=world.MONTH_END,
            lines=[LineSpec(f"5002-{A}", 1, A), LineSpec(f"2001-{A}", -1, A)],
        )
    assert caught.value.message == PERIOD_CLOSED


def test_an_adjustment_run_closes_nothing(hospitals):
    world.run_step(close.STEP)
    counts = world.run_step(close.STEP, run_id=2, adjustment=True, entry_date=NEXT_DAY)
    assert counts == {"city": {"books_closed": 0}}
    assert not Period.objects.filter(year=2027, month=4, status=Period.CLOSED).exists()


def test_an_adjustment_reconciles_after_a_late_reversal(hospitals, regions):
    for step in (reconcile.STEP, close.STEP):
        world.run_step(step)
    late = world.settle(regions[A], hospitals[B], "employee_pooled", 900)
    world.reverse(late)
    world.settle(regions[B], hospitals[A], "resident", -7000)  # the A→B resident settlement undone
    world.accumulators_sync()
    with pytest.raises(BusinessRuleError):
        world.run_step(reconcile.STEP, run_id=2, adjustment=True, entry_date=NEXT_DAY)
    world.provider_postings(run_id=2, adjustment=True, entry_date=NEXT_DAY)
    world.run_step(clearing.STEP, run_id=2, adjustment=True, entry_date=NEXT_DAY)
    assert world.run_step(reconcile.STEP, run_id=2, adjustment=True, entry_date=NEXT_DAY)[
        "month"
    ] == {"differences": 0}
    assert Entry.objects.filter(key=f"clear:2027-03:{A}:resident|adj:2").exists()


def test_a_broken_ledger_fails_the_ledger_shard(hospitals):
    from django.db import connection

    from tests.conftest import as_owner

    with (
        as_owner(),
        connection.cursor() as cursor,
    ):  # a cached balance edited behind the ledger's back
        cursor.execute(
            "UPDATE funds_account SET balance_fen = balance_fen + 1 WHERE code = %s", [f"1102-{A}"]
        )
    with pytest.raises(BusinessRuleError) as caught:
        world.run_step(reconcile.STEP)
    assert caught.value.code == "reconcile_ledger"
    # Two checks fail: that balance against its lines, and its book's balances no longer sum to zero.
    assert "账簿核对未通过：2 项检查发现不符，例如【科目余额与分录不符" in caught.value.text()
