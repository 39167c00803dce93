"""Moves inside the city (关系转移接续): the receiving county asks, the sending county releases.

Knowing someone's ID number is not enough to take their record. The receiving county
opens the transfer with its ground (an employee's new employer registered there, or a
resident's new address there) and sees only what the request needs. The sending county
then confirms the release (转出确认), which completes the move, or objects with a reason.
If it does neither within `settings.TRANSFER_RELEASE_WORKING_DAYS` working days, the daily
job (TRANSFERS_JOB) completes it. The receiving county may withdraw its request, saying
why. Every step is a save of the audited Transfer row, by whoever did it.
"""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrollment.models import Employer, Person, Transfer, TransferStatus
from enrollment.services.common import require_county
from enrollment.services.locks import lock_people, lock_person
from enrollment.services.transfer_move import (
    PERSON_DEAD,
    check_ground,
    check_month,
    move,
    open_enrolments,
)
from pooling.kernel.codes import check_id_number
from pooling.kernel.dates import add_working_days, first_of_month
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.integrity import unique_clash
from pooling.kernel.permissions import Actor, can, require, staff_user
from pooling.kernel.scoping import unrestricted
from pooling.models import Region

log = logging.getLogger(__name__)

UNKNOWN_PERSON = _("全市未找到身份证号码为 %(id)s 的参保人员，请先办理参保登记")
ALREADY_THERE = _("该人员已在%(county)s，无需转移")
PENDING_EXISTS = _("该人员已有一笔待办结的转移申请")
ONLY_RECEIVER_REQUESTS = _(
    "转移申请由转入地经办单位受理：只能申请转入本经办单位（转出地办理转出确认）"
)
ONLY_SENDER_RELEASES = _("转出确认或异议只能由转出地经办单位（%(county)s）办理")
ONLY_RECEIVER_CANCELS = _("转移申请只能由转入地经办单位（%(county)s）撤销；转出地请提出异议")
NOT_PENDING = _("该转移申请已%(status)s，不能再办理")
SELF_RELEASE = _("转移申请人不能自己办理转出确认，须由转出地另一经办人员确认")
REASON_REQUIRED = _("请填写%(what)s")
UNIT_NOT_COUNTY = _("请选择县级经办单位")


def release_deadline(day: date) -> date:
    """The last day the sending county has to release or object, for a request made on `day`."""
    return add_working_days(day, settings.TRANSFER_RELEASE_WORKING_DAYS)


@transaction.atomic
def transfer_request(
    *,
    id_number: str,
    to_county: Region,
    effective_month: date,
    reason: str = "",
    new_employer: Employer | None = None,
    new_address: str = "",
    actor: Actor,
) -> Transfer:
    """Open a transfer of the person with this ID number into `to_county` (the caller's).

    The person is found city-wide; nothing about them is returned beyond the transfer.
    """
    require(actor, "transfer.request")
    facts = check_id_number(id_number)
    if not to_county.is_handling_unit:
        raise BusinessRuleError(UNIT_NOT_COUNTY, code="unit", field="to_county")
    if not can(actor, "transfer.request", county=to_county.pk):
        raise PermissionDenied(ONLY_RECEIVER_REQUESTS)
    require_county(to_county.pk)
    with unrestricted():  # the receiving clerk cannot see the person yet
        person = Person.objects.filter(id_number=facts.id_number).first()
        if person is None:
            raise BusinessRuleError(
                UNKNOWN_PERSON,
                code="unknown_person",
                field="id_number",
                params={"id": facts.id_number},
            )
        lock_person(person)
        if person.died_on:
            raise BusinessRuleError(PERSON_DEAD, code="dead", field="id_number")
        if person.county_id == to_county.pk:
            raise BusinessRuleError(
                ALREADY_THERE,
                code="already_there",
                field="to_county",
                params={"county": to_county.name},
            )
        _check_none_pending(person)
        transfer = Transfer(
            person=person,
            from_county_id=person.county_id,
            to_county=to_county,
            effective_month=first_of_month(effective_month),
            reason=reason.strip(),
            new_employer=new_employer,
            new_address=new_address.strip(),
            release_due=release_deadline(timezone.localdate()),
            requested_by=staff_user(actor),
        )
        open_rows = open_enrolments(person)
        check_ground(transfer, open_rows)
        for old in open_rows:
            check_month(transfer, old)
        if new_employer is not None and not any(e.scheme == "employee" for e in open_rows):
            transfer.new_employer = None  # a resident's ground is the address alone
    with unique_clash(lambda: _check_none_pending(person)):
        transfer.save()  # checked against the caller's scope: to_county is theirs
    return transfer


def _check_none_pending(person: Person) -> None:
    with unrestricted():
        pending = Transfer.objects.filter(person=person, status=TransferStatus.PENDING).exists()
    if pending:
        raise BusinessRuleError(PENDING_EXISTS, code="pending_exists", field="id_number")


