"""Designated providers (定点医药机构): register, lifecycle log, agreements, violations, assessment.

A provider's rows belong to the handling unit responsible for it (`handling_region`):
a county's agency, or the city agency (the city Region itself, which no county clerk
holds). Who handles whom is data (`HandlingRule`, `HandlingException`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pooling.kernel.choices import HospitalLevel
from pooling.kernel.codes import validate_credit_code, validate_provider_code
from pooling.kernel.scoping import ScopedModel
from providers.choices import (
    Grade,
    HospitalType,
    Ownership,
    ProviderKind,
    State,
    ViolationAction,
    ViolationKind,
)

REGION = "pooling.Region"


class HandlingRule(models.Model):
    """ "Providers of this kind/level located here are handled by the city agency" (Yancheng art. 13–14).

    A provider no rule sends to the city is handled by the agency of the county it is in.
    """

    provider_kind = models.CharField(_("机构类别"), max_length=10, choices=ProviderKind.choices)
    level = models.CharField(_("医院级别"), max_length=10, choices=HospitalLevel.choices)
    location_region = models.ForeignKey(
        REGION, verbose_name=_("所在区县"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("经办归属规则")
        verbose_name_plural = _("经办归属规则")
        constraints = [
            models.UniqueConstraint(
                fields=["provider_kind", "level", "location_region"], name="handling_rule_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.location_region_id} {self.get_level_display()} → 市经办机构"


class HandlingException(models.Model):
    """A named provider handled by someone other than the rules say (市三院 → 盐都区)."""

    national_code = models.CharField(_("医保机构编码"), max_length=12, unique=True)
    name = models.CharField(_("机构名称"), max_length=100)
    handling_region = models.ForeignKey(
        REGION, verbose_name=_("经办单位"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("经办归属例外")
        verbose_name_plural = _("经办归属例外")

    def __str__(self) -> str:
        return f"{self.name} → {self.handling_region_id}"


class Provider(ScopedModel):
    scope_paths = ("handling_region",)

    kind = models.CharField(_("机构类别"), max_length=10, choices=ProviderKind.choices)
    name = models.CharField(_("机构名称"), max_length=100)
    # The validators hold the admin to the register's checks (the services check kind and area too).
    national_code = models.CharField(
        _("医保机构编码"), max_length=12, unique=True, validators=[validate_provider_code]
    )
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    location_region = models.ForeignKey(
        REGION, verbose_name=_("所在区县"), on_delete=models.PROTECT, related_name="+"
    )
    handling_region = models.ForeignKey(
        REGION, verbose_name=_("经办单位"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("地址"), max_length=200)
    level = models.CharField(
        _("医院级别"), max_length=10, choices=HospitalLevel.choices, blank=True
    )
    grade = models.CharField(_("等次"), max_length=1, choices=Grade.choices, blank=True)
    hospital_type = models.CharField(
        _("医疗机构类型"), max_length=12, choices=HospitalType.choices, blank=True
    )
    ownership = models.CharField(_("经营性质"), max_length=10, choices=Ownership.choices)
    opened_on = models.DateField(_("开业（执业）日期"))
    state = models.CharField(
        _("定点状态"), max_length=16, choices=State.choices, default=State.REGISTERED, db_index=True
    )
    # Clocks of the lifecycle, kept on the row so the deadlines page is one query.
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("补充材料天数"), default=0)
    supplement_since = models.DateField(_("补充材料开始日期"), null=True, blank=True)
    suspended_on = models.DateField(_("暂停日期"), null=True, blank=True)
    resume_applied_on = models.DateField(_("申请恢复日期"), null=True, blank=True)
    filed_on = models.DateField(_("市经办机构备案日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("定点医药机构")
        verbose_name_plural = _("定点医药机构")
        ordering = ["national_code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(national_code__regex=r"^[HP][0-9]{11}$"),
                name="provider_national_code_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.national_code}）"

    @property
    def is_public_hospital(self) -> bool:
        return self.kind != ProviderKind.PHARMACY and self.ownership == Ownership.PUBLIC


class ProviderEvent(ScopedModel):
    """One transition of the lifecycle: who, when, from, to, why. Never edited."""

    scope_paths = ("provider__handling_region",)

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("操作"), max_length=24)
    from_state = models.CharField(_("原状态"), max_length=16, choices=State.choices)
    to_state = models.CharField(_("新状态"), max_length=16, choices=State.choices)
    effective_on = models.DateField(_("生效日期"))
    reason = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("附加信息"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("定点状态变更记录")
        verbose_name_plural = _("定点状态变更记录")
        ordering = ["effective_on", "id"]
        indexes = [models.Index(fields=["provider", "effective_on"])]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.from_state}→{self.to_state}"

    @property
    def action_label(self) -> str:
        from providers.services.lifecycle import TRANSITIONS

        spec = TRANSITIONS.get(self.action)
        return (
            str(spec.label)
            if spec
            else str(_("登记入册") if self.action == "register" else self.action)
        )


class AgreementTemplate(models.Model):
    """The city-wide agreement text for one kind of provider, versioned (Yancheng art. 12)."""

    provider_kind = models.CharField(_("机构类别"), max_length=10, choices=ProviderKind.choices)
    version = models.PositiveIntegerField(_("版本号"))
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("协议正文"))
    effective_from = models.DateField(_("启用日期"))
    term_months = models.PositiveSmallIntegerField(_("协议期限（月）"), default=12)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("协议范本")
        verbose_name_plural = _("协议范本")
        ordering = ["provider_kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider_kind", "version"], name="agreement_template_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class Agreement(ScopedModel):
    """A signed service agreement: template version, term, signatories; renewals chain."""

    scope_paths = ("provider__handling_region",)

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="agreements")
    template = models.ForeignKey(AgreementTemplate, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("协议编号"), max_length=40, unique=True)
    term_start = models.DateField(_("协议起始日"))
    term_end = models.DateField(_("协议终止日"))
    signed_on = models.DateField(_("签订日期"))
    agency_signatory = models.CharField(_("经办机构签订人"), max_length=50)
    provider_signatory = models.CharField(_("定点机构签订人"), max_length=50)
    renewal_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewed_by",
        verbose_name=_("续签自"),
    )
    ended_on = models.DateField(_("提前终止日"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("服务协议")
        verbose_name_plural = _("服务协议")
        ordering = ["provider", "-term_start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_end__gt=models.F("term_start")),
                name="agreement_term_positive",
            )
        ]

    def __str__(self) -> str:
        return self.number


class Violation(ScopedModel):
    """A breach of the agreement (违约) found on inspection, and what follows from it."""

    scope_paths = ("provider__handling_region",)

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="violations")
    kind = models.CharField(_("违约类型"), max_length=16, choices=ViolationKind.choices)
    found_on = models.DateField(_("查实日期"))
    finding = models.TextField(_("查实情况"))
    recover_fen = models.BigIntegerField(_("追回金额（分）"), default=0)
    deduct_fen = models.BigIntegerField(_("扣减支付金额（分）"), default=0)
    # First day of the settlement month from whose payment the deduction is taken.
    deduction_month = models.DateField(_("扣款月份"))
    action = models.CharField(
        _("协议处理"), max_length=10, choices=ViolationAction.choices, default=ViolationAction.NONE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("违约处理")
        verbose_name_plural = _("违约处理")
        ordering = ["-found_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recover_fen__gte=0, deduct_fen__gte=0),
                name="violation_amounts_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(deduction_month__day=1),
                name="violation_deduction_month_first_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.get_kind_display()} {self.found_on}"


class AssessmentTemplate(models.Model):
    """The city-wide annual assessment (年度考核) indicator set, versioned by year of first use."""

    name = models.CharField(_("名称"), max_length=100)
    from_year = models.PositiveSmallIntegerField(_("起用年度"), unique=True)

    class Meta:
        verbose_name = _("年度考核指标体系")
        verbose_name_plural = _("年度考核指标体系")
        ordering = ["-from_year"]

    def __str__(self) -> str:
        return f"{self.name}（{self.from_year}）"


class AssessmentIndicator(models.Model):
    template = models.ForeignKey(
        AssessmentTemplate, on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField(_("指标代码"), max_length=20)
    name = models.CharField(_("指标名称"), max_length=100)
    weight = models.PositiveSmallIntegerField(_("权重（%）"))

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["template", "code"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="indicator_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DepositReleaseBand(models.Model):
    """Total score ≥ min_score releases this share of the withheld quality deposit (质量保证金)."""

    template = models.ForeignKey(AssessmentTemplate, on_delete=models.CASCADE, related_name="bands")
    min_score = models.DecimalField(_("最低得分"), max_digits=5, decimal_places=2)
    release_ratio = models.DecimalField(_("返还比例"), max_digits=4, decimal_places=3)

    class Meta:
        verbose_name = _("质量保证金返还档次")
        verbose_name_plural = _("质量保证金返还档次")
        ordering = ["template", "-min_score"]
        constraints = [
            models.UniqueConstraint(fields=["template", "min_score"], name="band_unique"),
            models.CheckConstraint(
                condition=models.Q(release_ratio__gte=0, release_ratio__lte=1),
                name="band_ratio_0_1",
            ),
        ]

    def __str__(self) -> str:
        return f"≥{self.min_score} → {self.release_ratio}"


class AssessmentResult(ScopedModel):
    """One provider's assessment for one year: scores per indicator and the weighted total."""

    scope_paths = ("provider__handling_region",)

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="assessments")
    year = models.PositiveSmallIntegerField(_("考核年度"))
    template = models.ForeignKey(AssessmentTemplate, on_delete=models.PROTECT, related_name="+")
    scores = models.JSONField(_("各指标得分"), default=dict)
    total = models.DecimalField(_("总分"), max_digits=5, decimal_places=2)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("年度考核结果")
        verbose_name_plural = _("年度考核结果")
        ordering = ["-year", "provider"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "year"], name="assessment_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.year} {self.total}"
