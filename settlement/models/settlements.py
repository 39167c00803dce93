"""Settlements (结算), immutable: a cancellation or reversal is a new, negative row.

Every amount the national interface names is stored in fen beside the books it is
charged to, the insured person's county (expense) and the provider's handling unit
(payable), so the monthly cycle adds up one month's partition without reading
anything else. A settlement belongs to the month of its own time: a reversal made in
December of a November settlement is a December row, whatever the state of November.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from pooling.kernel.scoping import ScopedModel

REGION = "pooling.Region"


class SettlementKind(models.TextChoices):
    SETTLE = "settle", _("结算")
    REVERSE = "reverse", _("撤销/冲正")


class SettlementChannel(models.TextChoices):
    HSA = "hsa", _("定点机构接口")
    FILE = "file", _("批量结算文件")
    MANUAL = "manual", _("零星报销")


def _fen(label: Any) -> models.BigIntegerField:  # a lazy Chinese label
    return models.BigIntegerField(label, default=0)


class Settlement(ScopedModel):
    scope_paths = ("insured_county", "handling_unit")
    provider_scope_path = "provider"

    month = models.DateField(_("结算月份"))
    kind = models.CharField(
        _("类型"), max_length=8, choices=SettlementKind.choices, default=SettlementKind.SETTLE
    )
    channel = models.CharField(
        _("来源"), max_length=8, choices=SettlementChannel.choices, default=SettlementChannel.HSA
    )
    visit_id = models.BigIntegerField(_("就诊ID"), null=True, blank=True)
    visit_month = models.DateField(_("就诊月份"), null=True, blank=True)
    provider = models.ForeignKey(
        "providers.Provider",
        verbose_name=_("定点机构"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
    )
    person = models.ForeignKey(
        "enrollment.Person",
        verbose_name=_("参保人"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    insured_county = models.ForeignKey(
        REGION,
        verbose_name=_("参保地经办单位"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    handling_unit = models.ForeignKey(
        REGION,
        verbose_name=_("结算经办单位"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    insutype = models.CharField(_("险种类型"), max_length=3)
    med_type = models.CharField(_("医疗类别"), max_length=6)
    clr_type = models.CharField(_("清算类别"), max_length=3)
    scheme = models.CharField(_("险种"), max_length=20)
    fund_book = models.CharField(_("统筹基金账簿"), max_length=30)
    scope = models.CharField(_("累计口径"), max_length=60)
    year = models.PositiveSmallIntegerField(_("待遇年度"))
    service_date = models.DateField(_("就医（出院）日期"))
    setl_time = models.DateTimeField(_("结算时间"))
    policy_code = models.CharField(_("政策版本"), max_length=30)
    catalogue_code = models.CharField(_("目录版本"), max_length=30, blank=True)
    # The breakdown, in fen, named as the national interface names it.
    medfee_sumamt = _fen(_("医疗费总额"))
    fulamt_ownpay_amt = _fen(_("全自费金额"))
    overlmt_selfpay = _fen(_("超限价自费"))
    preselfpay_amt = _fen(_("先行自付金额"))
    inscp_scp_amt = _fen(_("符合政策范围金额"))
    act_pay_dedc = _fen(_("实际支付起付线"))
    hifp_pay = _fen(_("基本医疗保险统筹基金支出"))
    pool_prop_selfpay = models.DecimalField(
        _("基本医疗保险统筹基金支付比例"), max_digits=7, decimal_places=4, default=0
    )
    hifmi_pay = _fen(_("居民大病保险资金支出"))
    hifob_pay = _fen(_("职工大额医疗费用补助基金支出"))
    fund_pay_sumamt = _fen(_("基金支付总额"))
    acct_pay = _fen(_("个人账户支出"))
    psn_cash_pay = _fen(_("个人现金支出"))
    over_cap_fen = _fen(_("超封顶线金额"))
    copay_fen = _fen(_("统筹段个人自付"))
    balc = _fen(_("个人账户余额"))
    critical_base_fen = _fen(_("计入大病保险的合规自付"))
    admission = models.SmallIntegerField(_("计入住院次数"), default=0)
    detail = models.JSONField(_("明细与说明"), default=dict)
    msgid = models.CharField(_("报文ID"), max_length=30, blank=True)
    chrg_bchno = models.CharField(_("收费批次号"), max_length=30, blank=True)
    invono = models.CharField(_("发票号"), max_length=30, blank=True)
    reverses_id = models.BigIntegerField(_("冲销的结算ID"), null=True, blank=True)
    reverses_month = models.DateField(_("冲销的结算月份"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    operator = models.CharField(_("经办人/操作员"), max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )

    class Meta:
        verbose_name = _("结算记录")
        verbose_name_plural = _("结算记录")
        ordering = ["-setl_time", "-id"]
        indexes = [
            # The monthly cycle's totals per provider × book, and per county.
            models.Index(
                fields=["month", "provider", "fund_book"], name="settlement_month_provider"
            ),
            models.Index(fields=["month", "insured_county"], name="settlement_month_county"),
            models.Index(fields=["person", "year"], name="settlement_person_year"),
            models.Index(fields=["visit_id"], name="settlement_by_visit"),
        ]

    def __str__(self) -> str:
        return f"{self.setl_id} {self.get_kind_display()}"

    @property
    def setl_id(self) -> str:
        from settlement.partitioning import external_id

        return external_id(self.month, self.pk)

    @property
    def insutype_label(self) -> str:
        from settlement.hsa.codes import INSUTYPES, label

        return label(INSUTYPES, self.insutype)

    @property
    def med_type_label(self) -> str:
        from settlement.hsa.codes import MED_TYPES, label

        return label(MED_TYPES, self.med_type)

    @property
    def explanation(self) -> list[str]:
        """The explanation lines in the reader's language: the calculator writes both, Chinese
        and English, so a page or a printed 结算单 never shows the other language's lines."""
        english = (translation.get_language() or "").startswith("en")
        lines = self.detail.get("explanation_en") if english else None
        return list(lines or self.detail.get("explanation", []))


class SettlementReversal(models.Model):
    """The database's promise that a settlement is reversed at most once (settlements are partitioned,
    so the promise cannot be a unique index across their months)."""

    original_id = models.BigIntegerField(_("原结算ID"), unique=True)
    original_month = models.DateField(_("原结算月份"))
    reversal_id = models.BigIntegerField(_("冲销结算ID"), unique=True)
    reversal_month = models.DateField(_("冲销结算月份"))
    created_at = models.DateTimeField(_("冲销时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("结算冲销关系")
        verbose_name_plural = _("结算冲销关系")

    def __str__(self) -> str:
        return f"{self.original_id} → {self.reversal_id}"
