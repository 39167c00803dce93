"""Contributions: employers' monthly declarations, tax-bureau collections, resident years."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from enrollment.models import (
    Collection,
    Declaration,
    DeclarationLine,
    DeclarationStatus,
    Employer,
    Enrolment,
    EnrolmentStatus,
    Person,
    ResidentContribution,
)
from enrollment.services.common import clean_and_save
from enrollment.services.locks import lock_person
from enrollment.terms import employee_month, resident_year
from pooling.kernel.audit import audit_created
from pooling.kernel.choices import PersonCategory, Scheme
from pooling.kernel.codes import check_credit_code
from pooling.kernel.dates import first_of_month
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.integrity import is_unique_violation, unique_clash
from pooling.kernel.money import format_yuan
from pooling.kernel.permissions import Actor, require, staff_user
from pooling.kernel.scoping import unrestricted
from pooling.policy.document import policy_memo

BASE_NOT_POSITIVE = _("缴费工资基数必须大于 0")
NOT_ENROLLED_WITH_EMPLOYER = _("%(name)s 在 %(month)s 没有该单位的职工医保参保缴费记录")
MONTH_ALREADY_DECLARED = _("%(name)s 的 %(month)s 已申报缴费（%(county)s），同一月份不能重复申报")
RETIREE_DOES_NOT_PAY = _("%(name)s 已退休，退休人员不再申报缴费")
BASE_BELOW_FLOOR = _("申报基数 %(declared)s 元低于缴费基数下限，已按下限 %(limit)s 元核定")
BASE_ABOVE_CEILING = _("申报基数 %(declared)s 元高于缴费基数上限，已按上限 %(limit)s 元核定")
EMPTY_DECLARATION = _("申报明细不能为空")
UNKNOWN_EMPLOYER = _("未找到统一社会信用代码为 %(code)s 的参保单位")
COLLECTION_NOT_POSITIVE = _("到账金额必须大于 0")
COLLECTION_REF_CONFLICT = _("税务到账流水号 %(ref)s 已登记，且金额或单位不同")
NOT_RESIDENT = _("%(name)s 在 %(year)s 年没有居民医保参保记录")
YEAR_ALREADY_PAID = _("%(name)s 已缴纳 %(year)s 年度居民医保个人缴费")


@dataclass
class LineResult:
    line: DeclarationLine
    warning: str | None = None


@dataclass
class DeclarationResult:
    declaration: Declaration
    lines: list[LineResult] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return [r.warning for r in self.lines if r.warning]


def _covering(enrolments: list[Enrolment], employer: Employer, month: date) -> Enrolment | None:
    """The person's employee enrolment with this employer that covers the month."""
    for e in enrolments:
        if (
            e.employer_id == employer.pk
            and e.start_month <= month
            and (
                e.status == EnrolmentStatus.ACTIVE
                and e.end_month is None
                or e.status in (EnrolmentStatus.ACTIVE, EnrolmentStatus.ENDED)
                and e.end_month is not None
                and e.end_month >= month
            )
        ):
            return e
    return None


def _employee_enrolments(
    person_ids: list[int], employer_ids: list[int]
) -> dict[int, list[Enrolment]]:
    found: dict[int, list[Enrolment]] = {pk: [] for pk in person_ids}
    for e in Enrolment.objects.filter(
        person_id__in=person_ids, employer_id__in=employer_ids, scheme=Scheme.EMPLOYEE
    ).order_by("start_month", "pk"):
        found[e.person_id].append(e)
    return found


def _declared(person_ids: list[int], months: list[date]) -> dict[tuple[int, date], DeclarationLine]:
    with unrestricted():  # a month declared in the person's former county counts too
        lines = DeclarationLine.objects.filter(
            person_id__in=person_ids, scheme=Scheme.EMPLOYEE, month__in=months
        ).select_related("county")
        return {(line.person_id, line.month): line for line in lines}


