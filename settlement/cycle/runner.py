"""The runner of the monthly cycle: exactly once, whatever the workers and the broker do.

A run's steps run in order; a step's shards run in parallel on any worker. A shard is
held by one worker at a time (an advisory lock, then the row's lock), then its work and its "done" commit in ONE
transaction, under `system_job(CYCLE_JOB)`. The shard that finds its step finished — with
the step's row locked, so two workers finishing the last two shards together advance it
once — plans the next step's shards in that same transaction. Messages (Celery) only
say "look at shard N": sent again, lost, or delivered after a crash, the rows decide:
- a shard already done does nothing (and, if it was the one that advanced its step,
  sends the next step's unstarted shards again — the first sending may have been lost);
- a shard left "running" by a killed worker is claimed again and redone from scratch
  (its rolled-back work left nothing; its postings are keyed, `base.post_desired`);
- a shard that fails is marked failed with its Chinese message in its own transaction,
  and the run stops, failed and resumable (`run_resume` redoes only what is not done).
The watchdog (`watchdog_resend`) sends again the shards of running runs with no progress.
"""

from __future__ import annotations

import calendar
import logging
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from funds.models import Period
from pooling.kernel.audit import system_job
from pooling.kernel.errors import BusinessRuleError, render
from pooling.kernel.permissions import CYCLE_JOB, Actor, SystemActor, require, staff_user
from pooling.kernel.scoping import unrestricted
from settlement.cycle.base import ShardContext, StepDef
from settlement.cycle.faults import fault_point
from settlement.cycle.locks import held as _held
from settlement.models import CycleRun, CycleShard, CycleStep, RunKind
from settlement.models import CycleStatus as S
from settlement.models.cycle import UNFINISHED

log = logging.getLogger(__name__)

MONTH_CLOSED = _("%(month)s 已结账，不能再做月度清算：如需更正，请发起调整清算")
MONTH_OPEN = _("%(month)s 尚未结账，不能做调整清算：请发起或续跑该月的月度清算")
MONTH_NOT_OVER = _("%(month)s 尚未结束，不能清算")
TODAY_CLOSED = _("今天所在的 %(month)s 已结账，调整清算无处记账：请先开启当月会计期间")
ADJUSTMENT_OPEN = _("已有一个调整清算未完成：请先续跑完成它，再发起新的调整清算")
PREVIOUS_OPEN = _("%(previous)s 的月度清算尚未完成：请先续跑完成 %(previous)s，再运行 %(month)s")
NOT_RESUMABLE = _("清算 #%(id)s 已完成，无需续跑")
SHARD_FAILED = _(
    "步骤“%(step)s”的分片 %(shard)s 失败：%(error)s。请按提示修正后点击“续跑”，已完成的分片不会重做"
)
STEP_UNKNOWN = _("清算步骤“%(step)s”未定义（见 settlement/cycle/steps）")

Dispatch = Callable[[list[int]], None]


def no_dispatch(ids: list[int]) -> None:
    """For `run_to_end`: the caller runs the shards itself."""


def celery_dispatch(ids: list[int]) -> None:
    from settlement.cycle.tasks import shards_dispatch

    shards_dispatch(ids)


def steps() -> list[StepDef]:
    return list(import_string(settings.POOLING_CYCLE_STEPS))


def step_def(name: str) -> StepDef:
    for step in steps():
        if step.name == name:
            return step
    raise BusinessRuleError(STEP_UNKNOWN, code="cycle_step", params={"step": name})


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def month_closed(month: date) -> bool:
    """A month is closed once any book closed its period: nothing may post into it any more."""
    return Period.objects.filter(year=month.year, month=month.month, status=Period.CLOSED).exists()


def _send(ids: list[int], dispatch: Dispatch | None) -> None:
    if ids:
        send = dispatch or celery_dispatch
        transaction.on_commit(lambda: send(ids))


