"""Claims a clerk enters: manual reimbursement (零星报销) of care paid in cash, and the maternity
allowance (生育津贴). Both are decided once by the handling agency and become payable."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pooling.kernel.scoping import ScopedModel

REGION = "pooling.Region"


class ClaimStatus(models.TextChoices):
    ENTERED = "entered", _("已受理待审核")
    DECIDED = "decided", _("已审核，待支付")
    REJECTED = "rejected", _("不予支付")


class ReimbursementKind(models.TextChoices):
    OUT_OF_CITY_REGISTERED = "ooc_registered", _("异地就医（已备案转诊）")
    OUT_OF_CITY_UNREGISTERED = "ooc_unregistered", _("异地就医（未备案）")
    EMERGENCY = "emergency", _("急诊抢救")
    LOCAL_UNSETTLED = "local", _("本地就医未联网结算")


class Reimbursement(ScopedModel):
    """零星报销: invoices of care paid in cash, entered item by item and settled by the same calculator."""

    county = models.ForeignKey(
        REGION, verbose_name=_("经办单位"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "enrollment.Person", verbose_name=_("参保人"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("报销类型"), max_length=20, choices=ReimbursementKind.choices)
    insutype = models.CharField(_("险种类型"), max_length=3)
    med_type = models.CharField(_("医疗类别"), max_length=6)
    hospital_name = models.CharField(_("就医机构"), max_length=100)
    hospital_level = models.CharField(_("医院级别"), max_length=10)
    hospital_area_code = models.CharField(_("就医地行政区划代码"), max_length=6, blank=True)
    begin_on = models.DateField(_("就诊/入院日期"))
    end_on = models.DateField(_("出院日期"), null=True, blank=True)
    diagnosis = models.CharField(_("诊断"), max_length=100, blank=True)
    invoice_nos = models.CharField(_("发票号"), max_length=200, blank=True)
    items = models.JSONField(_("费用项目"), default=list)
    total_fen = models.BigIntegerField(_("发票金额合计（分）"), default=0)
    status = models.CharField(
        _("状态"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.ENTERED
    )
    settlement_id = models.BigIntegerField(_("结算ID"), null=True, blank=True)
    settlement_month = models.DateField(_("结算月份"), null=True, blank=True)
    payable_fen = models.BigIntegerField(_("应付参保人（分）"), default=0)
    note = models.CharField(_("审核意见"), max_length=200, blank=True)
    entered_at = models.DateTimeField(_("受理时间"), auto_now_add=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("零星报销")
        verbose_name_plural = _("零星报销")
        ordering = ["-entered_at"]

    @property
    def hospital_level_label(self) -> str:
        from pooling.kernel.choices import HospitalLevel

        ok = self.hospital_level in HospitalLevel.values
        return str(HospitalLevel(self.hospital_level).label) if ok else self.hospital_level

    def __str__(self) -> str:
        return f"{self.person_id} {self.hospital_name} {self.get_status_display()}"


class AllowancePayee(models.TextChoices):
    EMPLOYER = "employer", _("支付给用人单位")
    PERSON = "person", _("支付给参保职工")


class MaternityEvent(models.TextChoices):
    BIRTH = "birth", _("生育")
    MISCARRIAGE_EARLY = "miscarriage_early", _("流产（未满4个月）")
    MISCARRIAGE_LATE = "miscarriage_late", _("流产（满4个月）")


class MaternityAllowance(ScopedModel):
    """生育津贴: the employer's last-year average monthly wage (from its declarations) ÷ 30 × leave days."""

    county = models.ForeignKey(
        REGION, verbose_name=_("经办单位"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "enrollment.Person", verbose_name=_("参保职工"), on_delete=models.PROTECT, related_name="+"
    )
    employer = models.ForeignKey(
        "enrollment.Employer",
        verbose_name=_("用人单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    event = models.CharField(_("生育类型"), max_length=20, choices=MaternityEvent.choices)
    event_on = models.DateField(_("生育（流产）日期"))
    difficult_birth = models.BooleanField(_("难产"), default=False)
    babies = models.PositiveSmallIntegerField(_("婴儿数"), default=1)
    leave_days = models.PositiveIntegerField(_("产假天数"))
    average_wage_fen = models.BigIntegerField(_("单位上年度职工月平均工资（分）"))
    wage_basis = models.CharField(_("月平均工资依据"), max_length=200)
    amount_fen = models.BigIntegerField(_("生育津贴（分）"))
    payee = models.CharField(_("支付对象"), max_length=10, choices=AllowancePayee.choices)
    policy_code = models.CharField(_("政策版本"), max_length=30)
    status = models.CharField(
        _("状态"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.ENTERED
    )
    note = models.CharField(_("审核意见"), max_length=200, blank=True)
    entered_at = models.DateTimeField(_("受理时间"), auto_now_add=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("生育津贴")
        verbose_name_plural = _("生育津贴")
        ordering = ["-entered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "event_on"],
                condition=~models.Q(status="rejected"),
                name="one_allowance_per_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.event_on} {self.get_status_display()}"