def _locked_pending(transfer: Transfer) -> Transfer:
    """The transfer's row, locked after its person's (the one order of locks), still pending."""
    lock_people([transfer.person_id])
    with unrestricted():
        transfer = (
            Transfer.objects.select_for_update()
            .select_related("to_county", "from_county")
            .get(pk=transfer.pk)
        )
    if transfer.status != TransferStatus.PENDING:
        raise BusinessRuleError(
            NOT_PENDING, code="not_pending", params={"status": transfer.get_status_display()}
        )
    return transfer


def _as_sender(transfer: Transfer, actor: Actor) -> None:
    require(actor, "transfer.release")
    if not can(actor, "transfer.release", county=transfer.from_county_id):
        raise PermissionDenied(ONLY_SENDER_RELEASES % {"county": transfer.from_county.name})
    require_county(transfer.from_county_id)


def _reason(text: str, what: object) -> str:
    if not text.strip():
        raise BusinessRuleError(
            REASON_REQUIRED, code="reason_required", field="reason", params={"what": what}
        )
    return text.strip()


@transaction.atomic
def transfer_release(*, transfer: Transfer, actor: Actor) -> Transfer:
    """转出确认 by the sending county: the person moves now."""
    _as_sender(transfer, actor)
    transfer = _locked_pending(transfer)
    user = staff_user(actor)
    if user is not None and transfer.requested_by_id == user.pk:
        raise BusinessRuleError(SELF_RELEASE, code="self_release")
    return _complete(transfer, actor=actor, by_deadline=False)


def _complete(transfer: Transfer, *, actor: Actor, by_deadline: bool) -> Transfer:
    move(transfer, actor=actor)
    now, user = timezone.now(), staff_user(actor)
    transfer.status = TransferStatus.COMPLETED
    transfer.released_at, transfer.released_by, transfer.released_by_deadline = (
        now,
        user,
        by_deadline,
    )
    transfer.completed_at, transfer.completed_by = now, user
    with unrestricted():
        transfer.save(
            update_fields=[
                "status",
                "released_at",
                "released_by",
                "released_by_deadline",
                "completed_at",
                "completed_by",
            ]
        )
    return transfer


@transaction.atomic
def transfer_object(*, transfer: Transfer, reason: str, actor: Actor) -> Transfer:
    """The sending county refuses the release, saying why; the transfer ends there."""
    _as_sender(transfer, actor)
    reason = _reason(reason, _("异议理由"))
    transfer = _locked_pending(transfer)
    transfer.status, transfer.objection = TransferStatus.OBJECTED, reason
    transfer.objected_at, transfer.objected_by = timezone.now(), staff_user(actor)
    transfer.save(update_fields=["status", "objection", "objected_at", "objected_by"])
    return transfer


@transaction.atomic
def transfer_cancel(*, transfer: Transfer, reason: str, actor: Actor) -> Transfer:
    """The receiving county withdraws its pending request, saying why."""
    require(actor, "transfer.request")
    if not can(actor, "transfer.request", county=transfer.to_county_id):
        raise PermissionDenied(ONLY_RECEIVER_CANCELS % {"county": transfer.to_county.name})
    require_county(transfer.to_county_id)
    reason = _reason(reason, _("撤销原因"))
    transfer = _locked_pending(transfer)
    transfer.status, transfer.cancel_reason = TransferStatus.CANCELLED, reason
    transfer.cancelled_at, transfer.cancelled_by = timezone.now(), staff_user(actor)
    transfer.save(update_fields=["status", "cancel_reason", "cancelled_at", "cancelled_by"])
    return transfer


def transfers_complete_due(*, on: date, actor: Actor) -> list[int]:
    """Complete every pending transfer whose release deadline ended before `on` (daily job).

    Each in its own transaction: one that a rule now refuses (say the sending county has
    since declared the effective month) stays pending on both to-do lists, overdue, and
    the others still complete. Idempotent: a completed transfer is no longer pending.
    """
    require(actor, "transfer.release")
    with unrestricted():
        due = list(
            Transfer.objects.filter(status=TransferStatus.PENDING, release_due__lt=on)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    done = []
    for pk in due:
        try:
            with transaction.atomic():
                transfer = _locked_pending(Transfer(pk=pk, person_id=_person_of(pk)))
                if transfer.release_due is not None and transfer.release_due < on:
                    _complete(transfer, actor=actor, by_deadline=True)
                    done.append(pk)
        except BusinessRuleError as exc:
            log.warning("transfer %s past its deadline not completed: %s", pk, exc)
    return done


def _person_of(pk: int) -> int:
    with unrestricted():
        return Transfer.objects.values_list("person_id", flat=True).get(pk=pk)
