"""Shared kernel: the pooling area's regions and the people who work in it."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from pooling.choices import RegionKind, RegionLevel, Role


class Region(models.Model):
    """A pooling area (city; later a province) or one of its handling units.

    The GB/T 2260 code is the primary key, so postings, imports and exports carry
    the code every clerk already knows (320902), not a surrogate id.
    """

    code = models.CharField(_("行政区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("层级"), max_length=10, choices=RegionLevel.choices)
    kind = models.CharField(_("类型"), max_length=12, choices=RegionKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    agency_name = models.CharField(_("经办机构"), max_length=80)
    # Zones with only a statistical code still run their own handling office.
    statistical_only = models.BooleanField(_("仅统计用区划代码"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("行政区划/经办单位")
        verbose_name_plural = _("行政区划/经办单位")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{6}$"), name="region_code_six_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_handling_unit(self) -> bool:
        return self.level == RegionLevel.COUNTY


class User(AbstractUser):
    """A member of staff. County clerks are bound to exactly one handling unit."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("所属经办单位"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="staff",
    )
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role=Role.COUNTY_CLERK) | models.Q(region__isnull=False),
                name="county_clerk_has_region",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username


class WorkerHeartbeat(models.Model):
    """A row written by a Celery worker: proof the worker and broker are alive.

    The token is unique, so a redelivered task (acks_late) writes nothing twice.
    """

    token = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=200)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("任务进程心跳")
        verbose_name_plural = _("任务进程心跳")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.hostname} {self.received_at:%Y-%m-%d %H:%M}"


class CountyBaselineItem(models.Model):
    """One pre-pooling parameter of a county (统筹前待遇), for the 待遇不降 check.

    City-bureau reference data, readable city-wide (not a ScopedModel): the report
    compares each item with the unified policy. `item` is a key such as
    `ip.employee.in_service.level3.ratio_pct` (see pooling.unification). Money is in
    fen; percents, months, days and years in `number`.
    """

    county = models.ForeignKey(
        Region, verbose_name=_("县（区）"), on_delete=models.PROTECT, related_name="baseline_items"
    )
    item = models.CharField(_("项目代码"), max_length=80)
    amount_fen = models.BigIntegerField(_("金额（分）"), null=True, blank=True)
    number = models.DecimalField(_("数值"), max_digits=12, decimal_places=4, null=True, blank=True)
    source = models.CharField(_("来源文件"), max_length=200, blank=True)
    imported_by = models.ForeignKey(
        User, verbose_name=_("导入人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("导入时间"), auto_now=True)

    class Meta:
        verbose_name = _("统筹前县级待遇参数")
        verbose_name_plural = _("统筹前县级待遇参数")
        ordering = ["county", "item"]
        constraints = [
            models.UniqueConstraint(fields=["county", "item"], name="one_baseline_value_per_county_item"),
            models.CheckConstraint(
                condition=models.Q(amount_fen__isnull=True) ^ models.Q(number__isnull=True),
                name="baseline_item_is_money_or_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.item}"


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待复核")
    PUBLISHED = "published", _("已发布")
    REJECTED = "rejected", _("已退回")


class PolicyVersion(models.Model):
    """One version of the city-wide policy, as a JSON document (see pooling/policy.py).

    Drafted by one bureau administrator, approved and published by another
    (maker-checker). A published version is never changed; a new version with a
    later effective date replaces it from that date.
    """

    code = models.CharField(_("版本号"), max_length=30, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    effective_from = models.DateField(_("生效日期"))
    status = models.CharField(_("状态"), max_length=12, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT)
    document = models.JSONField(_("政策文件"))
    drafted_by = models.ForeignKey(
        User, verbose_name=_("起草人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        User, verbose_name=_("复核发布人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    review_note = models.TextField(_("复核意见"), blank=True)

    class Meta:
        verbose_name = _("政策版本")
        verbose_name_plural = _("政策版本")
        ordering = ["-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["effective_from"], condition=models.Q(status="published"),
                name="one_published_policy_per_effective_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published")
                | (models.Q(approved_by__isnull=False) & ~models.Q(approved_by=models.F("drafted_by"))),
                name="published_policy_has_a_second_approver",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


from pooling.catalogue_models import CatalogueItem, CatalogueVersion  # noqa: E402,F401  (the catalogues)
from pooling.imports.models import ImportBatch, ImportStatus  # noqa: E402,F401  (bulk imports)