def _check_line(
    *,
    person: Person,
    employer: Employer,
    month: date,
    declared_base_fen: int,
    enrolments: list[Enrolment],
    earlier: DeclarationLine | None,
) -> Enrolment:
    """The rules a declared month must pass; returns the enrolment it belongs to."""
    if declared_base_fen <= 0:
        raise BusinessRuleError(BASE_NOT_POSITIVE, code="base", field="declared_base")
    if person.category == PersonCategory.RETIRED:
        raise BusinessRuleError(
            RETIREE_DOES_NOT_PAY, code="retired", field="person", params={"name": person.name}
        )
    enrolment = _covering(enrolments, employer, month)
    if enrolment is None:
        raise BusinessRuleError(
            NOT_ENROLLED_WITH_EMPLOYER,
            code="not_enrolled",
            field="person",
            params={"name": person.name, "month": f"{month:%Y-%m}"},
        )
    if earlier is not None:
        raise BusinessRuleError(
            MONTH_ALREADY_DECLARED,
            code="month_declared",
            field="month",
            params={"name": person.name, "month": f"{month:%Y-%m}", "county": earlier.county.name},
        )
    return enrolment


def _line(
    *,
    employer: Employer,
    month: date,
    person: Person,
    enrolment: Enrolment,
    declared_base_fen: int,
    declaration: Declaration | None = None,
) -> DeclarationLine:
    amounts = employee_month(month=month, declared_base_fen=declared_base_fen)
    return DeclarationLine(
        county_id=employer.county_id,
        declaration=declaration,
        person=person,
        enrolment=enrolment,
        scheme=Scheme.EMPLOYEE,
        month=month,
        declared_base_fen=declared_base_fen,
        base_fen=amounts.base_fen,
        base_clamped=amounts.clamped,
        employer_fen=amounts.employer_fen,
        employee_fen=amounts.employee_fen,
        maternity_fen=amounts.maternity_fen,
        account_fen=amounts.account_fen,
    )


def _clamp_warning(declared: int, base: int) -> str | None:
    if declared == base:
        return None
    msg = BASE_BELOW_FLOOR if declared < base else BASE_ABOVE_CEILING
    return str(msg) % {"declared": format_yuan(declared), "limit": format_yuan(base)}


def _declaration_for(*, employer: Employer, month: date, actor: Actor) -> Declaration:
    declaration, created = Declaration.objects.get_or_create(
        employer=employer,
        month=month,
        defaults={"county_id": employer.county_id, "created_by": staff_user(actor)},
    )
    if created:  # money that arrived before the declaration is matched now
        Collection.objects.filter(employer=employer, month=month, declaration__isnull=True).update(
            declaration=declaration
        )
    return Declaration.objects.select_for_update().get(pk=declaration.pk)


def _refresh_declaration(declaration: Declaration) -> None:
    """Recompute totals from the lines and the matched collections (never typed in)."""
    lines = declaration.lines.aggregate(
        e=Sum("employer_fen"), p=Sum("employee_fen"), m=Sum("maternity_fen")
    )
    declaration.total_fen = sum(v or 0 for v in lines.values())
    declaration.paid_fen = declaration.collections.aggregate(s=Sum("amount_fen"))["s"] or 0
    if declaration.paid_fen >= declaration.total_fen > 0:
        declaration.status = DeclarationStatus.PAID
    elif declaration.paid_fen > 0:
        declaration.status = DeclarationStatus.PARTIAL
    else:
        declaration.status = DeclarationStatus.DECLARED
    declaration.save(update_fields=["total_fen", "paid_fen", "status"])


@transaction.atomic
def declaration_line_add(
    *, employer: Employer, month: date, person: Person, declared_base_fen: int, actor: Actor
) -> LineResult:
    """Declare one employee's month: the base clamped to the policy's floor and ceiling
    (with a warning saying so), employer, employee and maternity shares, and the part
    of the employee's share that goes to the personal account."""
    require(actor, "contribution.declare", county=employer.county_id)
    month = first_of_month(month)

    def check() -> Enrolment:
        return _check_line(
            person=person,
            employer=employer,
            month=month,
            declared_base_fen=declared_base_fen,
            enrolments=_employee_enrolments([person.pk], [employer.pk])[person.pk],
            earlier=_declared([person.pk], [month]).get((person.pk, month)),
        )

    enrolment = check()
    declaration = _declaration_for(employer=employer, month=month, actor=actor)
    line = _line(
        employer=employer,
        month=month,
        person=person,
        enrolment=enrolment,
        declared_base_fen=declared_base_fen,
        declaration=declaration,
    )
    with unique_clash(check):  # the month declared meanwhile (e.g. by the old county)
        clean_and_save(line)
    _refresh_declaration(declaration)
    return LineResult(line=line, warning=_clamp_warning(declared_base_fen, line.base_fen))


