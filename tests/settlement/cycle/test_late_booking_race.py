"""A clerk records a collection while the county's collection shard runs: two real
connections on PostgreSQL. Whichever takes the county's booking lock first, the money is
in the books once — in March if the recording committed before the shard read, in April
if the shard committed (and marked itself done) first. Without the lock the shard would
read before the recording committed while the recording read "not done": booked in March
after March's step, in no month's books."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import connection

from enrollment.models import Collection
from enrollment.services import contributions
from funds.chart import Category as C
from pooling.kernel.permissions import CYCLE_JOB
from settlement.cycle import runner
from settlement.cycle.booking import LOCK_NAMESPACE
from settlement.cycle.steps import collection
from settlement.models import CycleShard
from tests.settlement.cycle import in_world as w
from tests.settlement.cycle.in_world import APR, BASE, MAR, bal, collect, declare

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'"),
]

B = "320903"
WAIT = 20  # seconds: far above what any step here takes; only a broken lock waits so long


@pytest.fixture
def world(settings, county_a, county_b, demo_policy):
    settings.POOLING_CYCLE_STEPS = "tests.settlement.cycle.test_late_booking.IN_STEPS"
    w.march_world(county_a, county_b)
    late = declare(county_b, MAR, [BASE], filed_on=date(2026, 3, 5))
    run = runner.run_start(month=MAR, actor=CYCLE_JOB, dispatch=runner.no_dispatch)
    shard = CycleShard.objects.get(step__run=run, step__name="collection", key=B)
    return late, shard.pk


def _thread(target: Callable[[], Any]) -> threading.Thread:
    def body() -> None:
        try:
            target()
        finally:
            connection.close()  # the thread's own connection

    t = threading.Thread(target=body)
    t.start()
    return t


def _waiting_for_county_lock() -> bool:
    """Another connection is queued on 盐都区's booking lock (pg_locks: key1 → classid)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                " AND classid = %s AND objid = %s",
                [LOCK_NAMESPACE, int(B)],
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


def _pause(monkeypatch, module: Any, name: str) -> tuple[threading.Event, threading.Event]:
    """Make `module.name` stop after it ran (its caller's transaction open) until released."""
    reached, release = threading.Event(), threading.Event()
    original = getattr(module, name)

    def paused(*args: Any, **kwargs: Any) -> Any:
        out = original(*args, **kwargs)
        reached.set()
        release.wait(WAIT)
        return out

    monkeypatch.setattr(module, name, paused)
    return reached, release


def test_a_recording_during_the_shard_waits_and_goes_to_the_next_month(world, monkeypatch):
    late, shard_id = world
    reached, release = _pause(monkeypatch, collection, "county_month")  # the shard has read
    shard = _thread(lambda: runner.shard_execute(shard_id, dispatch=runner.no_dispatch))
    assert reached.wait(WAIT)
    clerk = _thread(lambda: collect(late, MAR, 49000, date(2026, 3, 30)))
    try:
        assert _waiting_for_county_lock()  # the clerk waits for the shard's commit
        assert not Collection.objects.filter(employer=late).exists()
    finally:
        release.set()
        shard.join(WAIT)
        clerk.join(WAIT)
    assert Collection.objects.get(employer=late).booked_month == APR
    assert bal("employee_pooled", C.INCOME_PREMIUM, B) == -35000  # March: only the first 350.00


def test_a_shard_during_a_recording_waits_and_takes_it_in(world, monkeypatch):
    late, shard_id = world
    reached, release = _pause(monkeypatch, contributions, "_booked_month")  # lock held, booked
    clerk = _thread(lambda: collect(late, MAR, 49000, date(2026, 3, 30)))
    assert reached.wait(WAIT)
    shard = _thread(lambda: runner.shard_execute(shard_id, dispatch=runner.no_dispatch))
    try:
        assert _waiting_for_county_lock()  # the shard waits for the recording's commit
    finally:
        release.set()
        clerk.join(WAIT)
        shard.join(WAIT)
    assert Collection.objects.get(employer=late).booked_month == MAR
    assert bal("employee_pooled", C.INCOME_PREMIUM, B) == -70000  # both 350.00 in March
