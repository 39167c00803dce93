"""Visits (就诊, `mdtrt_id`) and their fee details (费用明细), partitioned by the visit's month.

A visit is opened by outpatient registration (2201) or admission (2401) and carries the
two counties every settlement is accounted to: the insured person's county (expense,
分级核算) and the provider's handling unit (payable). Fee details are uploaded before
settlement (2204/2301) and classified against the catalogue in force on their date as
they arrive, so the provider sees each line's class at once.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pooling.kernel.scoping import ScopedModel

REGION = "pooling.Region"


class VisitStatus(models.TextChoices):
    OPEN = "open", _("就诊中")
    ADMITTED = "admitted", _("在院")
    DISCHARGED = "discharged", _("已出院")
    SETTLED = "settled", _("已结算")
    CANCELLED = "cancelled", _("已撤销")


class Visit(ScopedModel):
    """One outpatient visit or one inpatient stay."""

    # A clerk sees the visits of their county's insured people and of the providers they handle.
    scope_paths = ("insured_county", "handling_unit")
    provider_scope_path = "provider"

    month = models.DateField(_("就诊月份"))
    provider = models.ForeignKey(
        "providers.Provider", verbose_name=_("定点机构"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "enrollment.Person", verbose_name=_("参保人"), on_delete=models.PROTECT, related_name="+"
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
        verbose_name=_("定点机构经办单位"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    insutype = models.CharField(_("险种类型"), max_length=3)
    med_type = models.CharField(_("医疗类别"), max_length=6)
    inpatient = models.BooleanField(_("住院"), default=False)
    begntime = models.DateTimeField(_("开始时间"))
    endtime = models.DateTimeField(_("出院/结束时间"), null=True, blank=True)
    ipt_otp_no = models.CharField(_("住院/门诊号"), max_length=30, blank=True)
    dept_name = models.CharField(_("科室"), max_length=50, blank=True)
    atddr_name = models.CharField(_("医师"), max_length=50, blank=True)
    main_diag_code = models.CharField(_("主要诊断编码"), max_length=30, blank=True)
    main_diag_name = models.CharField(_("主要诊断名称"), max_length=100, blank=True)
    diagnoses = models.JSONField(_("诊断信息"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=VisitStatus.choices, default=VisitStatus.OPEN
    )
    opened_msgid = models.CharField(_("登记报文ID"), max_length=30)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("就诊登记")
        verbose_name_plural = _("就诊登记")
        ordering = ["-begntime"]
        indexes = [
            models.Index(fields=["person", "begntime"], name="visit_person_time"),
            models.Index(fields=["provider", "begntime"], name="visit_provider_time"),
        ]

    def __str__(self) -> str:
        return f"{self.mdtrt_id} {self.get_status_display()}"

    @property
    def mdtrt_id(self) -> str:
        from settlement.partitioning import external_id

        return external_id(self.month, self.pk)


class FeeDetail(ScopedModel):
    """One uploaded fee line, classified when it arrives; cancelled (2205/2302) only before settlement."""

    scope_paths = ("insured_county", "handling_unit")
    provider_scope_path = "provider"

    month = models.DateField(_("就诊月份"))  # the visit's: a visit and its lines share a partition
    visit_id = models.BigIntegerField(_("就诊ID"))
    provider = models.ForeignKey(
        "providers.Provider",
        verbose_name=_("定点机构"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    insured_county = models.ForeignKey(
        REGION,
        verbose_name=_("参保地经办单位"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    handling_unit = models.ForeignKey(
        REGION,
        verbose_name=_("定点机构经办单位"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    feedetl_sn = models.CharField(_("费用明细流水号"), max_length=30)
    chrg_bchno = models.CharField(_("收费批次号"), max_length=30, blank=True)
    code = models.CharField(_("医保目录编码"), max_length=50)
    medins_code = models.CharField(_("医院目录编码"), max_length=50, blank=True)
    name = models.CharField(_("项目名称"), max_length=200, blank=True)
    quantity = models.DecimalField(_("数量"), max_digits=14, decimal_places=4)
    price_fen = models.BigIntegerField(_("单价（分）"))
    amount_fen = models.BigIntegerField(_("金额（分）"))
    occurred_at = models.DateTimeField(_("费用发生时间"))
    cls = models.CharField(_("甲乙类"), max_length=1)
    # Class B only: the catalogue's own first self-paid share (None: the policy's default).
    self_pay_pct = models.DecimalField(
        _("先行自付比例（%）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    in_catalogue = models.BooleanField(_("在目录内"), default=True)
    cancelled = models.BooleanField(_("已撤销"), default=False)
    settlement_id = models.BigIntegerField(_("结算ID"), null=True, blank=True)

    class Meta:
        verbose_name = _("费用明细")
        verbose_name_plural = _("费用明细")
        ordering = ["visit_id", "id"]
        indexes = [models.Index(fields=["visit_id"], name="feedetail_visit")]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "visit_id", "feedetl_sn"], name="feedetail_sn_once_per_visit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.feedetl_sn} {self.code}"
