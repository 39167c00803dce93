"""Cancelling or reversing a settlement (2208/2305, 2601, or a clerk): a new, negative row.

The original is never edited. The reversal belongs to the month it is made in, so a
settlement from a month the cycle has closed is taken back in the current month (the
provider's statement shows the deduction there). It restores the accumulators and the
personal account by exactly what the original moved, once: the database holds one
reversal per settlement (`SettlementReversal`), taken under the person's row lock.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import Actor, require, staff_user
from pooling.kernel.scoping import unrestricted
from settlement.models import (
    FeeDetail,
    Settlement,
    SettlementKind,
    SettlementReversal,
    Visit,
    VisitStatus,
)
from settlement.partitioning import month_key
from settlement.services import account
from settlement.services.accumulators import accumulators_add
from settlement.services.engine import lock_person

ALREADY_REVERSED = _("结算 %(setl_id)s 已撤销，不能再次撤销")
NOT_A_SETTLEMENT = _("%(setl_id)s 是一笔撤销记录，不能再撤销")
REASON_REQUIRED = _("请填写撤销原因")

AMOUNTS = (
    "medfee_sumamt",
    "fulamt_ownpay_amt",
    "overlmt_selfpay",
    "preselfpay_amt",
    "inscp_scp_amt",
    "act_pay_dedc",
    "hifp_pay",
    "hifmi_pay",
    "hifob_pay",
    "fund_pay_sumamt",
    "acct_pay",
    "psn_cash_pay",
    "over_cap_fen",
    "copay_fen",
    "critical_base_fen",
    "admission",
)


@transaction.atomic
def settlement_reverse(
    *,
    settlement: Settlement,
    reason: str,
    actor: Actor,
    msgid: str = "",
    operator: str = "",
    when: datetime | None = None,
) -> Settlement:
    """Reverse a settlement: a negative copy in the current month, accumulators and account restored."""
    require(actor, "settlement.reverse")
    if not reason.strip():
        raise BusinessRuleError(REASON_REQUIRED, code="reason", field="reason")
    person = lock_person(settlement.person_id)
    original = Settlement.objects.get(month=settlement.month, pk=settlement.pk)
    if original.kind != SettlementKind.SETTLE:
        raise BusinessRuleError(
            NOT_A_SETTLEMENT,
            code="not_a_settlement",
            field="setl_id",
            params={"setl_id": original.setl_id},
        )
    if SettlementReversal.objects.filter(original_id=original.pk).exists():
        raise BusinessRuleError(
            ALREADY_REVERSED,
            code="already_reversed",
            field="setl_id",
            params={"setl_id": original.setl_id},
        )
    moment = when or timezone.now()
    row = Settlement(
        **{
            f.attname: getattr(original, f.attname)
            for f in Settlement._meta.concrete_fields
            if not f.primary_key
        }
    )
    for name in AMOUNTS:
        setattr(row, name, -getattr(original, name))
    row.kind, row.month, row.setl_time = (
        SettlementKind.REVERSE,
        month_key(timezone.localtime(moment).date()),
        moment,
    )
    row.reverses_id, row.reverses_month = original.pk, original.month
    row.msgid, row.reason, row.operator = msgid, reason.strip()[:200], operator
    row.created_by = staff_user(actor)
    row.balc = (
        account.balance(person=person) + original.acct_pay if original.acct_pay else original.balc
    )
    row.detail = {"reverses": original.setl_id, "reason": row.reason}
    row.save()
    try:
        with transaction.atomic():
            SettlementReversal.objects.create(
                original_id=original.pk,
                original_month=original.month,
                reversal_id=row.pk,
                reversal_month=row.month,
            )
    except IntegrityError:  # only if someone bypassed the person lock; the database still says no
        raise BusinessRuleError(
            ALREADY_REVERSED,
            code="already_reversed",
            field="setl_id",
            params={"setl_id": original.setl_id},
        ) from None
    with unrestricted():
        if original.acct_pay:
            account.refund(
                person=person,
                amount_fen=original.acct_pay,
                month=row.month,
                key=f"setl-reverse:{original.setl_id}",
                memo=f"撤销结算 {original.setl_id}",
                actor=actor,
            )
        accumulators_add(row=row, sign=1)
        if original.visit_id is not None:
            _reopen_visit(original)
    return row


def _reopen_visit(original: Settlement) -> None:
    """The visit's fees may be corrected and settled again."""
    FeeDetail.objects.filter(
        month=original.visit_month, visit_id=original.visit_id, settlement_id=original.pk
    ).update(settlement_id=None)
    visit = Visit.objects.filter(month=original.visit_month, pk=original.visit_id).first()
    if visit is not None and visit.status == VisitStatus.SETTLED:
        visit.status = VisitStatus.DISCHARGED if visit.inpatient else VisitStatus.OPEN
        visit.save(update_fields=["status"])


def settlement_reversed_by(*, settlement: Settlement) -> Settlement | None:
    link = SettlementReversal.objects.filter(original_id=settlement.pk).first()
    if link is None:
        return None
    return Settlement.objects.filter(month=link.reversal_month, pk=link.reversal_id).first()
