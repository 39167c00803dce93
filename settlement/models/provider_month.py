"""A provider's monthly settlement statement (结算单), written by the monthly cycle's provider step.

One row per provider and month (unique): the step writes it with `update_or_create` in the
transaction that posts the month's money, so a shard run again (or an adjustment run that
recomputes a closed month) leaves one row holding what the month should have. `books`
keeps the per-book lines the statement page and its exports show; `differences` the
comparison with what the provider reported in 3201/3202 for the month.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from pooling.kernel.scoping import ScopedModel


def _fen(label: Any) -> models.BigIntegerField:
    return models.BigIntegerField(label, default=0)


class ProviderMonthStatement(ScopedModel):
    # County clerks see the statements of the providers their unit handles.
    scope_paths = ("handling_unit",)
    provider_scope_path = "provider"

    provider = models.ForeignKey(
        "providers.Provider", verbose_name=_("定点机构"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("结算月份"))
    handling_unit = models.ForeignKey(
        "pooling.Region", verbose_name=_("结算经办单位"), on_delete=models.PROTECT, related_name="+"
    )
    person_times = models.IntegerField(_("结算人次"), default=0)
    medfee_sumamt = _fen(_("医疗费总额"))
    hifp_pay = _fen(_("基本医疗保险统筹基金支出"))
    maternity_pay = _fen(_("生育保险基金支出"))
    hifmi_pay = _fen(_("居民大病保险资金支出"))
    hifob_pay = _fen(_("职工大额医疗费用补助基金支出"))
    acct_pay = _fen(_("个人账户支出"))
    payable_fen = _fen(_("应付合计"))
    deductions_fen = _fen(_("违约扣款"))
    deductions_carried_fen = _fen(_("上月未扣足转入"))
    deductions_unapplied_fen = _fen(_("本月未能扣足的违约扣款"))
    deposit_withheld_fen = _fen(_("预留质量保证金"))
    deposit_released_fen = _fen(_("返还质量保证金"))
    deposit_forfeited_fen = _fen(_("不予返还质量保证金"))
    deposit_release_year = models.PositiveSmallIntegerField(
        _("返还的考核年度"), null=True, blank=True
    )
    net_payable_fen = _fen(_("实付金额"))
    held = models.BooleanField(_("暂缓支付"), default=False)
    # What stays in the payable (a held payment, a negative net, an adjustment's difference):
    # paid, or set off, with the first later month the provider is paid again; `carried_into`
    # names the latest month that carried from this one.
    kept_fen = _fen(_("挂账金额"))
    carried_fen = _fen(_("结转以前月份挂账"))
    carried_into = models.DateField(_("挂账转入月份"), null=True, blank=True)
    # Where this month's kept amounts and unapplied deductions went, by the month that took
    # them: {"2026-11": {"books": {"employee_pooled": 6650}, "deductions": 300}}. What is still
    # to carry is kept (or unapplied) less every month's share, so an adjustment that changes
    # this month later carries only the difference, and a month run again takes its own share.
    carried_out = models.JSONField(_("挂账结转去向"), default=dict, blank=True)
    carry_pending = models.BooleanField(_("尚有待结转挂账"), default=False)
    provider_state = models.CharField(_("月末定点状态"), max_length=16, blank=True)
    books = models.JSONField(_("分账簿明细"), default=list)
    differences = models.JSONField(_("与机构对账的差异"), default=list)
    reports = models.PositiveIntegerField(_("机构对账报文数"), default=0)
    run_id = models.BigIntegerField(_("清算批次"), null=True, blank=True)
    adjusted = models.BooleanField(_("经调整清算"), default=False)
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    class Meta:
        verbose_name = _("定点机构月度结算单")
        verbose_name_plural = _("定点机构月度结算单")
        ordering = ["-month", "provider__national_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "month"], name="provider_month_statement_once"
            )
        ]
        indexes = [models.Index(fields=["month", "handling_unit"], name="provider_month_by_unit")]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.month:%Y-%m}"
