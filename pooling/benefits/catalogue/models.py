"""The three catalogues (药品、诊疗项目（含特殊医用材料）、医疗服务设施), versioned.

A version is a complete snapshot of all three, imported from a file by one bureau
administrator, submitted, and approved and published by a *different* one (maker-checker,
like the policy, held by a database constraint too); a claim is judged by the published
version with the latest effective date on or before its service date — like the policy.
Reference data for the whole city, so not county-scoped.
"""

from __future__ import annotations

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CatalogueStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待复核")
    PUBLISHED = "published", _("已发布")
    REJECTED = "rejected", _("已退回")


class CatalogueKind(models.TextChoices):
    DRUG = "drug", _("药品")
    ITEM = "item", _("诊疗项目")
    FACILITY = "facility", _("医疗服务设施")


class CatalogueClass(models.TextChoices):
    A = "A", _("甲类")
    B = "B", _("乙类")
    C = "C", _("丙类（不予支付）")


@auditlog.register()
class CatalogueVersion(models.Model):
    code = models.CharField(_("版本号"), max_length=30, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    effective_from = models.DateField(_("生效日期"))
    status = models.CharField(
        _("状态"), max_length=12, choices=CatalogueStatus.choices, default=CatalogueStatus.DRAFT
    )
    source_name = models.CharField(_("导入文件"), max_length=255, blank=True)
    drug_count = models.PositiveIntegerField(_("药品条目数"), default=0)
    item_count = models.PositiveIntegerField(_("诊疗项目条目数"), default=0)
    facility_count = models.PositiveIntegerField(_("服务设施条目数"), default=0)
    demo = models.BooleanField(_("演示数据"), default=False)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核发布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    review_note = models.TextField(_("复核意见"), blank=True)

    class Meta:
        verbose_name = _("医保目录版本")
        verbose_name_plural = _("医保目录版本")
        ordering = ["-effective_from", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["effective_from"],
                condition=models.Q(status="published"),
                name="one_published_catalogue_per_effective_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published")
                | (
                    models.Q(imported_by__isnull=False)
                    & models.Q(published_by__isnull=False)
                    & ~models.Q(published_by=models.F("imported_by"))
                ),
                name="published_catalogue_has_a_second_approver",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def total_count(self) -> int:
        return self.drug_count + self.item_count + self.facility_count


class CatalogueItem(models.Model):
    """One entry. Written only by the import (COPY on PostgreSQL), never edited."""

    version = models.ForeignKey(
        CatalogueVersion, verbose_name=_("目录版本"), on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(_("目录类别"), max_length=10, choices=CatalogueKind.choices)
    code = models.CharField(_("国家医保编码"), max_length=30)
    name = models.CharField(_("名称"), max_length=200)
    cls = models.CharField(_("甲乙类"), max_length=1, choices=CatalogueClass.choices)
    # Class B only: the share first self-paid; empty = the policy's default (class_b_self_pay_pct).
    self_pay_pct = models.DecimalField(
        _("先行自付比例（%）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    restrictions = models.TextField(_("限定支付范围"), blank=True)

    class Meta:
        verbose_name = _("医保目录条目")
        verbose_name_plural = _("医保目录条目")
        ordering = ["kind", "code"]
        constraints = [
            # One code, one entry per version: a claim line carries only its code.
            models.UniqueConstraint(
                fields=["version", "code"], name="catalogue_item_code_once_per_version"
            ),
            models.CheckConstraint(
                condition=models.Q(self_pay_pct__isnull=True)
                | (models.Q(self_pay_pct__gte=0) & models.Q(self_pay_pct__lte=100)),
                name="catalogue_item_self_pay_pct_range",
            ),
        ]
        indexes = [models.Index(fields=["version", "kind", "name"], name="catalogue_item_name_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
