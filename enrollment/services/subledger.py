"""The personal-account sub-ledger's one writer: `postings_write` (and `posting_write`, its
single-posting form), with the funds ledger's discipline.

1. The key is the identity of a movement: the same key with the same payload (person,
   kind, month, amount) is the posting already there; with another payload it is an
   error — never a second posting, also when two transactions race (unique index).
2. Every person is locked first (`lock_people`: id order, one statement), so the
   balance checked is the balance written, and a posting is accounted to the county the
   person belongs to at that moment (a transfer, holding the same lock, cannot slip in).
3. Nothing takes an account below zero (and the database refuses it too).
4. Set-wise: however many postings, a handful of statements — lock, read accounts,
   open the missing ones, look up the keys, insert, move the balances. No query per person.
   On PostgreSQL they are written by hand (`subledger_sql`: a settlement pays from an account
   hundreds of times a second, and the ORM's compiling cost more than the rest of the payment),
   the insert and the balances' move one statement; SQLite, the demo, keeps the ORM's.

The postings reach the funds books in batches (`enrollment.services.sweep`), so that
hundreds of payments a second do not queue on one control account's row lock.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext_lazy as _

from enrollment.models import INTO_ACCOUNT, AccountPosting, Person, PersonalAccount, PostingKind
from enrollment.services import subledger_sql
from enrollment.services.locks import lock_people
from pooling.kernel.dates import first_of_month
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.integrity import unique_clash
from pooling.kernel.money import format_yuan
from pooling.kernel.permissions import Actor, staff_user
from pooling.kernel.scoping import unrestricted

INSUFFICIENT = _("个人账户余额不足：余额 %(balance)s 元，本次支付 %(amount)s 元")
KEY_CONFLICT = _("记账幂等键 %(key)s 已用于另一笔不同的记账")
KEY_MISSING = _("每笔个人账户记账都需要幂等键（不超过200个字符）")
DUPLICATE_KEY_IN_BATCH = _("同一批次中记账幂等键 %(key)s 出现了两次")
BAD_AMOUNT = _("个人账户记账金额必须是非零的整数分，且方向与类型一致：%(value)s")
UNKNOWN_KIND = _("个人账户记账类型不正确：%(value)s")
UNKNOWN_PERSON = _("未找到参保人员（内部编号 %(id)s）")


@dataclass(frozen=True)
class PostingSpec:
    """One movement to write: + into the account, − out of it (the sign follows the kind)."""

    person_id: int
    kind: str
    month: date
    amount_fen: int
    key: str
    memo: str = ""


def payload_hash(spec: PostingSpec) -> str:
    """What the key stands for. Not the county (where the person is now is a consequence,
    not the request: a replay after a transfer is the same movement) nor the memo. The kind is
    taken as the enum member whether the caller passed it or its code, as stored hashes have it
    (so the same movement asked with "allocation" is not a different payload)."""
    kind = PostingKind(spec.kind) if spec.kind in PostingKind.values else spec.kind
    body = (spec.person_id, kind, first_of_month(spec.month).isoformat(), spec.amount_fen)
    return hashlib.sha256(repr(body).encode()).hexdigest()


@dataclass
class Written:
    postings: list[AccountPosting]  # in the order of the specs
    new: int  # how many were written now (the rest were there already under their key)


def posting_write(*, spec: PostingSpec, actor: Actor) -> AccountPosting:
    """Write one posting (or return the one already written under its key)."""
    return postings_write(specs=[spec], actor=actor).postings[0]


def postings_write(*, specs: Sequence[PostingSpec], actor: Actor) -> Written:
    """Write many postings in one transaction, every rule enforced for each; returns them
    in the order given (those already written under their key, as they are)."""
    _validate(specs)
    if connection.vendor == "postgresql":
        return _written_sql(specs, actor)
    return _written_orm(specs, actor)


def _written_orm(specs: Sequence[PostingSpec], actor: Actor) -> Written:
    """The steps through the ORM (SQLite, the embedded demo; PostgreSQL before issue 12)."""
    # The one transaction (or savepoint, inside the caller's) of the write: settlement
    # calls this hundreds of times a second, so no level more than needed. A key written
    # by another transaction after we looked (for another person, so not serialised by
    # our locks) meets the unique index: look again and answer as if we had seen it first.
    with unique_clash(lambda: _refuse_reused_keys(specs, _existing(specs))):
        people = lock_people(s.person_id for s in specs)
        _refuse_unknown(specs, {pk: p.county_id for pk, p in people.items()})
        return _written(specs, people, actor)
    raise AssertionError("unreachable")  # unique_clash raises the answer or the clash


def _written_sql(specs: Sequence[PostingSpec], actor: Actor) -> Written:
    """The same steps on PostgreSQL in hand-written statements (`subledger_sql`): lock, look up
    the keys, read the accounts, insert and move the balances in one statement.

    A key written meanwhile by another transaction is skipped by the insert (ON CONFLICT DO
    NOTHING) rather than refused by it, so one posting — a settlement's payment — needs no
    savepoint: when nothing was written, there is nothing to undo; the keys are looked up
    again and the answer is the one we would have given had we seen it first. Several postings
    keep their savepoint (what one of them wrote must go if another's key was taken), as does a
    write outside any transaction (its own, so the locks last until the write is done)."""
    single = len(specs) == 1 and connection.in_atomic_block
    with nullcontext() if single else transaction.atomic():
        counties = subledger_sql.lock_people(s.person_id for s in specs)
        _refuse_unknown(specs, counties)
        existing = subledger_sql.existing([s.key for s in specs])
        _refuse_reused_keys(specs, existing)
        new = [s for s in specs if s.key not in existing]
        if new:
            accounts = subledger_sql.accounts(sorted({s.person_id for s in new}))
            if len(accounts) < len({s.person_id for s in new}):
                # A first posting opens the account: the ORM's path (its savepoint undoes the
                # opening if the posting is refused). Rare: a payment needs a balance.
                return _written_orm(specs, actor)
            rows, deltas = _rows(new, counties, accounts, actor)
            _refuse_overdraft(accounts.values(), deltas)
            if subledger_sql.insert(rows) < len(rows):
                _refuse_reused_keys(specs, subledger_sql.existing([s.key for s in specs]))
                raise IntegrityError(f"{AccountPosting._meta.db_table}: a key taken meanwhile")
            existing.update((p.key, p) for p in rows)
        return Written(postings=[existing[s.key] for s in specs], new=len(new))


def _refuse_unknown(specs: Sequence[PostingSpec], counties: dict[int, str]) -> None:
    missing = sorted({s.person_id for s in specs} - set(counties))
    if missing:
        raise BusinessRuleError(UNKNOWN_PERSON, code="unknown_person", params={"id": missing[0]})


def _validate(specs: Sequence[PostingSpec]) -> None:
    seen: set[str] = set()
    for spec in specs:
        if not spec.key or len(spec.key) > 200:
            raise BusinessRuleError(KEY_MISSING, code="key", field="key")
        if spec.key in seen:
            raise BusinessRuleError(
                DUPLICATE_KEY_IN_BATCH, code="key_in_batch", params={"key": spec.key}
            )
        seen.add(spec.key)
        if spec.kind not in PostingKind.values:
            raise BusinessRuleError(UNKNOWN_KIND, code="kind", params={"value": spec.kind})
        amount = spec.amount_fen
        if type(amount) is not int or amount == 0 or (amount > 0) != (spec.kind in INTO_ACCOUNT):
            raise BusinessRuleError(
                BAD_AMOUNT, code="amount", field="amount", params={"value": amount}
            )


def _existing(specs: Sequence[PostingSpec]) -> dict[str, AccountPosting]:
    with unrestricted():  # keys are unique city-wide; a clerk's scope is checked on insert
        return {p.key: p for p in AccountPosting.objects.filter(key__in=[s.key for s in specs])}


def _refuse_reused_keys(specs: Sequence[PostingSpec], existing: dict[str, AccountPosting]) -> None:
    for spec in specs:
        found = existing.get(spec.key)
        if found is not None and found.payload_hash != payload_hash(spec):
            raise BusinessRuleError(KEY_CONFLICT, code="key_conflict", params={"key": spec.key})


def _written(specs: Sequence[PostingSpec], people: dict[int, Person], actor: Actor) -> Written:
    existing = _existing(specs)
    _refuse_reused_keys(specs, existing)
    new = [s for s in specs if s.key not in existing]
    if new:
        accounts = accounts_for(sorted({s.person_id for s in new}))
        counties = {pk: p.county_id for pk, p in people.items()}
        rows, deltas = _rows(new, counties, accounts, actor)
        _refuse_overdraft(accounts.values(), deltas)
        AccountPosting.objects.bulk_create(rows)  # one INSERT; checked against the caller's scope
        _move_balances(deltas)
        existing.update((p.key, p) for p in rows)
    return Written(postings=[existing[s.key] for s in specs], new=len(new))


def _rows(
    new: list[PostingSpec],
    counties: dict[int, str],
    accounts: dict[int, PersonalAccount],
    actor: Actor,
) -> tuple[list[AccountPosting], dict[int, int]]:
    """The postings to insert (each in the county its person is in now) and what they move
    each account's balance by."""
    deltas: dict[int, int] = defaultdict(int)
    for spec in new:
        deltas[accounts[spec.person_id].pk] += spec.amount_fen
    created_by_id = getattr(staff_user(actor), "pk", None)
    rows = [
        AccountPosting(
            county_id=counties[s.person_id],
            account_id=accounts[s.person_id].pk,
            kind=s.kind,
            month=first_of_month(s.month),
            amount_fen=s.amount_fen,
            key=s.key,
            payload_hash=payload_hash(s),
            memo=s.memo[:200],
            created_by_id=created_by_id,
        )
        for s in new
    ]
    return rows, deltas


def accounts_for(person_ids: list[int]) -> dict[int, PersonalAccount]:
    """The accounts of these (locked) people by person id, opening those they lack."""
    with unrestricted():  # the account belongs to the person wherever they are
        found = {a.person_id: a for a in PersonalAccount.objects.filter(person_id__in=person_ids)}
        lacking = [pk for pk in person_ids if pk not in found]
        if lacking:
            PersonalAccount.objects.bulk_create([PersonalAccount(person_id=pk) for pk in lacking])
            found.update(
                (a.person_id, a) for a in PersonalAccount.objects.filter(person_id__in=lacking)
            )
    return found


def _refuse_overdraft(accounts: Iterable[PersonalAccount], deltas: dict[int, int]) -> None:
    for account in accounts:
        delta = deltas.get(account.pk, 0)
        if delta < 0 and account.balance_fen + delta < 0:
            raise BusinessRuleError(
                INSUFFICIENT,
                code="insufficient",
                field="amount",
                params={"balance": format_yuan(account.balance_fen), "amount": format_yuan(-delta)},
            )


def _move_balances(deltas: dict[int, int]) -> None:
    """Every touched account's balance moves by exactly what was posted, in one statement."""
    table = PersonalAccount._meta.db_table
    rows = sorted((pk, delta) for pk, delta in deltas.items() if delta)
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} AS a SET balance_fen = a.balance_fen + d.delta"
                " FROM unnest(%s::bigint[], %s::bigint[]) AS d(id, delta) WHERE a.id = d.id",
                [[pk for pk, _d in rows], [d for _pk, d in rows]],
            )
        else:  # SQLite, the embedded demo: one writer at a time anyway
            cursor.executemany(
                f"UPDATE {table} SET balance_fen = balance_fen + %s WHERE id = %s",
                [(d, pk) for pk, d in rows],
            )
