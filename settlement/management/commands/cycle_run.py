"""Start (or adjust) a month's cycle from the command line, as the cycle's job or a named user."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pooling.kernel.audit import system_job
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import CYCLE_JOB, Actor
from pooling.models import User
from settlement.cycle import runner
from settlement.models import CycleRun, CycleStatus


class Command(BaseCommand):
    help = "发起月度清算：--month YYYY-MM [--adjust] [--wait]（以月度清算任务或 --user 指定人员的名义）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="清算月份 YYYY-MM")
        parser.add_argument("--adjust", action="store_true", help="对已结账月份发起调整清算")
        parser.add_argument(
            "--wait", action="store_true", help="等待清算完成（无任务进程时在本进程内执行）"
        )
        parser.add_argument(
            "--inline", action="store_true", help="不经任务队列，在本进程内执行全部分片"
        )
        parser.add_argument("--user", help="以此用户名发起（默认：月度清算任务）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = date.fromisoformat(options["month"] + "-01")
        except ValueError:
            raise CommandError("月份格式应为 YYYY-MM") from None
        actor: Actor = CYCLE_JOB
        if options["user"]:
            actor = User.objects.filter(
                username=options["user"], is_active=True
            ).first() or _no_user(options["user"])
        dispatch = runner.no_dispatch if options["inline"] else None
        try:
            with system_job(CYCLE_JOB):
                run = runner.run_start(
                    month=month, actor=actor, adjust=options["adjust"], dispatch=dispatch
                )
        except BusinessRuleError as exc:
            raise CommandError(exc.text()) from None
        self.stdout.write(f"{run}：{run.get_status_display()}")
        if options["inline"]:
            run = runner.run_to_end(run.pk)
        elif options["wait"]:
            while run.status == CycleStatus.RUNNING:
                time.sleep(1)
                run = CycleRun.objects.get(pk=run.pk)
        self.stdout.write(f"{run}：{run.get_status_display()} {run.error}".rstrip())
        if run.status == CycleStatus.FAILED:
            raise CommandError(run.error)


def _no_user(name: str) -> User:
    raise CommandError(f"用户 {name} 不存在或已停用")
