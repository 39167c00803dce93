"""A provider's clearing application for a month (清算申请, 3203) and its cancellation (3204).

One row per application; a cancellation marks it cancelled (never deleted), so the month's
history stays readable. At most one live (applied) application per provider × month ×
clr_type: a partial unique index is the guard, its clash the business message.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from pooling.kernel.scoping import ScopedModel


def _fen(label: Any) -> models.BigIntegerField:
    return models.BigIntegerField(label, default=0)


class ClearingStatus(models.TextChoices):
    APPLIED = "applied", _("已申请")
    CANCELLED = "cancelled", _("已撤销")


class ClearingApplication(ScopedModel):
    # County clerks see the applications of the providers their unit handles; a provider's
    # system only its own.
    scope_paths = ("provider__handling_region",)
    provider_scope_path = "provider"

    provider = models.ForeignKey(
        "providers.Provider", verbose_name=_("定点机构"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("清算年月"))
    clr_type = models.CharField(_("清算类别"), max_length=3)
    clr_way = models.CharField(_("清算方式"), max_length=30, blank=True)
    person_times = models.IntegerField(_("清算人次"), default=0)
    medfee_sumamt = _fen(_("医疗费总额"))
    # As the provider stated it: no settlement figure of ours is 医保认可费用 in every province.
    med_sumfee = _fen(_("医保认可费用总额"))
    fund_appy_sum = _fen(_("基金申报总额"))
    acct_pay = _fen(_("个人账户支出"))
    cash_payamt = _fen(_("现金支付金额"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ClearingStatus.choices, default=ClearingStatus.APPLIED
    )
    msgid = models.CharField(_("申请报文ID"), max_length=30)
    opter = models.CharField(_("申请操作员"), max_length=60, blank=True)
    applied_at = models.DateTimeField(_("申请时间"))
    cancel_msgid = models.CharField(_("撤销报文ID"), max_length=30, blank=True)
    cancel_opter = models.CharField(_("撤销操作员"), max_length=60, blank=True)
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("定点机构清算申请")
        verbose_name_plural = _("定点机构清算申请")
        ordering = ["-month", "-applied_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "month", "clr_type"],
                condition=models.Q(status="applied"),
                name="clearing_application_live_once",
            )
        ]
        indexes = [models.Index(fields=["month", "provider"], name="clearing_application_month")]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.month:%Y%m} {self.clr_type} #{self.pk}"

    @property
    def clr_type_label(self) -> str:
        from settlement.hsa.codes import CLR_TYPES, label

        return label(CLR_TYPES, self.clr_type) if self.clr_type in CLR_TYPES else ""

    @property
    def event_id(self) -> str:
        """What the interface calls it (clr_appy_evt_id): our primary key, as text."""
        return str(self.pk)
