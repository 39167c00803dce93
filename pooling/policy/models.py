"""Policy versions: the city-wide policy as versioned, maker-checked JSON documents."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pooling.kernel.regions import User


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
    status = models.CharField(
        _("状态"), max_length=12, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT
    )
    document = models.JSONField(_("政策文件"))
    drafted_by = models.ForeignKey(
        User,
        verbose_name=_("起草人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        User,
        verbose_name=_("复核发布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
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
                fields=["effective_from"],
                condition=models.Q(status="published"),
                name="one_published_policy_per_effective_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published")
                | (
                    models.Q(approved_by__isnull=False)
                    & ~models.Q(approved_by=models.F("drafted_by"))
                ),
                name="published_policy_has_a_second_approver",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"