def run_start(
    *, month: date, actor: Actor, adjust: bool = False, dispatch: Dispatch | None = None
) -> CycleRun:
    """Start the month's run (or return the one already started: beat and a person at once
    get one run), or an adjustment run of a closed month, dated today."""
    require(actor, "settlement.adjust" if adjust else "settlement.run")
    month = month.replace(day=1)
    label = f"{month:%Y-%m}"
    today = timezone.localdate()
    if month_end(month) >= today:
        raise BusinessRuleError(MONTH_NOT_OVER, code="cycle_month", params={"month": label})
    if adjust:
        if not month_closed(month):
            raise BusinessRuleError(MONTH_OPEN, code="cycle_open", params={"month": label})
        if month_closed(today.replace(day=1)):
            raise BusinessRuleError(
                TODAY_CLOSED, code="cycle_today", params={"month": f"{today:%Y-%m}"}
            )
        fields = {"kind": RunKind.ADJUSTMENT, "corrects_month": month, "entry_date": today}
    else:
        if month_closed(month):
            raise BusinessRuleError(MONTH_CLOSED, code="cycle_closed", params={"month": label})
        existing = CycleRun.objects.filter(month=month, kind=RunKind.REGULAR).first()
        if existing is not None:
            return existing
        _refuse_before_previous(month)
        fields = {"kind": RunKind.REGULAR, "entry_date": month_end(month)}
    try:
        with unrestricted(), transaction.atomic():  # planning the first step reads every county
            run = CycleRun.objects.create(
                month=month,
                status=S.RUNNING,
                started_by=staff_user(actor),
                started_by_job=actor.name if isinstance(actor, SystemActor) else "",
                **fields,
            )
            CycleStep.objects.bulk_create(
                [CycleStep(run=run, name=step.name, order=i) for i, step in enumerate(steps())]
            )
            ready = _advance(run)
    except IntegrityError:
        if adjust:
            raise BusinessRuleError(ADJUSTMENT_OPEN, code="cycle_adjusting") from None
        return CycleRun.objects.get(month=month, kind=RunKind.REGULAR)
    _send(ready, dispatch)
    return run


def _refuse_before_previous(month: date) -> None:
    """Months run in order: the month before, if it was started, must have finished (its
    held amounts, unswept postings and carried payables belong to it, not to this month)."""
    before = (month - timedelta(days=1)).replace(day=1)
    previous = CycleRun.objects.filter(month=before, kind=RunKind.REGULAR).first()
    if previous is not None and previous.status != S.DONE and not month_closed(before):
        raise BusinessRuleError(
            PREVIOUS_OPEN,
            code="cycle_previous",
            params={"month": f"{month:%Y-%m}", "previous": f"{before:%Y-%m}"},
        )


def run_resume(*, run: CycleRun, actor: Actor, dispatch: Dispatch | None = None) -> CycleRun:
    """Carry a failed (or stalled) run on: failed shards are tried again, done ones stay done."""
    require(actor, "settlement.adjust" if run.kind == RunKind.ADJUSTMENT else "settlement.run")
    if run.kind == RunKind.REGULAR and month_closed(run.month):
        raise BusinessRuleError(
            MONTH_CLOSED, code="cycle_closed", params={"month": run.month_label}
        )
    try:
        with unrestricted(), transaction.atomic():
            run = CycleRun.objects.select_for_update().get(pk=run.pk)
            if run.status == S.DONE:
                raise BusinessRuleError(NOT_RESUMABLE, code="cycle_done", params={"id": run.pk})
            CycleShard.objects.filter(step__run=run, status=S.FAILED).update(
                status=S.PENDING, error=""
            )
            CycleStep.objects.filter(run=run, status=S.FAILED).update(status=S.RUNNING)
            run.status, run.error = S.RUNNING, ""
            run.save(update_fields=["status", "error", "updated_at"])
            ready = _unfinished(run.pk) or _advance(run)
    except IntegrityError:
        raise BusinessRuleError(ADJUSTMENT_OPEN, code="cycle_adjusting") from None
    _send(ready, dispatch)
    return run