@dataclass(frozen=True)
class LineRequest:
    employer: Employer
    month: date
    person: Person
    declared_base_fen: int


@transaction.atomic
def declaration_lines_add_many(
    *,
    requests: list[LineRequest],
    actor: Actor,
    refuse: Callable[[int, BusinessRuleError], None],
    dry_run: bool = False,
) -> int:
    """`declaration_line_add` for a batch (an import's chunk): the same rules (`_check_line`),
    three queries for the whole batch, one INSERT (and one for its audit entries), and
    each declaration's totals counted once, not once per line (a 500-employee month
    recounted 500 times). Declarations are locked in (employer, month) order, so two
    imports cannot deadlock. `dry_run` (an import's preview): decide and refuse, write
    nothing; returns how many would be saved."""
    require(actor, "contribution.declare")
    for county in sorted({r.employer.county_id for r in requests}):
        require(actor, "contribution.declare", county=county)
    with policy_memo():
        person_ids = sorted({r.person.pk for r in requests})
        enrolments = _employee_enrolments(person_ids, sorted({r.employer.pk for r in requests}))
        declared = _declared(person_ids, sorted({first_of_month(r.month) for r in requests}))
        planned: list[tuple[tuple[int, date], Employer, DeclarationLine]] = []
        for index, r in enumerate(requests):
            month = first_of_month(r.month)
            try:
                enrolment = _check_line(
                    person=r.person,
                    employer=r.employer,
                    month=month,
                    declared_base_fen=r.declared_base_fen,
                    enrolments=enrolments[r.person.pk],
                    earlier=declared.get((r.person.pk, month)),
                )
            except BusinessRuleError as exc:
                refuse(index, exc)
                continue
            line = _line(
                employer=r.employer,
                month=month,
                person=r.person,
                enrolment=enrolment,
                declared_base_fen=r.declared_base_fen,
            )
            declared[(r.person.pk, month)] = line  # a second row for this person's month is refused
            planned.append(((r.employer.pk, month), r.employer, line))
        if dry_run:
            return len(planned)
        employers = {key: employer for key, employer, _line in planned}
        declarations = {
            key: _declaration_for(employer=employers[key], month=key[1], actor=actor)
            for key in sorted(employers)
        }
        for key, _employer, line in planned:
            line.declaration = declarations[key]
        lines = DeclarationLine.objects.bulk_create([line for _key, _employer, line in planned])
        audit_created(lines, actor=actor)
        for declaration in declarations.values():
            _refresh_declaration(declaration)
        return len(planned)


@transaction.atomic
def declaration_submit(
    *, employer: Employer, month: date, rows: list[tuple[Person, int]], actor: Actor
) -> DeclarationResult:
    """Declare a month for several employees at once: all lines or none."""
    require(actor, "contribution.declare", county=employer.county_id)
    if not rows:
        raise BusinessRuleError(EMPTY_DECLARATION, code="empty")
    results = [
        declaration_line_add(
            employer=employer, month=month, person=p, declared_base_fen=b, actor=actor
        )
        for p, b in rows
    ]
    results[0].line.declaration.refresh_from_db()
    return DeclarationResult(declaration=results[0].line.declaration, lines=results)


