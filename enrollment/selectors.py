"""Reads of the handling app: search, lists, the person record, reports.

Every read is county-scoped by `pooling.kernel.scoping` except where `unrestricted()` says
otherwise; each such place checks first that the caller may see the person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Collate

from enrollment.models import (
    AccountPosting,
    Declaration,
    DeclarationLine,
    DeclarationStatus,
    Employer,
    Enrolment,
    EnrolmentStatus,
    Person,
    Referral,
    ReferralStatus,
    ResidentContribution,
    Transfer,
    TransferStatus,
)
from enrollment.services.accounts import account_balance
from enrollment.terms import required_retiree_months
from pooling.kernel.choices import Scheme
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.scoping import unrestricted

if TYPE_CHECKING:  # the stubs' helper package is a development dependency only
    from django_stubs_ext import WithAnnotations

ID_LIKE = re.compile(r"^[0-9]{1,17}[0-9Xx]?$")


def _bytewise() -> str:
    return "C" if connection.vendor == "postgresql" else "BINARY"


def _prefix(rows: QuerySet[Person], field: str, text: str) -> QuerySet[Person]:
    """Rows whose `field` starts with `text`, in byte order: the range [text, text + U+10FFFF)
    on `field COLLATE "C"`, read in order from one index (migration 0004): the unique ID
    number, or (name, county, ID number) — where a clerk's county is checked inside the
    index, and is constant, so the order is still by name and ID number."""
    order = ("key", "id_number") if field == "id_number" else ("key", "county_id", "id_number")
    return (
        rows.alias(key=Collate(F(field), _bytewise()))
        .filter(key__gte=text, key__lt=text + "\U0010ffff")
        .order_by(*order)
    )


def person_search(*, q: str, limit: int = 20) -> list[Person]:
    """People in the caller's scope whose ID number (exact or prefix) or name starts with q.

    An exact ID is one probe of the unique index; a prefix is one range scan of a
    byte-order index (migration 0002), read in order and stopped after `limit` rows.
    """
    text = (q or "").replace("\u3000", " ").strip()
    if not text:
        return []
    rows = Person.objects.select_related("county")
    if ID_LIKE.match(text):
        text = text.upper()
        if len(text) == 18:
            return list(rows.filter(id_number=text)[:1])
        return list(_prefix(rows, "id_number", text)[:limit])
    return list(_prefix(rows, "name", text)[:limit])


def person_registered_elsewhere(*, id_number: str) -> str | None:
    """The name of the county holding this ID number, if the caller cannot see it there.

    Answers "is this person insured elsewhere in the city?" for a clerk about to register
    or request a transfer; returns only the county's name, never the record.
    """
    text = (id_number or "").strip().upper()
    if len(text) != 18 or Person.objects.filter(id_number=text).exists():
        return None
    with unrestricted():
        return Person.objects.filter(id_number=text).values_list("county__name", flat=True).first()


def people_list(
    *, q: str = "", category: str = "", scheme: str = "", status: str = ""
) -> QuerySet[Person]:
    # In the order of person_name_county_c: a clerk's first page of 500,000 people is
    # read from the index (the county checked inside it), not sorted.
    rows = Person.objects.select_related("county").order_by(
        Collate(F("name"), _bytewise()), "county_id", "id_number"
    )
    text = q.strip()
    if text:
        rows = (
            _prefix(rows, "id_number", text.upper())
            if ID_LIKE.match(text)
            else _prefix(rows, "name", text)
        )
    if category:
        rows = rows.filter(category=category)
    if scheme or status:
        sub = Enrolment.objects.all()
        if scheme:
            sub = sub.filter(scheme=scheme)
        if status:
            sub = sub.filter(status=status)
        rows = rows.filter(pk__in=sub.values("person_id"))
    return rows


def employers_list(*, q: str = "", status: str = "") -> QuerySet[Employer]:
    rows = Employer.objects.select_related("county").annotate(
        active_count=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ACTIVE))
    )
    if q:
        text = q.strip()
        rows = rows.filter(Q(credit_code__startswith=text.upper()) | Q(name__contains=text))
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("name")


def employer_employees(*, employer: Employer) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(employer=employer, status=EnrolmentStatus.ACTIVE)
        .select_related("person")
        .order_by("person__name")
    )


@dataclass
class PersonHistory:
    """Everything on the one-page person record, across every county the person has lived in."""

    person: Person
    enrolments: list[Enrolment]
    lines: list[DeclarationLine]
    resident_contributions: list[ResidentContribution]
    postings: list[AccountPosting]
    balance_fen: int
    transfers: list[Transfer]
    referrals: list[Referral]
    paid_months: int
    declared_months: int
    retiree: dict[str, Any] | None

    @property
    def paid_years_months(self) -> tuple[int, int]:
        return divmod(self.paid_months, 12)


def contribution_months(*, person: Person) -> tuple[int, int]:
    """(paid, declared) employee contribution months city-wide, prior months included in paid.

    This is what retiree eligibility reads: months paid in every county count once each
    (the unique constraint on person, scheme and month guarantees "once").
    """
    with unrestricted():  # the caller already holds the person (visible to them)
        lines = DeclarationLine.objects.filter(person=person, scheme=Scheme.EMPLOYEE)
        declared = lines.count()
        paid = lines.filter(declaration__status=DeclarationStatus.PAID).count()
    return paid + person.prior_contribution_months, declared


def retiree_eligibility(*, person: Person, on: date) -> dict[str, Any]:
    """Cumulative months against the policy's requirement for retirees (by sex)."""
    total_needed, actual_needed = required_retiree_months(on=on, sex=person.sex)
    paid, _declared = contribution_months(person=person)
    actual = paid - person.prior_contribution_months
    return {
        "months": paid,
        "years": paid // 12,
        "rest_months": paid % 12,
        "actual_months": actual,
        "required_months": total_needed,
        "required_years": total_needed // 12,
        "required_actual_months": actual_needed,
        "eligible": paid >= total_needed
        and actual + person.prior_contribution_months >= actual_needed,
    }


