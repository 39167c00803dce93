"""Every periodic task of the system, declared here and nowhere else.

`schedules_ensure()` creates or updates the django-celery-beat rows from this list (by
name): run by `manage.py schedules_ensure`, and after every `migrate` (post_migrate), so
a fresh database, an upgraded one and the demo all get the same schedule. Beat reads the
rows (DatabaseScheduler); an administrator may switch one off in the admin, and that
choice is kept (`enabled` is set only when a row is created).
The older migrations pooling 0002, providers 0002 and enrollment 0011 made the first three
rows; they stay, and this declaration now owns those rows too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    description: str
    every_minutes: int | None = None  # an interval, or else…
    crontab: dict[str, str] = field(
        default_factory=dict
    )  # minute, hour, day_of_month… (Asia/Shanghai)
    kwargs: dict[str, Any] = field(default_factory=dict)


SCHEDULES = [
    Schedule(
        "任务进程心跳 / worker heartbeat",
        "pooling.heartbeat",
        "每 5 分钟写一次心跳；首页据此显示任务进程状态",
        every_minutes=5,
    ),
    Schedule(
        "暂停期满自动解除 / end lapsed suspensions",
        "providers.expire_suspensions",
        "暂停满 180 日未恢复的定点机构，协议自动解除（每日 01:10）",
        crontab={"minute": "10", "hour": "1"},
    ),
    Schedule(
        "转移逾期未确认自动办结 / complete transfers past their release deadline",
        "enrollment.complete_due_transfers",
        "转出地逾期未确认也未提出异议的市内转移，自动办结（每日 01:20）",
        crontab={"minute": "20", "hour": "1"},
    ),
    Schedule(
        "月度清算 / monthly cycle",
        "settlement.cycle.start",
        "每月 5 日 02:00 对上月做月度清算（归集、划入、上解、拨付、结算、清算、对账、结账）",
        crontab={"minute": "0", "hour": "2", "day_of_month": "5"},
    ),
    Schedule(
        "月度清算看门狗 / cycle watchdog",
        "settlement.cycle.watchdog",
        "每 3 分钟检查执行中的月度清算，重新派发长时间无进展的分片",
        every_minutes=3,
    ),
]


@transaction.atomic
def schedules_ensure() -> list[str]:
    """Create or update every declared periodic task; returns the names created."""
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    created = []
    for spec in SCHEDULES:
        values: dict[str, Any] = {
            "task": spec.task,
            "description": spec.description,
            "kwargs": json.dumps(spec.kwargs),
            "args": "[]",
            "interval": None,
            "crontab": None,
        }
        if spec.every_minutes:
            values["interval"], _new = IntervalSchedule.objects.get_or_create(
                every=spec.every_minutes, period=IntervalSchedule.MINUTES
            )
        else:
            cron = {
                "minute": "0",
                "hour": "*",
                "day_of_week": "*",
                "day_of_month": "*",
                "month_of_year": "*",
                **spec.crontab,
            }
            values["crontab"], _new = CrontabSchedule.objects.get_or_create(
                timezone=TIMEZONE, **cron
            )
        _task, was_created = PeriodicTask.objects.update_or_create(name=spec.name, defaults=values)
        if was_created:
            created.append(spec.name)
    return created


def after_migrate(**kwargs: Any) -> None:
    """post_migrate: the declared schedules exist in every migrated database."""
    if "django_celery_beat" in settings.INSTALLED_APPS:
        schedules_ensure()
