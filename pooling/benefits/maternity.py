"""Maternity allowance (生育津贴): the employer's last-year average monthly wage ÷ 30 × leave days.

Leave days follow 国务院令619号 as configured in the policy: 98 days, +15 for a
difficult birth, +15 per extra baby; a miscarriage before 4 months 15 days, from 4
months 42 days; the province's extra days are added to a birth (not a miscarriage).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import round_fen
from pooling.policy.benefit_rules import LeaveRules

BAD_BABIES = _("胎数至少为1")


def leave_days(
    rules: LeaveRules,
    *,
    babies: int = 1,
    difficult_birth: bool = False,
    miscarriage_months: int | None = None,
) -> int:
    """Days of maternity leave the allowance is paid for."""
    if miscarriage_months is not None:
        return (
            rules.miscarriage_before_4_months
            if miscarriage_months < 4
            else rules.miscarriage_after_4_months
        )
    if babies < 1:
        raise BusinessRuleError(BAD_BABIES, code="babies", field="babies")
    days = rules.base + rules.province_extra + rules.per_extra_baby * (babies - 1)
    return days + (rules.difficult_birth_extra if difficult_birth else 0)


def allowance_fen(*, employer_avg_monthly_wage_fen: int, days: int) -> int:
    """Wage ÷ 30 × days, rounded once, half up to 分."""
    return round_fen(Decimal(employer_avg_monthly_wage_fen) * days / 30)
