"""The monthly cycle's own rows: a run per month, its steps, and each step's shards.

PostgreSQL is the one source of truth of where a run stands: a shard is done when its
row says so, and that row is written in the same transaction as the shard's postings
(`settlement/cycle/runner.py`). Celery messages only say "look at shard N"; losing or
repeating one changes nothing that the rows do not already say.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RunKind(models.TextChoices):
    REGULAR = "regular", _("月度清算")
    ADJUSTMENT = "adjustment", _("调整清算")


class CycleStatus(models.TextChoices):
    PENDING = "pending", _("待执行")
    RUNNING = "running", _("执行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


UNFINISHED = (CycleStatus.PENDING, CycleStatus.RUNNING)


class CycleRun(models.Model):
    month = models.DateField(_("清算月份"))  # first day of the month being settled
    kind = models.CharField(
        _("类型"), max_length=12, choices=RunKind.choices, default=RunKind.REGULAR
    )
    # An adjustment refers to the closed month it corrects (== month); a regular run: null.
    corrects_month = models.DateField(_("所调整月份"), null=True, blank=True)
    entry_date = models.DateField(
        _("记账日期")
    )  # regular: month end; adjustment: the day it started
    status = models.CharField(
        _("状态"), max_length=10, choices=CycleStatus.choices, default=CycleStatus.PENDING
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发起人"),
    )
    started_by_job = models.CharField(_("发起任务"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("月度清算")
        verbose_name_plural = _("月度清算")
        ordering = ["-month", "-id"]
        constraints = [
            # Beat and a person starting the same month at once get one run: the loser reads it.
            models.UniqueConstraint(
                fields=["month"],
                condition=Q(kind=RunKind.REGULAR),
                name="settlement_cycle_one_regular_run",
            ),
            # Two adjustments at once would each post "the difference" against the same past.
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(kind=RunKind.ADJUSTMENT, status__in=UNFINISHED),
                name="settlement_cycle_one_open_adjustment",
            ),
            models.CheckConstraint(
                condition=Q(kind=RunKind.REGULAR, corrects_month__isnull=True)
                | Q(kind=RunKind.ADJUSTMENT, corrects_month__isnull=False),
                name="settlement_cycle_adjustment_corrects",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.month:%Y-%m} #{self.pk}"

    @property
    def month_label(self) -> str:
        return f"{self.month:%Y-%m}"


class CycleStep(models.Model):
    run = models.ForeignKey(
        CycleRun, on_delete=models.CASCADE, related_name="steps", verbose_name=_("清算")
    )
    name = models.CharField(_("步骤"), max_length=40)
    order = models.PositiveSmallIntegerField(_("顺序"))
    status = models.CharField(
        _("状态"), max_length=10, choices=CycleStatus.choices, default=CycleStatus.PENDING
    )
    counts = models.JSONField(_("计数"), default=dict, blank=True)
    # The shard whose commit finished the step (and planned the next): a redelivery of
    # its message re-sends the next step's shards, in case the first sending was lost.
    advanced_by = models.BigIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("清算步骤")
        verbose_name_plural = _("清算步骤")
        ordering = ["run_id", "order"]  # by the column: no join to the run (nor its lock)
        constraints = [
            models.UniqueConstraint(fields=["run", "name"], name="settlement_cyclestep_name"),
            models.UniqueConstraint(fields=["run", "order"], name="settlement_cyclestep_order"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.name}"


class CycleShard(models.Model):
    step = models.ForeignKey(
        CycleStep, on_delete=models.CASCADE, related_name="shards", verbose_name=_("步骤")
    )
    key = models.CharField(_("分片"), max_length=120)
    status = models.CharField(
        _("状态"), max_length=10, choices=CycleStatus.choices, default=CycleStatus.PENDING
    )
    counts = models.JSONField(_("计数"), default=dict, blank=True)
    attempts = models.PositiveIntegerField(_("执行次数"), default=0)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("清算分片")
        verbose_name_plural = _("清算分片")
        ordering = ["id"]  # never a join: a FOR UPDATE would lock the step row too
        constraints = [
            models.UniqueConstraint(fields=["step", "key"], name="settlement_cycleshard_key")
        ]
        indexes = [
            models.Index(fields=["status", "updated_at"], name="settlement_cycleshard_stale")
        ]

    def __str__(self) -> str:
        return f"{self.step}:{self.key}"
