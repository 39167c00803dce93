"""Moves inside the city (关系自动接续): one continuous history across counties.

Either county may open a transfer (the receiving clerk knows only the ID number);
both see it; only the receiving county (or a city role) completes it. Completion
ends each open enrolment with the month before the effective month and continues it
in the new county from that month — no gap, and no month can be declared twice
because declaration lines are unique per person, scheme and month city-wide.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrollment.models import (
    DeclarationLine,
    Employer,
    EmployerStatus,
    Enrolment,
    EnrolmentStatus,
    Person,
    Transfer,
    TransferStatus,
)
from enrollment.services.accounts import account_transfer_in, account_transfer_out
from enrollment.services.common import require_county
from enrollment.services.locks import lock_people, lock_person
from pooling.kernel.choices import Scheme
from pooling.kernel.codes import check_id_number
from pooling.kernel.dates import add_months, first_of_month
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.integrity import unique_clash
from pooling.kernel.permissions import Actor, can, require, staff_user
from pooling.kernel.scoping import current_scope, unrestricted
from pooling.models import Region

UNKNOWN_PERSON = _("全市未找到身份证号码为 %(id)s 的参保人员，请先办理参保登记")
ALREADY_THERE = _("该人员已在%(county)s，无需转移")
PENDING_EXISTS = _("该人员已有一笔待办结的转移申请")
NOT_YOUR_TRANSFER = _("只能为本经办单位转入或转出的人员办理转移")
ONLY_RECEIVER_COMPLETES = _("转移只能由转入地经办单位（%(county)s）办结")
NOT_PENDING = _("该转移申请已%(status)s，不能再办理")
MONTH_TOO_EARLY = _("转入起始月 %(month)s 须晚于原参保起始月 %(start)s")
DECLARED_AFTER = _("转出地已申报 %(month)s 的缴费，转入起始月须晚于该月")
NEW_EMPLOYER_REQUIRED = _("职工医保人员转入须选择转入地的参保单位")
NEW_EMPLOYER_WRONG_COUNTY = _("转入地参保单位须属于%(county)s")
NEW_EMPLOYER_INACTIVE = _("转入地参保单位状态为“%(status)s”")
PERSON_DEAD = _("该人员已登记死亡，不能办理转移")
ALREADY_ACTIVE = _("该人员已有另一条参保缴费状态的参保记录，请先核对后再办结转移")
UNIT_NOT_COUNTY = _("请选择县级经办单位")


@transaction.atomic
def transfer_request(*, id_number: str, to_county: Region, effective_month: date, reason: str = "",
                     actor: Actor) -> Transfer:
    """Open a transfer of the person with this ID number into `to_county`.

    The person is found city-wide; the caller must work in the sending or receiving
    county. Nothing about the person is returned beyond the transfer itself.
    """
    require(actor, "transfer.request")
    facts = check_id_number(id_number)
    if not to_county.is_handling_unit:
        raise BusinessRuleError(UNIT_NOT_COUNTY, code="unit", field="to_county")
    with unrestricted():  # the receiving clerk cannot see the person yet
        person = Person.objects.filter(id_number=facts.id_number).first()
        if person is None:
            raise BusinessRuleError(UNKNOWN_PERSON, code="unknown_person", field="id_number",
                                    params={"id": facts.id_number})
        lock_person(person)
        if person.died_on:
            raise BusinessRuleError(PERSON_DEAD, code="dead", field="id_number")
        if person.county_id == to_county.pk:
            raise BusinessRuleError(ALREADY_THERE, code="already_there", field="to_county",
                                    params={"county": to_county.name})
        scope = current_scope()
        if not (scope.allows(person.county_id) or scope.allows(to_county.pk)) or not (
                can(actor, "transfer.request", county=person.county_id)
                or can(actor, "transfer.request", county=to_county.pk)):
            raise PermissionDenied(NOT_YOUR_TRANSFER)
        _check_none_pending(person)
        transfer = Transfer(person=person, from_county_id=person.county_id, to_county=to_county,
                            effective_month=first_of_month(effective_month), reason=reason.strip(),
                            requested_by=staff_user(actor))
    with unique_clash(lambda: _check_none_pending(person)):
        transfer.save()  # checked against the caller's scope: from or to must be theirs
    return transfer


def _check_none_pending(person: Person) -> None:
    with unrestricted():
        pending = Transfer.objects.filter(person=person, status=TransferStatus.PENDING).exists()
    if pending:
        raise BusinessRuleError(PENDING_EXISTS, code="pending_exists", field="id_number")


def _check_new_employer(transfer: Transfer, employer: Employer | None) -> None:
    if employer is None:
        raise BusinessRuleError(NEW_EMPLOYER_REQUIRED, code="employer_required", field="new_employer")
    if employer.county_id != transfer.to_county_id:
        raise BusinessRuleError(NEW_EMPLOYER_WRONG_COUNTY, code="employer_county", field="new_employer",
                                params={"county": transfer.to_county.name})
    if employer.status != EmployerStatus.ACTIVE:
        raise BusinessRuleError(NEW_EMPLOYER_INACTIVE, code="employer_inactive", field="new_employer",
                                params={"status": employer.get_status_display()})


def _continue(old: Enrolment, *, transfer: Transfer, employer: Employer | None, actor: Actor) -> Enrolment:
    month = transfer.effective_month
    if month <= old.start_month:
        raise BusinessRuleError(MONTH_TOO_EARLY, code="month_too_early", field="effective_month",
                                params={"month": f"{month:%Y-%m}", "start": f"{old.start_month:%Y-%m}"})
    last = DeclarationLine.objects.filter(enrolment=old).order_by("-month").values_list("month", flat=True).first()
    if last is not None and last >= month:
        raise BusinessRuleError(DECLARED_AFTER, code="declared_after", field="effective_month",
                                params={"month": f"{last:%Y-%m}"})
    status = old.status
    old.status, old.end_month = EnrolmentStatus.ENDED, add_months(month, -1)
    old.save(update_fields=["status", "end_month"])
    new = Enrolment(county_id=transfer.to_county_id, person=old.person, scheme=old.scheme,
                    employer=employer if old.scheme == Scheme.EMPLOYEE else None,
                    start_month=month, end_month=None, status=status, waiting_months=0,
                    # Continuous cover: benefits already earned carry over, no new waiting.
                    benefits_from=old.benefits_from if old.benefits_from and old.benefits_from > month else month,
                    continues=old, created_by=staff_user(actor))
    new.full_clean(validate_constraints=False)
    with unique_clash(BusinessRuleError(ALREADY_ACTIVE, code="already_active")):
        new.save()
    return new


@transaction.atomic
def transfer_complete(*, transfer: Transfer, new_employer: Employer | None = None,
                      actor: Actor) -> Transfer:
    """Complete a pending transfer (receiving county only): move the person, continue each
    open enrolment from the effective month, and move the personal account's balance."""
    require(actor, "transfer.complete", county=transfer.to_county_id)
    transfer = _locked(transfer)
    if transfer.status != TransferStatus.PENDING:
        raise BusinessRuleError(NOT_PENDING, code="not_pending", params={"status": transfer.get_status_display()})
    scope = current_scope()
    if scope.read_only or not (scope.all_regions or scope.allows(transfer.to_county_id)):
        raise PermissionDenied(ONLY_RECEIVER_COMPLETES % {"county": transfer.to_county.name})
    require_county(transfer.to_county_id)
    # The one write across counties: the sending county's rows end here, checked above.
    with unrestricted():
        person = Person.objects.get(pk=transfer.person_id)  # locked already by _locked
        if person.died_on:
            raise BusinessRuleError(PERSON_DEAD, code="dead")
        open_rows = list(Enrolment.objects.select_for_update().filter(
            person=person, status__in=[EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED]))
        if any(e.scheme == Scheme.EMPLOYEE for e in open_rows):
            _check_new_employer(transfer, new_employer)
        for old in open_rows:
            _continue(old, transfer=transfer, employer=new_employer, actor=actor)
        # The account's balance leaves the old county with the person and arrives in the new.
        moved = account_transfer_out(person=person, transfer_id=transfer.pk, month=transfer.effective_month,
                                     actor=actor)
        person.county_id = transfer.to_county_id
        person.save(update_fields=["county"])
        account_transfer_in(person=person, transfer_id=transfer.pk, month=transfer.effective_month,
                            amount_fen=moved, actor=actor)
        transfer.status, transfer.completed_at, transfer.completed_by = (
            TransferStatus.COMPLETED, timezone.now(), staff_user(actor))
        transfer.new_employer = new_employer
        transfer.save(update_fields=["status", "completed_at", "completed_by", "new_employer"])
    return transfer


def _locked(transfer: Transfer) -> Transfer:
    """The transfer's row, locked after its person's (the one order of locks)."""
    lock_people([transfer.person_id])
    return Transfer.objects.select_for_update().get(pk=transfer.pk)


@transaction.atomic
def transfer_cancel(*, transfer: Transfer, actor: Actor) -> Transfer:
    """Withdraw a pending transfer (either county)."""
    if not (can(actor, "transfer.request", county=transfer.from_county_id)
            or can(actor, "transfer.request", county=transfer.to_county_id)):
        require(actor, "transfer.request", county=transfer.to_county_id)  # refuses, naming the capability
    transfer = _locked(transfer)
    if transfer.status != TransferStatus.PENDING:
        raise BusinessRuleError(NOT_PENDING, code="not_pending", params={"status": transfer.get_status_display()})
    transfer.status = TransferStatus.CANCELLED
    transfer.save(update_fields=["status"])
    return transfer
