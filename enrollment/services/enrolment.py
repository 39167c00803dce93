"""Enrolment per scheme: start, suspend, end; the resident waiting period; no double enrolment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from math import ceil

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from enrollment.models import Employer, EmployerStatus, Enrolment, EnrolmentStatus, Person
from enrollment.services.common import age_on, clean_and_save
from enrollment.services.locks import lock_people, lock_person
from enrollment.terms import waiting_rules
from pooling.kernel.audit import audit_created, audit_updated
from pooling.kernel.choices import PersonCategory, Scheme
from pooling.kernel.dates import add_months, first_of_month, months_between
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.integrity import unique_clash
from pooling.kernel.permissions import Actor, require, staff_user
from pooling.kernel.scoping import unrestricted
from pooling.policy.document import policy_memo

DOUBLE_ENROLMENT = _(
    "该人员已参加%(scheme)s（%(county)s，%(start)s 起），不能同时参加%(other)s，"
    "请先终止原参保（避免重复参保）"
)
ALREADY_ENROLLED = _("该人员已参加%(scheme)s（%(start)s 起），无需重复登记")
PERIOD_OVERLAP = _("参保起始月 %(start)s 与已有参保记录（%(scheme)s %(from)s 至 %(to)s）重叠")
EMPLOYER_REQUIRED = _("职工医保参保须选择参保单位")
EMPLOYER_NOT_FOR_RESIDENT = _("居民医保参保不填写参保单位")
EMPLOYER_OTHER_COUNTY = _("参保单位属于其他经办单位，请先办理人员转移接续")
EMPLOYER_INACTIVE = _("参保单位状态为“%(status)s”，不能新增参保人员")
PERSON_DEAD = _("该人员已登记死亡，不能参保")
NOT_ACTIVE = _("只有参保缴费状态的参保记录才能暂停")
NOT_SUSPENDED = _("只有暂停缴费状态的参保记录才能恢复")
ALREADY_ENDED = _("该参保记录已终止")
END_BEFORE_START = _("终止月不能早于参保起始月 %(start)s")
END_BEFORE_PAID = _("终止月不能早于已申报缴费的最后月份 %(last)s")
UNKNOWN_SCHEME = _("险种不正确：%(value)s")
REASON_REQUIRED = _("请填写%(what)s：该记录须说明理由")

OPEN_STATUSES = (EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED)


def _history(person_ids: list[int]) -> dict[int, list[Enrolment]]:
    """Every enrolment of these people, city-wide: 避免重复参保 and the waiting period
    read cover in any county."""
    found: dict[int, list[Enrolment]] = {pk: [] for pk in person_ids}
    with unrestricted():
        for enrolment in Enrolment.objects.filter(person_id__in=person_ids).select_related(
            "county"
        ):
            found[enrolment.person_id].append(enrolment)
    return found


def resident_waiting_months(
    *,
    person: Person,
    start_month: date,
    repaid_years: int = 0,
    history: list[Enrolment] | None = None,
) -> int:
    """The resident benefit waiting period (国办发〔2024〕38号), in months, from the policy.

    None for a newborn, for a move from employee insurance within the policy's months, or
    when cover was continuous up to the month before. Otherwise the fixed part, plus the
    variable part for each extra year of gap, which years paid back (补缴) reduce.
    `history`: the person's enrolments, if the caller has them already.
    """
    rules = waiting_rules(on=start_month)
    if (
        rules.newborn_exempt
        and months_between(first_of_month(person.birth_date), start_month) <= 12
    ):
        return 0
    if history is None:
        history = _history([person.pk])[person.pk]
    ended = [e for e in history if e.end_month is not None and e.start_month < start_month]
    last = max(ended, key=lambda e: e.end_month or start_month, default=None)
    if last is None or last.end_month is None:
        return rules.base_months  # never insured before: a late enrolment
    gap = months_between(add_months(last.end_month, 1), add_months(start_month, -1))
    if gap == 0:
        return 0
    if last.scheme == Scheme.EMPLOYEE and gap <= rules.from_employee_within_months:
        return 0
    extra_years = max(ceil(gap / 12) - 1, 0)
    variable = max(
        extra_years * rules.per_gap_year_months
        - repaid_years * rules.per_continuous_year_reduction_months,
        0,
    )
    return rules.base_months + variable


def _check_no_overlap(*, history: list[Enrolment], scheme: str, start: date) -> None:
    for other in history:  # 避免重复参保 is a city-wide rule: the history holds every county
        if other.status == EnrolmentStatus.ACTIVE:
            if other.scheme == scheme:
                raise BusinessRuleError(
                    ALREADY_ENROLLED,
                    code="already_enrolled",
                    field="scheme",
                    params={
                        "scheme": other.get_scheme_display(),
                        "start": f"{other.start_month:%Y-%m}",
                    },
                )
            raise BusinessRuleError(
                DOUBLE_ENROLMENT,
                code="double_enrolment",
                field="scheme",
                params={
                    "scheme": other.get_scheme_display(),
                    "county": other.county.name,
                    "start": f"{other.start_month:%Y-%m}",
                    "other": Scheme(scheme).label,
                },
            )
        if other.end_month is None or other.end_month >= start:
            raise BusinessRuleError(
                PERIOD_OVERLAP,
                code="period_overlap",
                field="start_month",
                params={
                    "start": f"{start:%Y-%m}",
                    "scheme": other.get_scheme_display(),
                    "from": f"{other.start_month:%Y-%m}",
                    "to": f"{other.end_month:%Y-%m}" if other.end_month else "—",
                },
            )


def _check_employer(*, person: Person, scheme: str, employer: Employer | None) -> None:
    if scheme == Scheme.EMPLOYEE:
        if employer is None:
            raise BusinessRuleError(EMPLOYER_REQUIRED, code="employer_required", field="employer")
        if employer.county_id != person.county_id:
            raise BusinessRuleError(EMPLOYER_OTHER_COUNTY, code="employer_county", field="employer")
        if employer.status != EmployerStatus.ACTIVE:
            raise BusinessRuleError(
                EMPLOYER_INACTIVE,
                code="employer_inactive",
                field="employer",
                params={"status": employer.get_status_display()},
            )
    elif employer is not None:
        raise BusinessRuleError(
            EMPLOYER_NOT_FOR_RESIDENT, code="employer_resident", field="employer"
        )


def _category_for(person: Person, scheme: str, start: date) -> str:
    if scheme == Scheme.EMPLOYEE:
        return (
            PersonCategory.RETIRED
            if person.category == PersonCategory.RETIRED
            else PersonCategory.IN_SERVICE
        )
    if person.category == PersonCategory.MINOR_STUDENT or age_on(person.birth_date, start) < 18:
        return PersonCategory.MINOR_STUDENT
    return PersonCategory.RESIDENT_ADULT


def _plan(
    *,
    person: Person,
    scheme: str,
    start_month: date,
    employer: Employer | None,
    repaid_years: int,
    history: list[Enrolment],
    actor: Actor,
) -> tuple[Enrolment, str]:
    """The enrolment to save and the person's category after it; raises if a rule refuses.
    No database access: `enrol` and `enrol_many` load what it reads."""
    if scheme not in (Scheme.EMPLOYEE, Scheme.RESIDENT):
        raise BusinessRuleError(
            UNKNOWN_SCHEME, code="scheme", field="scheme", params={"value": scheme}
        )
    if person.died_on:
        raise BusinessRuleError(PERSON_DEAD, code="dead")
    start = first_of_month(start_month)
    _check_employer(person=person, scheme=scheme, employer=employer)
    _check_no_overlap(history=history, scheme=scheme, start=start)
    waiting = (
        resident_waiting_months(
            person=person, start_month=start, repaid_years=repaid_years, history=history
        )
        if scheme == Scheme.RESIDENT
        else 0
    )
    enrolment = Enrolment(
        county_id=person.county_id,
        person=person,
        scheme=scheme,
        employer=employer,
        start_month=start,
        waiting_months=waiting,
        benefits_from=add_months(start, waiting),
        created_by=staff_user(actor),
    )
    return enrolment, _category_for(person, scheme, start)


@transaction.atomic
def enrol(
    *,
    person: Person,
    scheme: str,
    start_month: date,
    employer: Employer | None = None,
    repaid_years: int = 0,
    actor: Actor,
) -> Enrolment:
    """Enrol a person in the employee or resident scheme from a month on.

    Refuses a second active enrolment anywhere in the city (避免重复参保) and any period
    overlapping an earlier one. The person row is locked so two clerks cannot race.
    """
    require(actor, "enrolment.manage", county=person.county_id)
    lock_person(person)
    enrolment, category = _plan(
        person=person,
        scheme=scheme,
        start_month=start_month,
        employer=employer,
        repaid_years=repaid_years,
        history=_history([person.pk])[person.pk],
        actor=actor,
    )
    # The partial unique index stands guard for a writer that forgot the person's lock.
    with unique_clash(
        lambda: _check_no_overlap(
            history=_history([person.pk])[person.pk], scheme=scheme, start=enrolment.start_month
        )
    ):
        clean_and_save(enrolment)
    if category != person.category:
        person.category = category
        person.save(update_fields=["category"])
    return enrolment


@dataclass(frozen=True)
class EnrolRequest:
    person: Person
    scheme: str
    start_month: date
    employer: Employer | None = None


@transaction.atomic
def enrol_many(
    *,
    requests: list[EnrolRequest],
    actor: Actor,
    refuse: Callable[[int, BusinessRuleError], None],
    dry_run: bool = False,
) -> int:
    """`enrol` for a batch (an import's chunk) in three queries and one INSERT, not ~8 a row.

    The same rules decide (`_plan`); a refused request goes to `refuse(index, error)` and
    the rest are saved, each with its audit entry as `enrol` would leave. The people are
    locked in id order (two imports cannot deadlock), and the partial unique index still
    stands guard against a race: a clash raises IntegrityError for the caller's
    transaction to roll back. `dry_run` (an import's preview): decide and refuse, lock and
    write nothing; returns how many would be saved. A county clerk's batch stays in their county.
    """
    require(actor, "enrolment.manage")
    for county in sorted({r.person.county_id for r in requests}):
        require(actor, "enrolment.manage", county=county)
    with policy_memo():  # one policy lookup per start month, not per row
        return _enrol_many(requests, actor, refuse, dry_run)


def _enrol_many(
    requests: list[EnrolRequest],
    actor: Actor,
    refuse: Callable[[int, BusinessRuleError], None],
    dry_run: bool,
) -> int:
    ids = sorted({r.person.pk for r in requests})
    people = {p.pk: p for p in Person.objects.filter(pk__in=ids)} if dry_run else lock_people(ids)
    history = _history(ids)
    planned: list[Enrolment] = []
    moved: dict[int, tuple[Person, str]] = {}  # person, category before the batch

    for index, request in enumerate(requests):
        person = people[request.person.pk]
        try:
            enrolment, category = _plan(
                person=person,
                scheme=request.scheme,
                start_month=request.start_month,
                employer=request.employer,
                repaid_years=0,
                history=history[person.pk],
                actor=actor,
            )
        except BusinessRuleError as exc:
            refuse(index, exc)
            continue
        history[person.pk].append(enrolment)  # a second row for the same person sees this one
        planned.append(enrolment)
        if category != person.category:
            moved.setdefault(person.pk, (person, person.category))
            person.category = category
    if dry_run:
        return len(planned)
    Enrolment.objects.bulk_create(planned)
    audit_created(planned, actor=actor)
    by_category: dict[str, list[int]] = {}
    for pk, (person, _before) in moved.items():
        by_category.setdefault(person.category, []).append(pk)
    for (
        category,
        pks,
    ) in by_category.items():  # one UPDATE per category (a handful), not a CASE per row
        Person.objects.filter(pk__in=pks).update(category=category)
    audit_updated(
        [
            (p, {"category": [before, p.category]})
            for p, before in moved.values()
            if before != p.category
        ],
        actor=actor,
    )
    return len(planned)


@transaction.atomic
def enrolment_suspend(*, enrolment: Enrolment, reason: str, actor: Actor) -> Enrolment:
    """Suspend payments (暂停缴费), e.g. an employee between jobs; the record stays open
    and says why."""
    require(actor, "enrolment.manage", county=enrolment.county_id)
    reason = _reason(reason, _("暂停原因"))
    enrolment = _locked(enrolment)
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise BusinessRuleError(NOT_ACTIVE, code="not_active")
    enrolment.status, enrolment.status_reason = EnrolmentStatus.SUSPENDED, reason
    enrolment.save(update_fields=["status", "status_reason"])
    return enrolment


def _reason(text: str, what: object) -> str:
    if not text.strip():
        raise BusinessRuleError(
            REASON_REQUIRED, code="reason_required", field="reason", params={"what": what}
        )
    return text.strip()


@transaction.atomic
def enrolment_resume(*, enrolment: Enrolment, actor: Actor) -> Enrolment:
    """Resume payments of a suspended enrolment, unless the person is active elsewhere."""
    require(actor, "enrolment.manage", county=enrolment.county_id)
    enrolment = _locked(enrolment)
    if enrolment.status != EnrolmentStatus.SUSPENDED:
        raise BusinessRuleError(NOT_SUSPENDED, code="not_suspended")
    _check_not_active_elsewhere(enrolment)
    enrolment.status = EnrolmentStatus.ACTIVE
    with unique_clash(lambda: _check_not_active_elsewhere(enrolment)):
        enrolment.save(update_fields=["status"])
    return enrolment


def _check_not_active_elsewhere(enrolment: Enrolment) -> None:
    with unrestricted():
        active = (
            Enrolment.objects.filter(person_id=enrolment.person_id, status=EnrolmentStatus.ACTIVE)
            .exclude(pk=enrolment.pk)
            .select_related("county")
            .first()
        )
    if active is not None:
        raise BusinessRuleError(
            DOUBLE_ENROLMENT,
            code="double_enrolment",
            params={
                "scheme": active.get_scheme_display(),
                "county": active.county.name,
                "start": f"{active.start_month:%Y-%m}",
                "other": enrolment.get_scheme_display(),
            },
        )


def _locked(enrolment: Enrolment) -> Enrolment:
    """The enrolment's row, locked after its person's (the one order of locks)."""
    lock_people([enrolment.person_id])
    return Enrolment.objects.select_for_update().get(pk=enrolment.pk)


@transaction.atomic
def enrolment_end(*, enrolment: Enrolment, end_month: date, reason: str, actor: Actor) -> Enrolment:
    """End an enrolment with its last covered month (not before any declared month), saying why."""
    require(actor, "enrolment.manage", county=enrolment.county_id)
    reason = _reason(reason, _("终止原因"))
    enrolment = _locked(enrolment)
    end = first_of_month(end_month)
    if enrolment.status == EnrolmentStatus.ENDED:
        raise BusinessRuleError(ALREADY_ENDED, code="ended")
    if end < enrolment.start_month:
        raise BusinessRuleError(
            END_BEFORE_START,
            code="end_before_start",
            field="end_month",
            params={"start": f"{enrolment.start_month:%Y-%m}"},
        )
    last = enrolment.declaration_lines.aggregate(m=Max("month"))["m"]
    if last is not None and end < last:
        raise BusinessRuleError(
            END_BEFORE_PAID,
            code="end_before_paid",
            field="end_month",
            params={"last": f"{last:%Y-%m}"},
        )
    enrolment.status, enrolment.end_month, enrolment.status_reason = (
        EnrolmentStatus.ENDED,
        end,
        reason,
    )
    enrolment.save(update_fields=["status", "end_month", "status_reason"])
    return enrolment
