"""Shards of the provider step in parallel, each in its own transaction on its own connection
(as two workers run them): no deadlock, no lost payment, the same books as one after another."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from funds.chart import Category as C
from pooling.kernel.audit import system_job
from pooling.kernel.permissions import CYCLE_JOB
from settlement.cycle.base import ShardContext
from settlement.cycle.steps import providers as step
from tests.settlement.cycle import out_world as w


@pytest.fixture
def world(transactional_db, regions, demo_policy, monkeypatch):
    monkeypatch.setattr(step, "BATCH", 1)
    return w.build(regions)


def test_three_shards_at_once_post_what_one_after_another_would(world):
    shards = step.plan(w.MONTH)
    barrier = threading.Barrier(len(shards))
    errors: list[BaseException] = []

    def run(shard: str) -> None:
        try:
            ctx = ShardContext(
                run_id=1, month=w.MONTH, shard=shard, actor=CYCLE_JOB, entry_date=w.MONTH_END
            )
            barrier.wait()
            with system_job(CYCLE_JOB), transaction.atomic():
                step.work(ctx)
        except BaseException as exc:  # noqa: BLE001 — asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(s,)) for s in shards]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert w.category_balances(C.COUNTY_EXPENDITURE) == {
        ("employee_pooled", w.A): -66300,
        ("resident", w.A): -9500,
        ("resident_critical", w.A): -2850,
        ("employee_personal", w.A): -6000,
        ("maternity", w.B): -28500,
    }
