"""The runner, in-process: steps in order, shards once, failure and resume, adjustments."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from funds.chart import Category as C
from funds.models import Book, Entry
from funds.services import period_close
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import CYCLE_JOB
from settlement.cycle import runner
from settlement.models import CycleRun, CycleShard, CycleStatus, CycleStep, RunKind
from tests.actors import SETUP
from tests.settlement.cycle import fake_steps
from tests.settlement.cycle.runner_world import (
    FAKE_STEPS,
    MARCH,
    A,
    B,
    balance,
    balances,
    source_post,
    world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings, regions):
    settings.POOLING_CYCLE_STEPS = FAKE_STEPS
    world()
    yield
    fake_steps.BREAK.clear()


def start(actor=CYCLE_JOB, month=MARCH, adjust=False) -> CycleRun:
    run = runner.run_start(month=month, actor=actor, adjust=adjust, dispatch=runner.no_dispatch)
    return runner.run_to_end(run.pk)


def close_march() -> None:
    period_close(book=Book.objects.get(code="resident"), year=2026, month=3, actor=SETUP)


def test_a_run_moves_the_month_through_its_steps_in_order(fake, finance):
    run = start(finance)
    assert (
        run.status == CycleStatus.DONE
        and run.started_by == finance
        and run.entry_date == date(2026, 3, 31)
    )
    # gather: all collected to the fiscal account; spread: half (floor) down to each county.
    assert balance(C.FISCAL_SPECIAL, "320900", A) == 100_001 - 50_000
    assert balance(C.FISCAL_SPECIAL, "320900", B) == 50_003 - 25_001
    assert balance(C.COUNTY_EXPENDITURE, A) == 50_000
    assert balance(C.COUNTY_EXPENDITURE, B) == 25_001
    assert balance(C.TREASURY_TRANSIT, "320900") == 0
    steps = {s.name: s for s in CycleStep.objects.filter(run=run)}
    assert steps["gather"].counts == {"entries": 2, "fen": 150_004}
    assert steps["spread"].counts == {"entries": 1, "fen": 75_001}
    assert set(Entry.objects.filter(key__startswith="gather:").values_list("key", flat=True)) == {
        "gather:2026-03:320902:resident",
        "gather:2026-03:320903:resident",
    }


def test_starting_a_month_again_returns_its_run_and_posts_nothing(fake, finance, city_agent):
    run = start(finance)
    before = balances()
    again = runner.run_start(month=date(2026, 3, 15), actor=city_agent, dispatch=runner.no_dispatch)
    assert again.pk == run.pk and CycleRun.objects.count() == 1
    assert balances() == before


def test_a_shard_done_is_not_done_again(fake, finance):
    run = start(finance)
    before = balances()
    for shard in CycleShard.objects.filter(step__run=run):
        runner.shard_execute(shard.pk, dispatch=runner.no_dispatch)
    assert balances() == before
    assert set(CycleShard.objects.values_list("attempts", flat=True)) == {1}


def test_a_failed_shard_stops_the_run_in_chinese_and_resume_finishes_it(fake, finance):
    fake_steps.BREAK.add(B)
    run = start(finance)
    assert run.status == CycleStatus.FAILED
    assert "320903" in run.error and "数据有误" in run.error and "续跑" in run.error
    failed = CycleShard.objects.get(step__run=run, key=B)
    assert failed.status == CycleStatus.FAILED and "数据有误" in failed.error
    assert CycleShard.objects.get(step__run=run, key=A).status == CycleStatus.DONE
    assert not CycleShard.objects.filter(
        step__name="spread"
    ).exists()  # the next step never started
    fake_steps.BREAK.clear()
    runner.run_resume(run=run, actor=finance, dispatch=runner.no_dispatch)
    run = runner.run_to_end(run.pk)
    assert run.status == CycleStatus.DONE and run.error == ""
    assert balance(C.COUNTY_EXPENDITURE, B) == 25_001
    assert CycleShard.objects.get(step__run=run, key=A).attempts == 1  # done shards are not redone


def test_who_may_start_and_what_month(fake, clerk_a, auditor, city_agent):
    for who in (clerk_a, auditor):
        with pytest.raises(PermissionDenied):
            runner.run_start(month=MARCH, actor=who, dispatch=runner.no_dispatch)
    with pytest.raises(BusinessRuleError, match="尚未结束"):
        runner.run_start(month=timezone.localdate(), actor=city_agent, dispatch=runner.no_dispatch)
    with pytest.raises(BusinessRuleError, match="尚未结账"):
        runner.run_start(month=MARCH, actor=city_agent, adjust=True, dispatch=runner.no_dispatch)
    close_march()
    with pytest.raises(BusinessRuleError, match="已结账.*调整清算"):
        runner.run_start(month=MARCH, actor=city_agent, dispatch=runner.no_dispatch)


def test_an_adjustment_posts_only_the_difference_today(fake, finance):
    start(finance)
    close_march()
    today = timezone.localdate()
    source_post(A, 300, n=2, on=today)  # a late March collection, booked in the open month
    adj = start(finance, adjust=True)
    assert (
        adj.kind == RunKind.ADJUSTMENT
        and adj.corrects_month == MARCH
        and adj.status == CycleStatus.DONE
    )
    assert balance(C.FISCAL_SPECIAL, "320900", A) == 100_301 - 50_150
    assert balance(C.COUNTY_EXPENDITURE, A) == 50_150
    assert balance(C.COUNTY_EXPENDITURE, B) == 25_001
    new = Entry.objects.filter(key__contains="|adj:")
    assert {e.key for e in new} == {
        f"gather:2026-03:320902:resident|adj:{adj.pk}",
        f"spread:2026-03:city:resident|adj:{adj.pk}",
    }
    assert {e.entry_date for e in new} == {today}
    # A second adjustment with nothing changed posts nothing.
    before = balances()
    start(finance, adjust=True)
    assert balances() == before


def test_only_one_adjustment_at_a_time(fake, finance):
    start(finance)
    close_march()
    fake_steps.BREAK.add(A)
    first = start(finance, adjust=True)
    assert first.status == CycleStatus.FAILED
    runner.run_resume(run=first, actor=finance, dispatch=runner.no_dispatch)  # running again
    with pytest.raises(BusinessRuleError, match="调整清算未完成"):
        runner.run_start(month=MARCH, actor=finance, adjust=True, dispatch=runner.no_dispatch)


def test_a_run_has_the_real_steps_in_the_accounting_s_order(regions, finance):
    from settlement.cycle.steps import STEPS

    run = runner.run_start(month=MARCH, actor=finance, dispatch=runner.no_dispatch)
    assert list(CycleStep.objects.filter(run=run).values_list("name", flat=True)) == [
        "collection",
        "accounts",
        "remittance",
        "disbursement",
        "providers",
        "reimbursements",
        "clearing",
        "reconcile",
        "close",
    ]
    assert [s.name for s in STEPS] == list(
        CycleStep.objects.filter(run=run).values_list("name", flat=True)
    )


def test_the_watchdog_resends_only_stale_shards_of_running_runs(fake, finance):
    run = runner.run_start(month=MARCH, actor=finance, dispatch=runner.no_dispatch)
    assert runner.watchdog_resend(stale_seconds=600, dispatch=runner.no_dispatch) == []
    sent: list[int] = []
    assert (
        len(runner.watchdog_resend(stale_seconds=0, dispatch=sent.extend))
        == CycleShard.objects.filter(step__run=run).count()
    )


def test_a_month_does_not_start_while_the_month_before_is_unfinished(fake, finance):
    """Found in review: April's run would sweep March's postings and carry March's held
    amounts while March stood failed."""
    fake_steps.BREAK.add(A)
    assert start(finance).status == CycleStatus.FAILED
    with pytest.raises(BusinessRuleError) as refused:
        start(finance, month=date(2026, 4, 1))
    assert "2026-03 的月度清算尚未完成" in refused.value.text()
    fake_steps.BREAK.clear()
    march = CycleRun.objects.get(month=MARCH)
    runner.run_resume(run=march, actor=finance, dispatch=runner.no_dispatch)
    assert runner.run_to_end(march.pk).status == CycleStatus.DONE
    assert start(finance, month=date(2026, 4, 1)).status == CycleStatus.DONE
