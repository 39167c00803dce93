"""Personal accounts (个人账户): allocations in, payments out, transfers — through the
sub-ledger writer (`enrollment.services.subledger`), which locks the person, keeps the
balance and refuses anything below zero.

An allocation is due for a month when the employee's contributions for it have arrived
(the policy's share of the base, on the paid declaration line) or, for a retiree still
covered by employee insurance, at the policy's fixed monthly amount by age. The single
and the month-wide allocation decide with the same `_due`; the month-wide one works a
chunk of people per transaction in a fixed number of statements.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
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
from enrollment.services.common import age_on
from enrollment.services.locks import lock_people, lock_person
from enrollment.services.subledger import (
    INSUFFICIENT,
    PostingSpec,
    accounts_for,
    posting_write,
    postings_write,
)
from enrollment.terms import retiree_monthly_fen
from pooling.imports.kinds import chunked
from pooling.kernel.choices import PersonCategory, Scheme
from pooling.kernel.dates import first_of_month
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import Actor, require
from pooling.kernel.scoping import unrestricted
from pooling.policy.document import policy_memo

PAYMENT_NOT_POSITIVE = _("支付金额必须大于 0")
NOTHING_TO_ALLOCATE = _("%(name)s 在 %(month)s 没有可划入个人账户的已到账缴费或退休划拨")
CHUNK = 2000  # people per transaction: short row locks, few statements

# Stored with each posting as written (as funds memos are), whatever the clerk's language.
MEMOS = {
    PostingKind.ALLOCATION: "个人账户划入（缴费到账）",
    PostingKind.RETIREE_ALLOCATION: "退休人员个人账户划入",
    PostingKind.PAYMENT: "个人账户支付",
    PostingKind.PAYMENT_REFUND: "个人账户支付退回（结算撤销）",
    PostingKind.TRANSFER_OUT: "市内转移转出",
    PostingKind.TRANSFER_IN: "市内转移转入",
}

__all__ = [
    "INSUFFICIENT",
    "NOTHING_TO_ALLOCATE",
    "PAYMENT_NOT_POSITIVE",
    "account_allocate",
    "account_balance",
    "account_open",
    "account_pay",
    "account_transfer_in",
    "account_transfer_out",
    "accounts_allocate_month",
]


@transaction.atomic
def account_open(*, person: Person) -> PersonalAccount:
    """The person's account, opened (under the person's lock) if they have none yet."""
    lock_person(person)
    return accounts_for([person.pk])[person.pk]


def account_balance(*, person: Person) -> int:
    """The balance, maintained with every posting (reconcile proves it equals their sum)."""
    with unrestricted():  # the account follows the person; the caller already holds them
        found = (
            PersonalAccount.objects.filter(person_id=person.pk)
            .values_list("balance_fen", flat=True)
            .first()
        )
    return int(found or 0)


def _allocation_key(person: Person, month: date) -> str:
    return f"alloc:{person.id_number}:{month:%Y-%m}"


def _due(people: dict[int, Person], month: date) -> list[PostingSpec]:
    """What to allocate for the month to each of these (locked) people: two queries.

    Retired: the fixed amount by age while the employee enrolment is active; otherwise
    the account share of a paid declaration line (wherever it was declared).
    """
    retired = {pk for pk, p in people.items() if p.category == PersonCategory.RETIRED}
    with unrestricted():  # a line declared in a former county still feeds the account
        covered = set(
            Enrolment.objects.filter(
                person_id__in=retired,
                scheme=Scheme.EMPLOYEE,
                status=EnrolmentStatus.ACTIVE,
                start_month__lte=month,
            ).values_list("person_id", flat=True)
        )
        paid = dict(
            DeclarationLine.objects.filter(
                person_id__in=set(people) - retired,
                scheme=Scheme.EMPLOYEE,
                month=month,
                declaration__status=DeclarationStatus.PAID,
                account_fen__gt=0,
            ).values_list("person_id", "account_fen")
        )
    specs = []
    for pk, person in sorted(people.items()):
        if pk in covered:
            kind, amount = (
                PostingKind.RETIREE_ALLOCATION,
                retiree_monthly_fen(month=month, age=age_on(person.birth_date, month)),
            )
        elif pk in paid:
            kind, amount = PostingKind.ALLOCATION, paid[pk]
        else:
            continue
        if amount > 0:
            specs.append(
                PostingSpec(
                    person_id=pk,
                    kind=kind,
                    month=month,
                    amount_fen=amount,
                    key=_allocation_key(person, month),
                    memo=MEMOS[kind],
                )
            )
    return specs


@transaction.atomic
def account_allocate(*, person: Person, month: date, actor: Actor) -> AccountPosting:
    """Allocate one month into the person's account (see `_due`). Idempotent: the key
    `alloc:<id number>:<month>` books a month once."""
    require(actor, "account.post")
    month = first_of_month(month)
    lock_person(person)
    specs = _due({person.pk: person}, month)
    if not specs:
        raise BusinessRuleError(
            NOTHING_TO_ALLOCATE,
            code="nothing_to_allocate",
            params={"name": person.name, "month": f"{month:%Y-%m}"},
        )
    return posting_write(spec=specs[0], actor=actor)


def accounts_allocate_month(*, month: date, actor: Actor, county_code: str | None = None) -> int:
    """Allocate a month to everyone in scope who is due (one county's, if given); returns
    how many postings were written. Re-running writes nothing twice (the keys), so a
    chunk's transaction failing half-way through the month loses nothing either."""
    require(actor, "account.post")
    month = first_of_month(month)
    paid = DeclarationLine.objects.filter(
        month=month,
        scheme=Scheme.EMPLOYEE,
        account_fen__gt=0,
        declaration__status=DeclarationStatus.PAID,
    )
    retirees = Enrolment.objects.filter(
        scheme=Scheme.EMPLOYEE,
        status=EnrolmentStatus.ACTIVE,
        start_month__lte=month,
        person__category=PersonCategory.RETIRED,
    )
    if county_code is not None:
        paid, retirees = (
            paid.filter(person__county_id=county_code),
            retirees.filter(person__county_id=county_code),
        )
    candidates = sorted(
        set(paid.values_list("person_id", flat=True))
        | set(retirees.values_list("person_id", flat=True))
    )
    written = 0
    with policy_memo():
        for chunk in chunked(candidates, CHUNK):
            with transaction.atomic():
                specs = _due(lock_people(chunk), month)
                written += postings_write(specs=specs, actor=actor).new if specs else 0
    return written


def account_pay(
    *, person: Person, amount_fen: int, month: date, key: str, memo: str = "", actor: Actor
) -> AccountPosting:
    """Pay out of the account (a claim's personal-account part); refused if it would go
    below zero. `key` is the payment's identity: a repeat returns the posting written."""
    require(actor, "account.post")
    if type(amount_fen) is not int or amount_fen <= 0:
        raise BusinessRuleError(PAYMENT_NOT_POSITIVE, code="amount", field="amount")
    return posting_write(
        spec=PostingSpec(
            person_id=person.pk,
            kind=PostingKind.PAYMENT,
            month=month,
            amount_fen=-amount_fen,
            key=key,
            memo=memo or MEMOS[PostingKind.PAYMENT],
        ),
        actor=actor,
    )


def account_refund(
    *, person: Person, amount_fen: int, month: date, key: str, memo: str = "", actor: Actor
) -> AccountPosting:
    """Put back what a cancelled settlement paid from the account (a new posting, never an edit)."""
    require(actor, "account.post")
    if type(amount_fen) is not int or amount_fen <= 0:
        raise BusinessRuleError(PAYMENT_NOT_POSITIVE, code="amount", field="amount")
    return posting_write(
        spec=PostingSpec(
            person_id=person.pk,
            kind=PostingKind.PAYMENT_REFUND,
            month=month,
            amount_fen=amount_fen,
            key=key,
            memo=memo or MEMOS[PostingKind.PAYMENT_REFUND],
        ),
        actor=actor,
    )


def account_transfer_out(*, person: Person, transfer_id: int, month: date, actor: Actor) -> int:
    """A transfer takes the whole balance out of the old county (the person still in it);
    returns the amount for `account_transfer_in` once the person has moved. Called by
    `transfer_complete` inside its transaction, with the person locked."""
    lock_people([person.pk])  # held already by the caller: this only makes sure
    balance = accounts_for([person.pk])[person.pk].balance_fen
    if balance > 0:
        posting_write(
            spec=PostingSpec(
                person_id=person.pk,
                kind=PostingKind.TRANSFER_OUT,
                month=month,
                amount_fen=-balance,
                key=f"transfer:{transfer_id}:out",
                memo=MEMOS[PostingKind.TRANSFER_OUT],
            ),
            actor=actor,
        )
    return balance


def account_transfer_in(
    *, person: Person, transfer_id: int, month: date, amount_fen: int, actor: Actor
) -> None:
    """…and puts it into the new county (the person's county by now)."""
    if amount_fen > 0:
        posting_write(
            spec=PostingSpec(
                person_id=person.pk,
                kind=PostingKind.TRANSFER_IN,
                month=month,
                amount_fen=amount_fen,
                key=f"transfer:{transfer_id}:in",
                memo=MEMOS[PostingKind.TRANSFER_IN],
            ),
            actor=actor,
        )
