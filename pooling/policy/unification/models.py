"""Counties' pre-pooling parameters, kept for the 待遇不降 comparison."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pooling.kernel.regions import Region, User


class CountyBaselineItem(models.Model):
    """One pre-pooling parameter of a county (统筹前待遇), for the 待遇不降 check.

    City-bureau reference data, readable city-wide (not a ScopedModel): the report
    compares each item with the unified policy. `item` is a key such as
    `ip.employee.in_service.level3.ratio_pct` (see pooling.policy.unification.compare). Money is in
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
        User,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("导入时间"), auto_now=True)

    class Meta:
        verbose_name = _("统筹前县级待遇参数")
        verbose_name_plural = _("统筹前县级待遇参数")
        ordering = ["county", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "item"], name="one_baseline_value_per_county_item"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_fen__isnull=True) ^ models.Q(number__isnull=True),
                name="baseline_item_is_money_or_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.item}"