def person_history(*, person_id: int) -> PersonHistory:
    """The person record, with history from every county.

    THE deliberate cross-county read of this app (issue 4, items 6 and 8): a person who
    moved keeps one continuous history, but the old rows stay accounted to the old
    county (their `county`). So: first fetch the person through the scoped manager —
    which raises Person.DoesNotExist if the caller may not see them — then read that one
    person's history under `unrestricted()`.
    """
    person = Person.objects.select_related("county").get(pk=person_id)
    with unrestricted():
        enrolments = list(
            Enrolment.objects.filter(person=person)
            .select_related("county", "employer")
            .order_by("start_month", "pk")
        )
        lines = list(
            DeclarationLine.objects.filter(person=person)
            .select_related("county", "declaration__employer")
            .order_by("month")
        )
        resident = list(
            ResidentContribution.objects.filter(person=person)
            .select_related("county")
            .order_by("year")
        )
        postings = list(
            AccountPosting.objects.filter(account__person=person)
            .select_related("county", "batch")
            .order_by("created_at", "pk")
        )
        transfers = list(
            Transfer.objects.filter(person=person)
            .select_related("from_county", "to_county")
            .order_by("requested_at")
        )
        referrals = list(Referral.objects.filter(person=person).order_by("-applied_at"))
    paid, declared = contribution_months(person=person)
    try:
        retiree: dict[str, Any] | None = retiree_eligibility(person=person, on=date.today())
    except BusinessRuleError:  # no published policy yet: the record still shows, without the check
        retiree = None
    return PersonHistory(
        person=person,
        enrolments=enrolments,
        lines=lines,
        resident_contributions=resident,
        postings=postings,
        balance_fen=account_balance(person=person),
        transfers=transfers,
        referrals=referrals,
        paid_months=paid,
        declared_months=declared,
        retiree=retiree,
    )


def person_moved_out(*, person_id: int) -> Transfer | None:
    """The completed transfer that took this person out of the caller's county, if that is
    why the caller no longer sees them (transfers are seen by both counties)."""
    return (
        Transfer.objects.filter(person_id=person_id, status=TransferStatus.COMPLETED)
        .select_related("person", "from_county", "to_county")
        .order_by("-completed_at", "-pk")
        .first()
    )


