"""Every periodic task comes from one declaration, created and corrected by one command."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from pooling.schedules import SCHEDULES

pytestmark = pytest.mark.django_db


def test_the_command_makes_every_declared_task_and_running_again_changes_nothing():
    call_command("schedules_ensure", stdout=open("/dev/null", "w"))  # noqa: SIM115
    tasks = {t.name: t for t in PeriodicTask.objects.all()}
    assert {s.name for s in SCHEDULES} <= set(tasks)
    cycle = tasks["月度清算 / monthly cycle"]
    assert cycle.task == "settlement.cycle.start"
    cron = cycle.crontab
    assert (cron.minute, cron.hour, cron.day_of_month, str(cron.timezone)) == (
        "0",
        "2",
        "5",
        "Asia/Shanghai",
    )
    assert tasks["月度清算看门狗 / cycle watchdog"].interval.every == 3
    count = PeriodicTask.objects.count()
    call_command("schedules_ensure", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert PeriodicTask.objects.count() == count


def test_a_task_edited_by_hand_is_put_back_but_switching_it_off_is_kept():
    call_command("schedules_ensure", stdout=open("/dev/null", "w"))  # noqa: SIM115
    PeriodicTask.objects.filter(task="settlement.cycle.start").update(task="wrong", enabled=False)
    call_command("schedules_ensure", stdout=open("/dev/null", "w"))  # noqa: SIM115
    cycle = PeriodicTask.objects.get(name="月度清算 / monthly cycle")
    assert cycle.task == "settlement.cycle.start" and cycle.enabled is False


def test_the_migrations_leave_the_declared_schedule_in_place():
    assert set(PeriodicTask.objects.values_list("task", flat=True)) >= {s.task for s in SCHEDULES}


def test_every_task_that_beat_runs_is_declared_in_the_one_place():
    """A schedule made by a migration and not declared would be invisible to schedules_ensure."""
    call_command("schedules_ensure")
    declared = {s.task for s in SCHEDULES}
    assert (
        set(
            PeriodicTask.objects.exclude(task="celery.backend_cleanup").values_list(
                "task", flat=True
            )
        )
        <= declared
    )
