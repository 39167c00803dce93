"""Breaches of the agreement (违约): finding, money to recover, deduction, agreement action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from pooling.kernel.dates import first_of_month
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import Actor, require, staff_user
from providers.choices import Initiator, ViolationAction
from providers.models import Provider, Violation
from providers.services.lifecycle import transition

FINDING_REQUIRED = _("须填写查实情况")
NEGATIVE_AMOUNT = _("追回金额和扣减金额不能为负数")
DEDUCT_MONTH_EARLY = _("扣款月份不能早于查实日期所在月份")


@dataclass(frozen=True)
class ViolationSpec:
    kind: str
    found_on: date
    finding: str
    recover_fen: int
    deduct_fen: int
    deduction_month: date
    action: str = ViolationAction.NONE


@transaction.atomic
def violation_record(*, actor: Actor, provider_id: int, spec: ViolationSpec) -> Violation:
    """Record a violation; a suspension or termination goes through the lifecycle (and its rules)."""
    require(actor, "provider.violation")
    provider = Provider.objects.get(pk=provider_id)
    if not spec.finding.strip():
        raise BusinessRuleError(FINDING_REQUIRED, code="finding", field="finding")
    if spec.recover_fen < 0 or spec.deduct_fen < 0:
        raise BusinessRuleError(NEGATIVE_AMOUNT, code="amount", field="deduct_fen")
    month = first_of_month(spec.deduction_month)
    if month < first_of_month(spec.found_on):
        raise BusinessRuleError(DEDUCT_MONTH_EARLY, code="deduction_month", field="deduction_month")
    violation = Violation(
        provider=provider,
        kind=spec.kind,
        found_on=spec.found_on,
        finding=spec.finding.strip(),
        recover_fen=spec.recover_fen,
        deduct_fen=spec.deduct_fen,
        deduction_month=month,
        action=spec.action,
        created_by=staff_user(actor),
    )
    violation.full_clean()
    violation.save()
    if spec.action in (ViolationAction.SUSPEND, ViolationAction.TERMINATE):
        transition(
            provider_id=provider.pk,
            action=str(spec.action),
            actor=actor,
            on=spec.found_on,
            reason=f"违约处理：{violation.get_kind_display()}。{violation.finding}",
            params={"initiator": Initiator.AGENCY, "violation": violation.pk},
        )
    return violation
