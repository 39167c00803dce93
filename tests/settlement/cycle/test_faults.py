"""Exactly once with real parts: real Redis, real Celery workers on the test database,
killed (SIGKILL, settlement/cycle/faults.py) at seeded points, messages delivered twice,
two workers on one month, Redis stopped mid-run, beat and a person starting one month.
After each, the trial balance equals — to the fen — a clean in-process run's (computed
in a transaction rolled back before the real run starts)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from pooling.kernel.audit import system_job
from pooling.kernel.permissions import CYCLE_JOB
from settlement.cycle import runner
from settlement.models import CycleRun, CycleShard, CycleStatus
from tests.settlement.cycle.runner_world import FAKE_STEPS, MARCH, balances, world
from tests.settlement.cycle.workers import Redis, Workers, wait_for

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'"),
]


@pytest.fixture
def month(settings, regions):
    """The world, and what a clean run of it leaves in the ledger (the reference)."""
    settings.POOLING_CYCLE_STEPS = FAKE_STEPS
    world()
    with transaction.atomic():
        run = runner.run_start(month=MARCH, actor=CYCLE_JOB, dispatch=runner.no_dispatch)
        assert runner.run_to_end(run.pk).status == CycleStatus.DONE
        reference = balances()
        transaction.set_rollback(True)
    assert not CycleRun.objects.exists()
    return reference


@pytest.fixture
def broker(tmp_path):
    server = Redis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cluster(broker, tmp_path):
    made: list[Workers] = []

    def make(**env: str) -> Workers:
        workers = Workers(broker.url, tmp_path, {"POOLING_CYCLE_STEPS": FAKE_STEPS, **env})
        made.append(workers)
        return workers

    yield make
    for workers in made:
        workers.stop()


def finished(workers: Workers, seconds: float = 60) -> CycleRun:
    done = wait_for(
        lambda: (
            CycleRun.objects.filter(status__in=[CycleStatus.DONE, CycleStatus.FAILED]).exists()
            and not CycleShard.objects.filter(status=CycleStatus.RUNNING).exists()
        ),
        seconds,
    )
    run = CycleRun.objects.get()
    assert done and run.status == CycleStatus.DONE, f"{run.status} {run.error}\n{workers.logs()}"
    return run


def start(workers: Workers, twice: bool = False) -> CycleRun:
    def dispatch(ids: list[int]) -> None:
        for _ in range(2 if twice else 1):
            workers.send(ids)

    return runner.run_start(month=MARCH, actor=CYCLE_JOB, dispatch=dispatch)


def test_a_worker_killed_in_a_shard_after_commit_and_between_steps(month, cluster, tmp_path):
    workers = cluster(
        POOLING_CYCLE_FAULTS="gather:320902:in-transaction,gather:320903:after-commit,"
        "gather:*:after-step,spread:city:in-transaction"
    )
    workers.start("w1")
    start(workers)
    finished(workers, 90)
    fired = {p.name for p in (tmp_path / "faults").iterdir()}
    assert {
        "gather.320902.in-transaction",
        "gather.320903.after-commit",
        "spread.city.in-transaction",
    } <= fired
    assert any(name.endswith(".after-step") for name in fired)
    assert balances() == month
    assert CycleShard.objects.get(key="320902").attempts == 2  # killed once, then done


def test_redis_and_the_worker_lost_mid_run_and_restarted(month, cluster, broker):
    workers = cluster(FAKE_STEP_SLEEP="0.5")
    first = workers.start(
        "w1", pool="solo"
    )  # one process: SIGKILL takes the shard it holds with it
    start(workers)
    assert wait_for(lambda: CycleShard.objects.filter(status=CycleStatus.DONE).exists(), 60), (
        workers.logs()
    )
    first.kill()
    broker.stop()  # --save '': the queued messages are lost with it
    first.wait(timeout=10)
    broker.start()
    workers.start("w2")
    # The watchdog (beat, every few minutes) sends again what made no progress.
    with system_job(CYCLE_JOB):
        assert wait_for(lambda: _resend_until_done(workers), 90, every=3), workers.logs()
    finished(workers)
    assert balances() == month


def _resend_until_done(workers: Workers) -> bool:
    runner.watchdog_resend(stale_seconds=3, dispatch=workers.send)
    return CycleRun.objects.filter(status=CycleStatus.DONE).exists()


def test_two_workers_every_message_twice_and_beat_and_people_start_the_month_at_once(
    month, cluster, finance
):
    workers = cluster(POOLING_CYCLE_DELIVER_TWICE="1")
    workers.start("w1")
    workers.start("w2")
    workers.sender.send_task(
        "settlement.cycle.start", args=["2026-03"], queue="pooling"
    )  # as beat does

    def by_hand() -> None:
        try:
            start(workers, twice=True)
        finally:
            connection.close()

    threads = [threading.Thread(target=by_hand) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run = finished(workers)
    assert CycleRun.objects.count() == 1 and run.pk
    assert balances() == month
    # Each shard was claimed once: every second message found it held or done.
    assert set(CycleShard.objects.values_list("attempts", flat=True)) == {1}
