"""The demo runs last month through the monthly cycle, as beat would on the 5th.

Registered after the settlement demo (settlement/demo.py imports this module last), so the
month's settlements, collections and plan are there. Shards run in this process
(`run_to_end`), the embedded demo having no worker. Loading again changes nothing: the
month's run exists (and, once the close step has run, the month is closed).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.utils import timezone

from pooling.kernel.audit import system_job
from pooling.kernel.hooks import DEMO_LOADERS
from pooling.kernel.permissions import CYCLE_JOB
from settlement.cycle import runner
from settlement.models import CycleRun, RunKind


@DEMO_LOADERS.register
def load(echo: Callable[[str], None]) -> None:
    month = (timezone.localdate().replace(day=1) - date.resolution).replace(day=1)
    if CycleRun.objects.filter(month=month, kind=RunKind.REGULAR).exists():
        echo(f"{month:%Y-%m} 月度清算已存在 / cycle already run")
        return
    with system_job(CYCLE_JOB) as actor:
        run = runner.run_start(month=month, actor=actor, dispatch=runner.no_dispatch)
        run = runner.run_to_end(run.pk)
    echo(f"{month:%Y-%m} 月度清算：{run.get_status_display()} {run.error}".rstrip())