def _unfinished(run_id: int, *, never_tried: bool = False) -> list[int]:
    shards = CycleShard.objects.filter(
        step__run_id=run_id, step__status=S.RUNNING, status__in=UNFINISHED
    )
    if never_tried:
        shards = shards.filter(attempts=0)
    return list(shards.order_by("id").values_list("id", flat=True))


def _advance(run: CycleRun) -> list[int]:
    """Plan the next pending step with shards (steps planning none are done at once);
    the run is done after the last. Called with the run's or the finished step's row locked."""
    now = timezone.now()
    for step in CycleStep.objects.filter(run=run, status=S.PENDING).order_by("order"):
        keys = step_def(step.name).plan(run.month)
        step.started_at = now
        if keys:
            CycleShard.objects.bulk_create(
                [CycleShard(step=step, key=k) for k in keys], ignore_conflicts=True
            )
            step.status = S.RUNNING
            step.save(update_fields=["status", "started_at"])
            return list(step.shards.order_by("id").values_list("id", flat=True))
        step.status, step.finished_at = S.DONE, now
        step.save(update_fields=["status", "started_at", "finished_at"])
    run.status, run.finished_at = S.DONE, now
    run.save(update_fields=["status", "finished_at", "updated_at"])
    return []


def _claim(shard_id: int) -> CycleShard | None:
    """Mark the shard running (attempt n+1), unless it is done, failed, held, or its run stopped."""
    with transaction.atomic():
        shard = (
            CycleShard.objects.select_for_update(of=("self",))
            .select_related("step__run")
            .filter(
                pk=shard_id,
                status__in=UNFINISHED,
                step__status=S.RUNNING,
                step__run__status=S.RUNNING,
            )
            .order_by("id")
            .first()
        )
        if shard is None:
            return None
        CycleShard.objects.filter(pk=shard_id).update(
            status=S.RUNNING,
            attempts=F("attempts") + 1,
            started_at=timezone.now(),
            updated_at=timezone.now(),
        )
        return shard


def shard_execute(shard_id: int, *, dispatch: Dispatch | None = None) -> None:
    """Do one shard's work exactly once (see the module's docstring). Never raises for a
    failure of the work: that is recorded on the shard and stops the run."""
    with _held(shard_id) as got:
        if got:
            _execute(shard_id, dispatch)


def _execute(shard_id: int, dispatch: Dispatch | None) -> None:
    shard = _claim(shard_id)
    if shard is None:
        _redelivered(shard_id, dispatch)
        return
    step, run = shard.step, shard.step.run
    ctx = ShardContext(
        run_id=run.pk,
        month=run.month,
        shard=shard.key,
        actor=CYCLE_JOB,
        entry_date=run.entry_date,
        adjustment=run.kind == RunKind.ADJUSTMENT,
    )
    try:
        # The cycle is the city's: its shards read every county whoever's request runs them (eager Celery).
        with system_job(CYCLE_JOB), unrestricted(), transaction.atomic():
            held = (
                CycleShard.objects.select_for_update(of=("self",))
                .filter(pk=shard_id, status=S.RUNNING)
                .order_by("id")
                .values_list("id", flat=True)
                .first()
            )
            if held is None:
                return  # finished meanwhile (a second delivery): nothing to do
            _session_for_month_work()
            counts = step_def(step.name).work(ctx) or {}
            fault_point(step.name, shard.key, "in-transaction")
            now = timezone.now()
            CycleShard.objects.filter(pk=shard_id).update(
                status=S.DONE, counts=counts, error="", finished_at=now, updated_at=now
            )
            ready, finished = _after_shard(step.pk, shard_id)
    except Exception as exc:  # recorded and shown on the run page; the run stops, resumable
        if isinstance(exc, BusinessRuleError):  # a rule of the month said no: the page says why
            log.warning("cycle shard %s stopped: %s", shard_id, exc)
        else:
            log.exception("cycle shard %s failed", shard_id)
        _fail(shard_id, exc)
        return
    if finished:
        fault_point(step.name, shard.key, "after-step")
    _send(ready, dispatch)
    fault_point(step.name, shard.key, "after-commit")


