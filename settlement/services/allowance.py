"""生育津贴: the maternity allowance, claimed like a reimbursement.

Eligible: an insured female employee whose employer paid her maternity contributions for
the months the policy requires before the birth (declared and paid in full). The amount is
the employer's last-year average monthly wage — taken from its declarations of the last
calendar year (the sum of the declared bases over the person-months declared), never typed
in — ÷ 30 × the leave days of the policy in force on the date of birth. It is paid to the
employer or to the person as the policy says. Approval by a second clerk makes it payable;
the monthly cycle pays it from the maternity book.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrollment.models import DeclarationLine, DeclarationStatus, Enrolment, Person
from pooling.benefits.maternity import allowance_fen, leave_days
from pooling.kernel.dates import add_months, first_of_month
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import round_fen
from pooling.kernel.permissions import Actor, require, staff_user
from pooling.kernel.scoping import unrestricted
from pooling.policy.document import policy_in_force
from settlement.models import AllowancePayee, ClaimStatus, MaternityAllowance, MaternityEvent
from settlement.services.eligibility import check_not_future
from settlement.services.engine import lock_person

NOT_FEMALE = _("生育津贴只能由女职工本人申领（%(name)s）")
NOT_EMPLOYEE = _("%(name)s 在 %(on)s 没有有效的职工医保参保记录，不能申领生育津贴")
NOT_PAID = _(
    "用人单位 %(employer)s 未按规定为 %(name)s 足额缴纳 %(months)s 前 %(n)s 个月的生育保险费（缺 %(missing)s）"
)
NO_WAGES = _("用人单位 %(employer)s 在 %(year)s 年没有申报工资记录，无法计算上年度职工月平均工资")
BAD_EVENT = _("生育类型不正确：%(value)s")
NOT_ENTERED = _("该生育津贴已%(status)s，不能再审核")
SAME_PERSON = _("审核须由受理人以外的经办人员办理")
ALREADY = _("%(name)s 在 %(on)s 的生育津贴已申领")

# Until the policy document carries them (maternity.allowance), the common practice.
DEFAULT_PAID_MONTHS = 12
DEFAULT_PAYEE = AllowancePayee.EMPLOYER


@dataclass(frozen=True)
class AllowanceTerms:
    employer_id: int
    leave_days: int
    average_wage_fen: int
    wage_basis: str
    amount_fen: int
    payee: str
    policy_code: str


def allowance_terms(
    *, person: Person, event: str, event_on: date, difficult_birth: bool = False, babies: int = 1
) -> AllowanceTerms:
    """Who pays the allowance to whom, how many days, on what wage — or why not."""
    if event not in MaternityEvent.values:
        raise BusinessRuleError(BAD_EVENT, code="event", field="event", params={"value": event})
    check_not_future(event_on, field="event_on")
    if person.sex != "F":
        raise BusinessRuleError(NOT_FEMALE, code="not_female", params={"name": person.name})
    with unrestricted():
        enrolment = (
            Enrolment.objects.filter(
                person=person, scheme="employee", start_month__lte=event_on, employer__isnull=False
            )
            .exclude(end_month__lt=first_of_month(event_on))
            .select_related("employer")
            .order_by("-start_month")
            .first()
        )
    if enrolment is None or enrolment.employer is None:
        raise BusinessRuleError(
            NOT_EMPLOYEE,
            code="not_employee",
            params={"name": person.name, "on": event_on.isoformat()},
        )
    employer = enrolment.employer
    policy = policy_in_force(on=event_on)
    _check_paid(person, employer, event_on, DEFAULT_PAID_MONTHS)
    average, basis = _average_wage(employer, event_on.year - 1)
    rules = policy.benefits
    months = (
        None
        if event == MaternityEvent.BIRTH
        else (3 if event == MaternityEvent.MISCARRIAGE_EARLY else 4)
    )
    days = leave_days(
        rules.leave, babies=babies, difficult_birth=difficult_birth, miscarriage_months=months
    )
    return AllowanceTerms(
        employer_id=employer.pk,
        leave_days=days,
        average_wage_fen=average,
        wage_basis=basis,
        amount_fen=allowance_fen(employer_avg_monthly_wage_fen=average, days=days),
        payee=DEFAULT_PAYEE,
        policy_code=policy.code,
    )


def _months_before(on: date, n: int) -> list[date]:
    return [add_months(first_of_month(on), -k) for k in range(n, 0, -1)]


def _check_paid(person: Person, employer: Any, on: date, n: int) -> None:
    months = _months_before(on, n)
    with unrestricted():
        paid = set(
            DeclarationLine.objects.filter(
                person=person,
                declaration__employer=employer,
                month__in=months,
                maternity_fen__gt=0,
                declaration__status=DeclarationStatus.PAID,
            ).values_list("month", flat=True)
        )
    missing = [m for m in months if m not in paid]
    if missing:
        raise BusinessRuleError(
            NOT_PAID,
            code="not_paid",
            params={
                "employer": employer.name,
                "name": person.name,
                "months": f"{on:%Y-%m}",
                "n": n,
                "missing": "、".join(f"{m:%Y-%m}" for m in missing[:6])
                + ("…" if len(missing) > 6 else ""),
            },
        )


def _average_wage(employer: Any, year: int) -> tuple[int, str]:
    with unrestricted():
        agg = DeclarationLine.objects.filter(
            declaration__employer=employer, month__year=year
        ).aggregate(total=Sum("declared_base_fen"), months=Count("id"))
    if not agg["months"]:
        raise BusinessRuleError(
            NO_WAGES, code="no_wages", params={"employer": employer.name, "year": year}
        )
    average = round_fen(Decimal(agg["total"]) / agg["months"])
    return (
        average,
        f"{year} 年申报工资合计 {Decimal(agg['total']) / 100:.2f} 元 ÷ {agg['months']} 人月",
    )


@transaction.atomic
def allowance_enter(
    *,
    person: Person,
    event: str,
    event_on: date,
    actor: Actor,
    difficult_birth: bool = False,
    babies: int = 1,
) -> MaternityAllowance:
    """Take a 生育津贴 claim: the amount decided now from the employer's wages; a second clerk decides."""
    require(actor, "allowance.enter", county=person.county_id)
    person = lock_person(person.pk)
    terms = allowance_terms(
        person=person,
        event=event,
        event_on=event_on,
        difficult_birth=difficult_birth,
        babies=babies,
    )
    if (
        MaternityAllowance.objects.filter(person=person, event_on=event_on)
        .exclude(status=ClaimStatus.REJECTED)
        .exists()
    ):
        raise BusinessRuleError(
            ALREADY, code="already", params={"name": person.name, "on": event_on.isoformat()}
        )
    claim = MaternityAllowance(
        county_id=person.county_id,
        person=person,
        employer_id=terms.employer_id,
        event=event,
        event_on=event_on,
        difficult_birth=difficult_birth,
        babies=babies,
        leave_days=terms.leave_days,
        average_wage_fen=terms.average_wage_fen,
        wage_basis=terms.wage_basis,
        amount_fen=terms.amount_fen,
        payee=terms.payee,
        policy_code=terms.policy_code,
        entered_by=staff_user(actor),
    )
    claim.save()
    return claim


@transaction.atomic
def allowance_decide(
    *, claim: MaternityAllowance, approve: bool, note: str, actor: Actor
) -> MaternityAllowance:
    """Approve or refuse, by a clerk other than the one who entered it."""
    require(actor, "allowance.approve", county=claim.county_id)
    claim = MaternityAllowance.objects.select_for_update().get(pk=claim.pk)
    if claim.status != ClaimStatus.ENTERED:
        raise BusinessRuleError(
            NOT_ENTERED, code="not_entered", params={"status": claim.get_status_display()}
        )
    if claim.entered_by_id == getattr(actor, "pk", None):
        raise BusinessRuleError(SAME_PERSON, code="same_person")
    claim.status = ClaimStatus.DECIDED if approve else ClaimStatus.REJECTED
    claim.decided_at, claim.decided_by, claim.note = (
        timezone.now(),
        staff_user(actor),
        note.strip()[:200],
    )
    claim.save(update_fields=["status", "decided_at", "decided_by", "note"])
    return claim