def declarations_list(*, month: date | None = None, status: str = "") -> QuerySet[Declaration]:
    rows = Declaration.objects.select_related("employer", "county").order_by(
        "-month", "employer__name"
    )
    if month:
        rows = rows.filter(month=month)
    if status:
        rows = rows.filter(status=status)
    return rows


class Owed(TypedDict):
    """What `arrears` annotates on each declaration."""

    owed: int


def arrears(*, before: date | None = None) -> QuerySet[WithAnnotations[Declaration, Owed]]:
    """Declarations not fully paid (欠费), per county in the caller's scope, oldest first."""
    rows = Declaration.objects.filter(paid_fen__lt=F("total_fen")).select_related(
        "employer", "county"
    )
    if before is not None:
        rows = rows.filter(month__lt=before)
    return rows.annotate(owed=F("total_fen") - F("paid_fen")).order_by(
        "county_id", "month", "employer__name"
    )


def arrears_total(*, before: date | None = None) -> dict[str, int]:
    agg = arrears(before=before).aggregate(n=Count("pk"), owed=Sum(F("total_fen") - F("paid_fen")))
    return {"count": agg["n"] or 0, "owed_fen": int(agg["owed"] or 0)}


def enrolment_overlaps() -> list[dict[str, Any]]:
    """People in scope with an employee and a resident enrolment whose periods overlap
    (重复参保) — found in existing or imported data; new enrolments are refused at entry."""
    far = date(9999, 12, 1)
    found = []
    employee = Enrolment.objects.filter(scheme=Scheme.EMPLOYEE).select_related("person", "county")
    resident_by_person: dict[int, list[Enrolment]] = {}
    for r in Enrolment.objects.filter(
        scheme=Scheme.RESIDENT, person_id__in=employee.values("person_id")
    ):
        resident_by_person.setdefault(r.person_id, []).append(r)
    for e in employee:
        for r in resident_by_person.get(e.person_id, []):
            if e.start_month <= (r.end_month or far) and r.start_month <= (e.end_month or far):
                found.append(
                    {
                        "person": e.person,
                        "employee": e,
                        "resident": r,
                        "from": max(e.start_month, r.start_month),
                        "to": min(e.end_month or far, r.end_month or far),
                    }
                )
    return found


def transfers_list(
    *, status: str = "", direction: str = "", county_code: str | None = None
) -> QuerySet[Transfer]:
    rows = Transfer.objects.select_related("person", "from_county", "to_county").order_by(
        "-requested_at"
    )
    if status:
        rows = rows.filter(status=status)
    if direction == "in" and county_code:
        rows = rows.filter(to_county_id=county_code)
    elif direction == "out" and county_code:
        rows = rows.filter(from_county_id=county_code)
    return rows


def pending_transfers_in(*, county_code: str) -> int:
    """Asked for by this county, waiting for the sending county's release (or the deadline)."""
    return Transfer.objects.filter(to_county_id=county_code, status=TransferStatus.PENDING).count()


def pending_transfers_out(*, county_code: str | None = None) -> int:
    """Waiting for this county's release or objection (every county's, for a city role)."""
    rows = Transfer.objects.filter(status=TransferStatus.PENDING)
    return (rows.filter(from_county_id=county_code) if county_code else rows).count()


def transfers_named(transfers: Iterable[Transfer]) -> list[Transfer]:
    """Set `person_label` on each transfer: the name if the caller may see the person
    (their county holds them), else the masked name — a receiving clerk learns only what
    the request needs until the move is done."""
    rows = list(transfers)
    visible = set(
        Person.objects.filter(pk__in={t.person_id for t in rows}).values_list("pk", flat=True)
    )
    for t in rows:
        label = t.person.name if t.person_id in visible else t.person.masked_name
        setattr(t, "person_label", label)  # noqa: B010  # an attribute the model does not declare
    return rows


def referrals_list(*, status: str = "", kind: str = "") -> QuerySet[Referral]:
    rows = Referral.objects.select_related("person", "county").order_by("-applied_at")
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    return rows


def referral_in_force(*, person: Person, on: date) -> Referral | None:
    """The approved referral/registration valid on this date (read by the benefit calculator)."""
    return (
        Referral.objects.filter(
            person=person, status=ReferralStatus.APPROVED, valid_from__lte=on, valid_to__gte=on
        )
        .order_by("-valid_to")
        .first()
    )
