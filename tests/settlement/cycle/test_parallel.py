"""Shards of one step really run at the same time: no lock of the step (or run) is held
while a shard works, only the shard's own — else adding workers would not make it faster."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection

from pooling.kernel.permissions import CYCLE_JOB
from settlement.cycle import runner
from settlement.cycle.base import ShardContext, StepDef
from settlement.models import CycleShard, CycleStatus

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'"),
]

STARTED = {"a": threading.Event(), "b": threading.Event()}
MET: dict[str, bool] = {}


def meet(ctx: ShardContext) -> dict[str, int]:
    STARTED[ctx.shard].set()
    other = "b" if ctx.shard == "a" else "a"
    MET[ctx.shard] = STARTED[other].wait(timeout=10)  # the other shard is inside its work too
    return {"met": int(MET[ctx.shard])}


STEPS = [StepDef("meet", "并行（测试）", lambda month: ["a", "b"], meet)]


def test_two_shards_of_a_step_work_at_once(settings, regions):
    settings.POOLING_CYCLE_STEPS = "tests.settlement.cycle.test_parallel.STEPS"
    run = runner.run_start(month=date(2026, 3, 1), actor=CYCLE_JOB, dispatch=runner.no_dispatch)

    def execute(shard_id: int) -> None:
        try:
            runner.shard_execute(shard_id, dispatch=runner.no_dispatch)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=execute, args=[s.pk])
        for s in CycleShard.objects.filter(step__run=run)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert MET == {"a": True, "b": True}
    run.refresh_from_db()
    assert run.status == CycleStatus.DONE