@transaction.atomic
def collection_record(
    *, tax_ref: str, credit_code: str, month: date, amount_fen: int, received_on: date, actor: Actor
) -> Collection:
    """Record money the tax bureau collected (征缴到账) and match it to the declaration.

    Idempotent on the bureau's reference: the same line of a file imported twice is one
    collection; the same reference with another amount is refused.
    """
    require(actor, "contribution.collect")
    code, month = check_credit_code(credit_code), first_of_month(month)
    if amount_fen <= 0:
        raise BusinessRuleError(COLLECTION_NOT_POSITIVE, code="amount", field="amount")
    employer = Employer.objects.filter(credit_code=code).first()
    if employer is None:
        raise BusinessRuleError(
            UNKNOWN_EMPLOYER, code="unknown_employer", field="credit_code", params={"code": code}
        )
    require(actor, "contribution.collect", county=employer.county_id)
    existing = _recorded(tax_ref.strip(), employer, month, amount_fen)
    if existing is not None:
        return existing
    booked = _booked_month(employer.county_id, received_on)  # the county's lock first
    declaration = (
        Declaration.objects.select_for_update().filter(employer=employer, month=month).first()
    )
    collection = Collection(
        county_id=employer.county_id,
        tax_ref=tax_ref.strip(),
        employer=employer,
        month=month,
        amount_fen=amount_fen,
        received_on=received_on,
        booked_month=booked,
        declaration=declaration,
        created_by=staff_user(actor),
    )
    try:
        with transaction.atomic():
            clean_and_save(collection, exclude=["tax_ref"])
    except (
        IntegrityError
    ) as exc:  # the same reference recorded meanwhile (the file imported twice at once)
        again = (
            _recorded(collection.tax_ref, employer, month, amount_fen)
            if is_unique_violation(exc)
            else None
        )
        if again is None:
            raise
        return again
    if declaration is not None:
        _refresh_declaration(declaration)
    return collection


def _booked_month(county: str, day: date) -> date:
    """The month whose collection step takes this money in: its own, or the first whose step
    has not run yet if it is recorded late (`settlement.cycle.booking`, the one rule; it
    takes the county's lock, so the step cannot run past a recording in progress)."""
    from settlement.cycle.booking import booked_month_for  # settlement imports enrollment

    return booked_month_for(county, day)


def _recorded(tax_ref: str, employer: Employer, month: date, amount_fen: int) -> Collection | None:
    """The collection already recorded under this reference, if it is this one; refused if another."""
    with unrestricted():  # references are unique city-wide; only "taken" is said
        existing = Collection.objects.filter(tax_ref=tax_ref).first()
    if existing is not None and (existing.employer_id, existing.month, existing.amount_fen) != (
        employer.pk,
        month,
        amount_fen,
    ):
        raise BusinessRuleError(
            COLLECTION_REF_CONFLICT, code="ref_conflict", field="tax_ref", params={"ref": tax_ref}
        )
    return existing


@transaction.atomic
def resident_contribution_record(
    *, person: Person, year: int, paid_on: date, actor: Actor
) -> ResidentContribution:
    """A resident's yearly individual contribution, at the policy's standard for their
    category, less what the special-group subsidy (低保/特困) pays for them."""
    require(actor, "contribution.collect", county=person.county_id)
    lock_person(person)
    enrolment = (
        Enrolment.objects.filter(
            person=person, scheme=Scheme.RESIDENT, start_month__lte=date(year, 12, 1)
        )
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=date(year, 1, 1)))
        .exclude(status=EnrolmentStatus.SUSPENDED)
        .order_by("-start_month")
        .first()
    )
    if enrolment is None:
        raise BusinessRuleError(
            NOT_RESIDENT,
            code="not_resident",
            field="year",
            params={"name": person.name, "year": year},
        )
    _check_year_unpaid(person, year)
    amounts = resident_year(year=year, category=person.category, special_group=person.special_group)
    contribution = ResidentContribution(
        county_id=enrolment.county_id,
        person=person,
        enrolment=enrolment,
        year=year,
        standard_fen=amounts.standard_fen,
        subsidy_fen=amounts.subsidy_fen,
        paid_fen=amounts.payable_fen,
        paid_on=paid_on,
        booked_month=_booked_month(enrolment.county_id, paid_on),
        created_by=staff_user(actor),
    )
    with unique_clash(lambda: _check_year_unpaid(person, year)):
        clean_and_save(contribution)
    return contribution


def _check_year_unpaid(person: Person, year: int) -> None:
    with unrestricted():
        paid = ResidentContribution.objects.filter(person=person, year=year).exists()
    if paid:
        raise BusinessRuleError(
            YEAR_ALREADY_PAID,
            code="year_paid",
            field="year",
            params={"name": person.name, "year": year},
        )