def _session_for_month_work() -> None:
    """A shard's queries aggregate a city's month (a million rows and more): on PostgreSQL, for
    this transaction only, no JIT — the planner's row estimates for grouped and joined months
    make it compile for seconds (3.7 s of an 8.8 s reconcile check at 1,000,000 settlements)
    to save less — and work memory for hashing a month's people in memory, not in batches on
    disk (an aggregate of 500,000 people spilled to 85 batches at the default 4 MB)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '256MB'")


def _after_shard(step_id: int, shard_id: int) -> tuple[list[int], bool]:
    step = CycleStep.objects.select_for_update().get(pk=step_id)
    if step.status != S.RUNNING or step.shards.exclude(status=S.DONE).exists():
        return [], False
    totals: Counter[str] = Counter()
    for counts in step.shards.values_list("counts", flat=True):
        totals.update({k: int(v) for k, v in (counts or {}).items()})
    step.status, step.counts, step.finished_at, step.advanced_by = (
        S.DONE,
        dict(totals),
        timezone.now(),
        shard_id,
    )
    step.save(update_fields=["status", "counts", "finished_at", "advanced_by"])
    return _advance(CycleRun.objects.select_for_update().get(pk=step.run_id)), True


def _redelivered(shard_id: int, dispatch: Dispatch | None) -> None:
    shard = CycleShard.objects.select_related("step").filter(pk=shard_id).first()
    if shard is not None and shard.status == S.DONE and shard.step.advanced_by == shard.pk:
        _send(_unfinished(shard.step.run_id, never_tried=True), dispatch)


def error_text(exc: Exception) -> str:
    if isinstance(exc, BusinessRuleError):
        return exc.text()
    return render(
        _("系统错误（%(kind)s）：%(detail)s，请联系系统管理员"),
        {"kind": type(exc).__name__, "detail": str(exc)[:500]},
        None,
    )


def _fail(shard_id: int, exc: Exception) -> None:
    message = error_text(exc)
    with transaction.atomic():
        shard = (
            CycleShard.objects.select_related("step__run")
            .select_for_update(of=("self",))
            .get(pk=shard_id)
        )
        CycleShard.objects.filter(pk=shard_id).update(
            status=S.FAILED, error=message, updated_at=timezone.now()
        )
        CycleStep.objects.filter(pk=shard.step_id).update(status=S.FAILED)
        run = shard.step.run
        label = step_def(shard.step.name).label
        run.status = S.FAILED
        run.error = render(
            SHARD_FAILED,
            {"step": label, "shard": shard.key, "error": str(message).rstrip("。")},
            None,
        )
        run.save(update_fields=["status", "error", "updated_at"])


def run_to_end(run_id: int) -> CycleRun:
    """Run every shard of a run in this process, in order (embedded demo, tests, commands)."""
    while True:
        ids = _unfinished(run_id)
        run = CycleRun.objects.get(pk=run_id)
        if run.status != S.RUNNING:
            return run
        if not ids:  # a step finished without planning the next (cannot happen; be safe)
            with transaction.atomic():
                ids = _advance(CycleRun.objects.select_for_update().get(pk=run_id))
            if not ids:
                continue
        for shard_id in ids:
            shard_execute(shard_id, dispatch=no_dispatch)


def watchdog_resend(*, stale_seconds: int, dispatch: Dispatch | None = None) -> list[int]:
    """Shards of running runs that made no progress for `stale_seconds`: send them again."""
    before = timezone.now() - timedelta(seconds=stale_seconds)
    with transaction.atomic():
        stale = list(
            CycleShard.objects.filter(
                step__run__status=S.RUNNING,
                step__status=S.RUNNING,
                status__in=UNFINISHED,
                updated_at__lt=before,
            )
            .order_by("id")
            .values_list("id", flat=True)
        )
        CycleShard.objects.filter(pk__in=stale).update(updated_at=timezone.now())
        _send(stale, dispatch)
    return stale
