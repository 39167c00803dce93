"""Thin Celery tasks of the monthly cycle: ids in, one runner call, nothing else.

acks_late + reject_on_worker_lost: a worker killed holding a shard's message gets it
delivered again; the runner makes that harmless (settlement/cycle/runner.py). A step's
shards go out as one `group`, so every worker on every machine takes its share; the
shard that finishes a step sends the next step's group (the "last shard" check, under a
row lock), so no chord callback — and no result backend — is needed.
"""

from __future__ import annotations

from datetime import date

from celery import group, shared_task
from django.conf import settings
from django.utils import timezone

from pooling.kernel.audit import system_job
from pooling.kernel.permissions import CYCLE_JOB
from settlement.cycle import runner
from settlement.cycle.faults import deliver_twice

TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(name="settlement.cycle.shard", **TASK_OPTIONS)
def cycle_shard(shard_id: int) -> None:
    runner.shard_execute(shard_id)


def shards_dispatch(ids: list[int]) -> None:
    """Send a step's shards as one group (twice, when the fault tests ask for it)."""
    for _copy in range(2 if deliver_twice() else 1):
        group(cycle_shard.si(i) for i in ids).apply_async()


@shared_task(name="settlement.cycle.start", **TASK_OPTIONS)
def cycle_start(month: str | None = None, adjust: bool = False) -> int:
    """Beat: on the 5th, the month before. Starting a month already started returns its run."""
    if month is None:
        first = timezone.localdate().replace(day=1)
        month_day = (first - date.resolution).replace(day=1)
    else:
        month_day = (
            date.fromisoformat(f"{month}-01") if len(month) == 7 else date.fromisoformat(month)
        )
    with system_job(CYCLE_JOB) as actor:
        return runner.run_start(month=month_day, actor=actor, adjust=adjust).pk


@shared_task(name="settlement.cycle.watchdog", **TASK_OPTIONS)
def cycle_watchdog() -> list[int]:
    """Beat, every few minutes: send again the shards of running runs that made no progress."""
    return runner.watchdog_resend(stale_seconds=settings.CYCLE_WATCHDOG_STALE_SECONDS)
