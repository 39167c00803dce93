"""Personal accounts (个人账户): allocations in, payments out, as immutable postings.

The balance is the sum of postings and is never stored. A payment is checked under a
row lock on the person's PersonalAccount, so two payments cannot both pass a check
that only one of them should. The city's books are the funds ledger (funds app): an
allocation is a movement from the pooled fund to the account sub-ledger, and the call
that posts it there belongs in `account_allocate` once that ledger exists.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from enrollment.models import (
    AccountPosting,
    DeclarationLine,
    DeclarationStatus,
    Enrolment,
    EnrolmentStatus,
    Person,
    PersonalAccount,
    PostingKind,
)
from enrollment.services.common import age_on, clean_and_save
from enrollment.terms import retiree_monthly_fen
from pooling.kernel.choices import PersonCategory, Scheme
from pooling.kernel.dates import first_of_month
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.money import format_yuan
from pooling.kernel.scoping import unrestricted

INSUFFICIENT = _("个人账户余额不足：余额 %(balance)s 元，本次支付 %(amount)s 元")
PAYMENT_NOT_POSITIVE = _("支付金额必须大于 0")
KEY_CONFLICT = _("记账幂等键 %(key)s 已用于另一笔不同的记账")
NOTHING_TO_ALLOCATE = _("%(name)s 在 %(month)s 没有可划入个人账户的已到账缴费或退休划拨")


def account_open(*, person: Person) -> PersonalAccount:
    account, _created = PersonalAccount.objects.get_or_create(person=person)
    return account


def account_balance(*, person: Person, county_code: str | None = None) -> int:
    """The balance: the sum of every posting, city-wide (or only those booked in one county)."""
    with unrestricted():  # postings booked in a former county are still this person's money
        rows = AccountPosting.objects.filter(account__person=person)
        if county_code is not None:
            rows = rows.filter(county_id=county_code)
        return int(rows.aggregate(s=Sum("amount_fen"))["s"] or 0)


def _post(*, account: PersonalAccount, county_code: str, kind: str, month: date, amount_fen: int,
          key: str, memo: str, by: Any) -> AccountPosting:
    with unrestricted():
        existing = AccountPosting.objects.filter(key=key).first()
    if existing is not None:
        if (existing.account_id, existing.kind, existing.amount_fen) != (account.pk, kind, amount_fen):
            raise BusinessRuleError(KEY_CONFLICT, code="key_conflict", params={"key": key})
        return existing
    posting = AccountPosting(county_id=county_code, account=account, kind=kind, month=month,
                             amount_fen=amount_fen, key=key, memo=memo, created_by=by)
    clean_and_save(posting, exclude=["key"])
    return posting


def _allocation_amount(person: Person, month: date) -> tuple[int, str] | None:
    """(fen, county) to allocate for the month, from a paid declaration or the retiree rule."""
    if person.category == PersonCategory.RETIRED:
        covered = (Enrolment.objects.filter(person=person, scheme=Scheme.EMPLOYEE,
                                            status=EnrolmentStatus.ACTIVE, start_month__lte=month).exists())
        amount = retiree_monthly_fen(month=month, age=age_on(person.birth_date, month)) if covered else 0
        return (amount, person.county_id) if amount else None
    line = DeclarationLine.objects.filter(person=person, scheme=Scheme.EMPLOYEE, month=month,
                                          declaration__status=DeclarationStatus.PAID).first()
    return (line.account_fen, line.county_id) if line and line.account_fen else None


@transaction.atomic
def account_allocate(*, person: Person, month: date, by: Any = None) -> AccountPosting:
    """Allocate one month into the account: in-service, the policy's share of the base once
    the contributions have arrived; retired, the policy's fixed monthly amount by age.
    Idempotent: the key `alloc:<id number>:<month>` books a month once."""
    month = first_of_month(month)
    found = _allocation_amount(person, month)
    if found is None:
        raise BusinessRuleError(NOTHING_TO_ALLOCATE, code="nothing_to_allocate",
                                params={"name": person.name, "month": f"{month:%Y-%m}"})
    amount, county = found
    # Ledger hook: the matching pooled-fund → personal-account posting goes here (funds app).
    return _post(account=account_open(person=person), county_code=county, kind=PostingKind.ALLOCATION,
                 month=month, amount_fen=amount, key=f"alloc:{person.id_number}:{month:%Y-%m}",
                 memo=str(_("个人账户划入")), by=by)


def accounts_allocate_month(*, month: date, by: Any = None) -> int:
    """Allocate a month for everyone in scope who is due; re-running books nothing twice."""
    month = first_of_month(month)
    paid = DeclarationLine.objects.filter(month=month, declaration__status=DeclarationStatus.PAID,
                                          account_fen__gt=0).values_list("person_id", flat=True)
    retirees = Enrolment.objects.filter(scheme=Scheme.EMPLOYEE, status=EnrolmentStatus.ACTIVE,
                                        start_month__lte=month, person__category=PersonCategory.RETIRED) \
        .values_list("person_id", flat=True)
    done = 0
    for person in Person.objects.filter(pk__in=set(paid) | set(retirees)):
        if not AccountPosting.objects.filter(key=f"alloc:{person.id_number}:{month:%Y-%m}").exists():
            account_allocate(person=person, month=month, by=by)
            done += 1
    return done


@transaction.atomic
def account_pay(*, person: Person, amount_fen: int, month: date, key: str, memo: str = "",
                by: Any = None) -> AccountPosting:
    """Pay out of the account (a claim's personal-account part); refused if it would go below 0."""
    if amount_fen <= 0:
        raise BusinessRuleError(PAYMENT_NOT_POSITIVE, code="amount", field="amount")
    account = PersonalAccount.objects.select_for_update().get(pk=account_open(person=person).pk)
    with unrestricted():
        repeat = AccountPosting.objects.filter(key=key).first()
    if repeat is None:
        balance = account_balance(person=person)
        if balance < amount_fen:
            raise BusinessRuleError(INSUFFICIENT, code="insufficient", field="amount", params={
                "balance": format_yuan(balance), "amount": format_yuan(amount_fen)})
    return _post(account=account, county_code=person.county_id, kind=PostingKind.PAYMENT,
                 month=first_of_month(month), amount_fen=-amount_fen, key=key,
                 memo=memo or str(_("个人账户支付")), by=by)


def account_move(*, person: Person, from_code: str, to_code: str, month: date, transfer_id: int,
                 by: Any = None) -> None:
    """Move the part of the balance booked in the old county to the new one (transfer).

    Called by `transfer_complete` inside its transaction, with the account locked.
    """
    account = PersonalAccount.objects.select_for_update().filter(person=person).first()
    if account is None:
        return
    amount = account_balance(person=person, county_code=from_code)
    if amount == 0:
        return
    _post(account=account, county_code=from_code, kind=PostingKind.TRANSFER_OUT, month=month,
          amount_fen=-amount, key=f"transfer:{transfer_id}:out", memo=str(_("市内转移转出")), by=by)
    _post(account=account, county_code=to_code, kind=PostingKind.TRANSFER_IN, month=month,
          amount_fen=amount, key=f"transfer:{transfer_id}:in", memo=str(_("市内转移转入")), by=by)
