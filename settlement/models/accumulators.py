"""A person's year-to-date benefit use per scheme (待遇累计), updated only under the person's row lock.

Read and written in the same transaction as the settlement that changes it, after
`SELECT … FOR UPDATE` on the person: two claims for one person settle one after the
other, so they can never pass the annual cap together. `reconcile` proves each row
equals the sum of the person's settlements of that year and scheme.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pooling.benefits.types import CareType
from pooling.kernel.choices import Scheme
from pooling.kernel.scoping import ScopedModel


class Accumulator(ScopedModel):
    scope_paths = ("person__county",)

    person = models.ForeignKey(
        "enrollment.Person", verbose_name=_("参保人"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    scheme = models.CharField(_("险种"), max_length=20)
    admissions = models.IntegerField(_("住院次数"), default=0)
    # By cap scope ("inpatient", "outpatient", "chronic:<code>", "maternity[:kind]"): fen.
    deductible_paid = models.JSONField(_("已付起付线"), default=dict)
    fund_paid = models.JSONField(_("统筹基金已支付"), default=dict)
    critical_base_fen = models.BigIntegerField(_("大病保险累计合规自付"), default=0)
    critical_paid_fen = models.BigIntegerField(_("大病保险已支付"), default=0)
    large_paid_fen = models.BigIntegerField(_("大额补充已支付"), default=0)
    settlements = models.IntegerField(_("结算笔数"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("待遇累计")
        verbose_name_plural = _("待遇累计")
        ordering = ["person_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["person", "year", "scheme"], name="accumulator_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.year} {self.scheme}"

    # The person page shows names, not the keys stored above.
    @property
    def scheme_label(self) -> str:
        return str(Scheme(self.scheme).label) if self.scheme in Scheme.values else self.scheme

    @property
    def deductible_lines(self) -> list[tuple[str, int]]:
        return scope_lines(self.deductible_paid)

    @property
    def fund_lines(self) -> list[tuple[str, int]]:
        return scope_lines(self.fund_paid)


def scope_lines(by_scope: dict[str, int]) -> list[tuple[str, int]]:
    """("chronic:M03900", fen) → ("门诊慢特病 M03900", fen): the care type named, a qualifier kept."""
    lines = []
    for key, fen in by_scope.items():
        head, _sep, rest = key.partition(":")
        name = str(CareType.LABELS.get(head, head))
        lines.append((f"{name} {rest}" if rest else name, fen))
    return lines
