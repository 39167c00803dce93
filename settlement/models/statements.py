"""What providers report in reconciliation (3201 totals, 3202 details), kept beside our figures.

The monthly cycle lists every difference between a provider's figures for the month and
ours; the answer to the message already says whether they agree.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pooling.kernel.scoping import ScopedModel


class ProviderStatement(ScopedModel):
    scope_paths = ("provider__handling_region",)
    provider_scope_path = "provider"

    KIND_TOTALS = "totals"
    KIND_DETAILS = "details"

    provider = models.ForeignKey(
        "providers.Provider", verbose_name=_("定点机构"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(
        _("对账类型"),
        max_length=8,
        choices=[(KIND_TOTALS, _("对总账（3201）")), (KIND_DETAILS, _("对明细账（3202）"))],
    )
    begin = models.DateField(_("对账开始日期"))
    end = models.DateField(_("对账结束日期"))
    insutype = models.CharField(_("险种类型"), max_length=3, blank=True)
    clr_type = models.CharField(_("清算类别"), max_length=3, blank=True)
    theirs = models.JSONField(_("机构上报"), default=dict)
    ours = models.JSONField(_("本系统"), default=dict)
    agrees = models.BooleanField(_("一致"))
    differences = models.JSONField(_("差异"), default=list)
    msgid = models.CharField(_("报文ID"), max_length=30)
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("定点机构对账")
        verbose_name_plural = _("定点机构对账")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["provider", "begin"], name="provider_statement_begin")]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.begin}–{self.end} {self.get_kind_display()}"
