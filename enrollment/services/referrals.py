"""Referral and out-of-city registration (转诊 / 转外就医备案): apply, decide, revoke."""

from __future__ import annotations

import re
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrollment.models import (
    Enrolment,
    EnrolmentStatus,
    Person,
    Referral,
    ReferralKind,
    ReferralStatus,
)
from enrollment.services.common import clean_and_save
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import Actor, require, staff_user

NOT_INSURED = _("%(name)s 没有参保缴费状态的参保记录，不能办理备案")
BAD_PERIOD = _("有效期止不能早于有效期起")
PERIOD_TOO_LONG = _("备案有效期不能超过 %(days)s 天")
NO_DESTINATION = _("请填写就医地或转往医院")
BAD_AREA = _("就医地行政区划代码应为 6 位数字")
BAD_KIND = _("备案类型不正确：%(value)s")
NOT_APPLIED = _("该备案已%(status)s，不能再审核")
NOT_APPROVED = _("只有已备案的记录才能撤销")
REASON_REQUIRED = _("请填写%(what)s：该记录须说明理由")

# Longest validity per kind, in days: a referral covers one episode, a long stay a year.
MAX_DAYS = {
    ReferralKind.REFERRAL: 180,
    ReferralKind.TEMPORARY: 180,
    ReferralKind.RESIDENT_ELSEWHERE: 366 * 3,
}


@transaction.atomic
def referral_apply(
    *,
    person: Person,
    kind: str,
    destination: str,
    valid_from: date,
    valid_to: date,
    destination_area_code: str = "",
    diagnosis: str = "",
    actor: Actor,
) -> Referral:
    """Register an application for a referral or out-of-city care, in the person's county."""
    require(actor, "referral.apply", county=person.county_id)
    if kind not in ReferralKind.values:
        raise BusinessRuleError(BAD_KIND, code="kind", field="kind", params={"value": kind})
    if not destination.strip():
        raise BusinessRuleError(NO_DESTINATION, code="destination", field="destination")
    if destination_area_code and not re.fullmatch(r"\d{6}", destination_area_code):
        raise BusinessRuleError(BAD_AREA, code="area", field="destination_area_code")
    if valid_to < valid_from:
        raise BusinessRuleError(BAD_PERIOD, code="period", field="valid_to")
    if (valid_to - valid_from).days > MAX_DAYS[ReferralKind(kind)]:
        raise BusinessRuleError(
            PERIOD_TOO_LONG,
            code="period_long",
            field="valid_to",
            params={"days": MAX_DAYS[ReferralKind(kind)]},
        )
    if not Enrolment.objects.filter(person=person, status=EnrolmentStatus.ACTIVE).exists():
        raise BusinessRuleError(NOT_INSURED, code="not_insured", params={"name": person.name})
    referral = Referral(
        county_id=person.county_id,
        person=person,
        kind=kind,
        destination=destination.strip(),
        destination_area_code=destination_area_code,
        diagnosis=diagnosis.strip(),
        valid_from=valid_from,
        valid_to=valid_to,
        applied_by=staff_user(actor),
    )
    clean_and_save(referral)
    return referral


@transaction.atomic
def referral_decide(*, referral: Referral, approve: bool, note: str = "", actor: Actor) -> Referral:
    """Approve (备案) or refuse an application."""
    require(actor, "referral.decide", county=referral.county_id)
    if not approve and not note.strip():  # a refusal tells the patient why
        raise BusinessRuleError(
            REASON_REQUIRED,
            code="reason_required",
            field="note",
            params={"what": _("不予备案理由")},
        )
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != ReferralStatus.APPLIED:
        raise BusinessRuleError(
            NOT_APPLIED, code="not_applied", params={"status": referral.get_status_display()}
        )
    referral.status = ReferralStatus.APPROVED if approve else ReferralStatus.REJECTED
    referral.decision_note, referral.decided_at, referral.decided_by = (
        note.strip(),
        timezone.now(),
        staff_user(actor),
    )
    referral.save(update_fields=["status", "decision_note", "decided_at", "decided_by"])
    return referral


@transaction.atomic
def referral_revoke(*, referral: Referral, note: str, actor: Actor) -> Referral:
    """Revoke an approved registration (e.g. the patient no longer goes), saying why: the
    reason replaces the approval's note on the record (the audit trail keeps both)."""
    require(actor, "referral.decide", county=referral.county_id)
    if not note.strip():
        raise BusinessRuleError(
            REASON_REQUIRED, code="reason_required", field="note", params={"what": _("撤销理由")}
        )
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != ReferralStatus.APPROVED:
        raise BusinessRuleError(NOT_APPROVED, code="not_approved")
    referral.status, referral.decision_note = ReferralStatus.REVOKED, note.strip()
    referral.decided_at, referral.decided_by = timezone.now(), staff_user(actor)
    referral.save(update_fields=["status", "decision_note", "decided_at", "decided_by"])
    return referral
