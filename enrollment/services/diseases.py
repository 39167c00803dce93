"""门慢/门特 待遇认定: apply for a chronic or special outpatient disease, approve, revoke.

The disease must be on the list of the policy in force when the registration starts;
approval is the handling agency's decision and must be made by someone other than the
clerk who took the application (two people see every registration that changes what
the fund pays).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrollment.models import (
    DiseaseRegistration,
    DiseaseRegistrationStatus,
    Enrolment,
    EnrolmentStatus,
    Person,
)
from enrollment.services.common import clean_and_save
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import Actor, require, staff_user
from pooling.policy.document import policy_in_force

NOT_ON_LIST = _("病种 %(code)s 不在 %(on)s 生效政策的门诊慢特病病种目录内")
NOT_INSURED = _("%(name)s 没有参保缴费状态的参保记录，不能办理门诊慢特病认定")
BAD_PERIOD = _("有效期止不能早于有效期起")
TOO_LONG = _("门诊慢特病认定有效期不能超过 %(days)s 天")
NOT_APPLIED = _("该认定申请已%(status)s，不能再审核")
NOT_APPROVED = _("只有已认定的记录才能撤销")
SAME_PERSON = _("认定须由受理人以外的经办人员审核")
OVERLAP = _("%(name)s 已有 %(from)s 至 %(to)s 有效的「%(disease)s」认定")

MAX_DAYS = 366 * 2  # a registration is reviewed at least every two years


@transaction.atomic
def disease_registration_apply(
    *,
    person: Person,
    disease_code: str,
    valid_from: date,
    valid_to: date,
    hospital: str = "",
    evidence: str = "",
    actor: Actor,
) -> DiseaseRegistration:
    """Take an application for 门慢/门特 treatment, in the person's county."""
    require(actor, "disease.register", county=person.county_id)
    code = disease_code.strip().upper()
    if valid_to < valid_from:
        raise BusinessRuleError(BAD_PERIOD, code="period", field="valid_to")
    if (valid_to - valid_from).days > MAX_DAYS:
        raise BusinessRuleError(
            TOO_LONG, code="period_long", field="valid_to", params={"days": MAX_DAYS}
        )
    person = Person.objects.select_for_update().get(pk=person.pk)
    enrolment = Enrolment.objects.filter(person=person, status=EnrolmentStatus.ACTIVE).first()
    if enrolment is None:
        raise BusinessRuleError(NOT_INSURED, code="not_insured", params={"name": person.name})
    disease = policy_in_force(on=valid_from).benefits.disease(code)
    if disease is None:
        raise BusinessRuleError(
            NOT_ON_LIST,
            code="not_on_list",
            field="disease_code",
            params={"code": code, "on": valid_from.isoformat()},
        )
    clash = DiseaseRegistration.objects.filter(
        person=person,
        disease_code=code,
        status=DiseaseRegistrationStatus.APPROVED,
        valid_from__lte=valid_to,
        valid_to__gte=valid_from,
    ).first()
    if clash is not None:
        raise BusinessRuleError(
            OVERLAP,
            code="overlap",
            field="valid_from",
            params={
                "name": person.name,
                "from": clash.valid_from.isoformat(),
                "to": clash.valid_to.isoformat(),
                "disease": clash.disease_name,
            },
        )
    registration = DiseaseRegistration(
        county_id=person.county_id,
        person=person,
        disease_code=code,
        disease_name=disease.name,
        hospital=hospital.strip(),
        evidence=evidence.strip(),
        valid_from=valid_from,
        valid_to=valid_to,
        applied_by=staff_user(actor),
    )
    clean_and_save(registration)
    return registration


@transaction.atomic
def disease_registration_decide(
    *, registration: DiseaseRegistration, approve: bool, note: str = "", actor: Actor
) -> DiseaseRegistration:
    """Approve (认定) or refuse an application; not by the clerk who took it."""
    require(actor, "disease.register", county=registration.county_id)
    registration = DiseaseRegistration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != DiseaseRegistrationStatus.APPLIED:
        raise BusinessRuleError(
            NOT_APPLIED, code="not_applied", params={"status": registration.get_status_display()}
        )
    decider = staff_user(actor)
    if (
        decider is not None
        and registration.applied_by_id is not None
        and registration.applied_by_id == decider.pk
    ):
        raise BusinessRuleError(SAME_PERSON, code="same_person")
    registration.status = (
        DiseaseRegistrationStatus.APPROVED if approve else DiseaseRegistrationStatus.REJECTED
    )
    registration.decision_note, registration.decided_at, registration.decided_by = (
        note.strip(),
        timezone.now(),
        decider,
    )
    registration.save(update_fields=["status", "decision_note", "decided_at", "decided_by"])
    return registration


@transaction.atomic
def disease_registration_revoke(
    *, registration: DiseaseRegistration, note: str, actor: Actor
) -> DiseaseRegistration:
    """Revoke an approved registration (e.g. cured, or moved to another scheme)."""
    require(actor, "disease.register", county=registration.county_id)
    registration = DiseaseRegistration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != DiseaseRegistrationStatus.APPROVED:
        raise BusinessRuleError(NOT_APPROVED, code="not_approved")
    registration.status = DiseaseRegistrationStatus.REVOKED
    registration.decision_note = note.strip() or registration.decision_note
    registration.decided_at, registration.decided_by = timezone.now(), staff_user(actor)
    registration.save(update_fields=["status", "decision_note", "decided_at", "decided_by"])
    return registration


def disease_registration_in_force(
    *, person_id: int, disease_code: str, on: date
) -> DiseaseRegistration | None:
    """The approved registration for this disease valid on a date (settlement asks this)."""
    return (
        DiseaseRegistration.objects.filter(
            person_id=person_id,
            disease_code=disease_code.strip().upper(),
            status=DiseaseRegistrationStatus.APPROVED,
            valid_from__lte=on,
            valid_to__gte=on,
        )
        .order_by("-valid_from")
        .first()
    )
