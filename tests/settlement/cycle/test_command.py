"""manage.py cycle_run: a month through the cycle from the command line."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from funds.chart import Category as C
from settlement.models import CycleRun, CycleStatus
from tests.settlement.cycle.runner_world import FAKE_STEPS, A, balance, world

pytestmark = pytest.mark.django_db


def test_cycle_run_inline_as_the_cycle_job_then_refuses_a_clerk(settings, regions, clerk_a):
    settings.POOLING_CYCLE_STEPS = FAKE_STEPS
    world()
    out = io.StringIO()
    call_command("cycle_run", "--month", "2026-03", "--inline", stdout=out)
    run = CycleRun.objects.get()
    assert run.status == CycleStatus.DONE and run.started_by_job == "settlement.cycle"
    assert balance(C.COUNTY_EXPENDITURE, A) == 50_000
    assert "已完成" in out.getvalue()
    with pytest.raises(CommandError, match="格式"):
        call_command("cycle_run", "--month", "March", stdout=out)
    with pytest.raises(Exception, match="无权"):
        call_command("cycle_run", "--month", "2026-04", "--user", "clerk_a", stdout=out)


def test_the_beat_task_starts_the_month_before_and_a_second_start_is_the_same_run(
    settings, regions, django_capture_on_commit_callbacks
):
    from datetime import date

    from django.utils import timezone

    from settlement.cycle import tasks

    settings.POOLING_CYCLE_STEPS = FAKE_STEPS
    world()
    with django_capture_on_commit_callbacks(execute=True):
        pk = tasks.cycle_start("2026-03")  # eager Celery: the shards run in this process
    assert CycleRun.objects.get(pk=pk).status == CycleStatus.DONE
    assert balance(C.COUNTY_EXPENDITURE, A) == 50_000
    assert tasks.cycle_start("2026-03") == pk
    last = (timezone.localdate().replace(day=1) - date.resolution).replace(day=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert CycleRun.objects.get(pk=tasks.cycle_start()).month == last
    assert tasks.cycle_watchdog() == []
