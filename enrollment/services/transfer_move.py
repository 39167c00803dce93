"""The move itself (关系自动接续), once both counties have agreed: one continuous history.

Each open enrolment ends with the month before the effective month and continues in the
new county from that month — no gap, and no month can be declared twice because
declaration lines are unique per person, scheme and month city-wide. The personal
account's balance moves with the person. Callers (`transfers.transfer_release`, the
deadline job) have checked who may do it and locked the person and the transfer.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from enrollment.models import (
    DeclarationLine,
    Employer,
    EmployerStatus,
    Enrolment,
    EnrolmentStatus,
    Person,
    Transfer,
)
from enrollment.services.accounts import account_transfer_in, account_transfer_out
from pooling.kernel.choices import Scheme
from pooling.kernel.dates import add_months
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.integrity import unique_clash
from pooling.kernel.permissions import Actor, staff_user
from pooling.kernel.scoping import unrestricted

MONTH_TOO_EARLY = _("转入起始月 %(month)s 须晚于原参保起始月 %(start)s")
DECLARED_AFTER = _("转出地已申报 %(month)s 的缴费，转入起始月须晚于该月")
NEW_EMPLOYER_REQUIRED = _("职工医保人员转入须选择转入地的参保单位（转移依据）")
NEW_EMPLOYER_WRONG_COUNTY = _("转入地参保单位须属于%(county)s")
NEW_EMPLOYER_INACTIVE = _("转入地参保单位状态为“%(status)s”")
NEW_ADDRESS_REQUIRED = _("居民医保人员转入须填写在转入地的居住地址（转移依据）")
PERSON_DEAD = _("该人员已登记死亡，不能办理转移")
MOVED_TO = _("市内转移至%(county)s")
ALREADY_ACTIVE = _("该人员已有另一条参保缴费状态的参保记录，请先核对后再办结转移")


def open_enrolments(person: Person, *, lock: bool = False) -> list[Enrolment]:
    with unrestricted():
        rows = Enrolment.objects.filter(
            person=person, status__in=[EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED]
        )
        return list(rows.select_for_update() if lock else rows)


def check_ground(transfer: Transfer, open_rows: list[Enrolment]) -> None:
    """The transfer's ground: an employee moves to an employer registered in the receiving
    county; anyone else to a new address there."""
    if any(e.scheme == Scheme.EMPLOYEE for e in open_rows):
        _check_new_employer(transfer, transfer.new_employer)
    elif not transfer.new_address.strip():
        raise BusinessRuleError(NEW_ADDRESS_REQUIRED, code="address_required", field="new_address")


def _check_new_employer(transfer: Transfer, employer: Employer | None) -> None:
    if employer is None:
        raise BusinessRuleError(
            NEW_EMPLOYER_REQUIRED, code="employer_required", field="new_employer"
        )
    if employer.county_id != transfer.to_county_id:
        raise BusinessRuleError(
            NEW_EMPLOYER_WRONG_COUNTY,
            code="employer_county",
            field="new_employer",
            params={"county": transfer.to_county.name},
        )
    if employer.status != EmployerStatus.ACTIVE:
        raise BusinessRuleError(
            NEW_EMPLOYER_INACTIVE,
            code="employer_inactive",
            field="new_employer",
            params={"status": employer.get_status_display()},
        )


def check_month(transfer: Transfer, old: Enrolment) -> None:
    month = transfer.effective_month
    if month <= old.start_month:
        raise BusinessRuleError(
            MONTH_TOO_EARLY,
            code="month_too_early",
            field="effective_month",
            params={"month": f"{month:%Y-%m}", "start": f"{old.start_month:%Y-%m}"},
        )
    with unrestricted():
        last = (
            DeclarationLine.objects.filter(enrolment=old)
            .order_by("-month")
            .values_list("month", flat=True)
            .first()
        )
    if last is not None and last >= month:
        raise BusinessRuleError(
            DECLARED_AFTER,
            code="declared_after",
            field="effective_month",
            params={"month": f"{last:%Y-%m}"},
        )


def _continue(old: Enrolment, *, transfer: Transfer, actor: Actor) -> Enrolment:
    month = transfer.effective_month
    check_month(transfer, old)
    status = old.status
    old.status, old.end_month = EnrolmentStatus.ENDED, add_months(month, -1)
    old.status_reason = str(MOVED_TO) % {"county": transfer.to_county.name}
    old.save(update_fields=["status", "end_month", "status_reason"])
    new = Enrolment(
        county_id=transfer.to_county_id,
        person=old.person,
        scheme=old.scheme,
        employer=transfer.new_employer if old.scheme == Scheme.EMPLOYEE else None,
        start_month=month,
        end_month=None,
        status=status,
        waiting_months=0,
        # Continuous cover: benefits already earned carry over, no new waiting.
        benefits_from=old.benefits_from
        if old.benefits_from and old.benefits_from > month
        else month,
        continues=old,
        created_by=staff_user(actor),
    )
    new.full_clean(validate_constraints=False)
    with unique_clash(BusinessRuleError(ALREADY_ACTIVE, code="already_active")):
        new.save()
    return new


def move(transfer: Transfer, *, actor: Actor) -> None:
    """Move the person of a locked, agreed transfer into the receiving county.

    The one write across counties: the sending county's rows end here and the receiving
    county's begin, so it runs unrestricted; the callers have checked who may do it.
    """
    with unrestricted():
        person = Person.objects.get(pk=transfer.person_id)  # locked already by the caller
        if person.died_on:
            raise BusinessRuleError(PERSON_DEAD, code="dead")
        open_rows = open_enrolments(person, lock=True)
        check_ground(transfer, open_rows)
        for old in open_rows:
            _continue(old, transfer=transfer, actor=actor)
        # The account's balance leaves the old county with the person and arrives in the new.
        moved = account_transfer_out(
            person=person, transfer_id=transfer.pk, month=transfer.effective_month, actor=actor
        )
        person.county_id = transfer.to_county_id
        if transfer.new_address.strip():
            person.address = transfer.new_address.strip()
        person.save(update_fields=["county", "address"])
        account_transfer_in(
            person=person,
            transfer_id=transfer.pk,
            month=transfer.effective_month,
            amount_fen=moved,
            actor=actor,
        )
