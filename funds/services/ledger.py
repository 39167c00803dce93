"""Posting: the only way money moves in this system.

`post_entry` (one entry) and `post_entries_bulk` (many, one transaction) share
one path that
1. refuses anything that would make the books lie (unbalanced, fewer than two
   lines, a zero or non-integer amount, an account of another book, a line
   accounted to a county the account does not belong to, a closed period);
2. treats the idempotency key as the identity of the movement: the same key with
   the same payload returns the entry already posted, with another payload it is
   an error — never a second entry, also when two workers race (unique index);
3. locks every touched account in id order (a fixed order, so two postings can
   never deadlock on each other) and refuses to overdraw a "no overdraft" account;
4. maintains `Account.balance_fen` and `AccountTotal` in the same transaction.

On PostgreSQL the database repeats the checks of (1) and the overdraft rule in
triggers and constraints (migration 0002), so raw SQL cannot bypass them either.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funds.chart import DEBIT
from funds.models import Account, AccountTotal, Book, Entry, Line, Period
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import Actor, require, staff_user
from pooling.kernel.scoping import OTHER_COUNTY, READ_ONLY, current_scope, unrestricted

UNBALANCED = _("分录借贷不平衡：借方合计 %(debit)s 分，贷方合计 %(credit)s 分")
TOO_FEW_LINES = _("一笔分录至少需要两行")
BAD_AMOUNT = _("金额必须是非零的整数分：%(value)s")
OTHER_BOOK = _("科目 %(account)s 不属于账簿 %(book)s，不得跨账簿记账")
UNKNOWN_ACCOUNT = _("账簿 %(book)s 中没有科目 %(account)s")
WRONG_COUNTY = _("科目 %(account)s 属于 %(owner)s，不能记入 %(county)s 的金额")
PERIOD_CLOSED = _("会计期间 %(period)s 已结账，不能再记账")
KEY_REUSED = _("幂等键 %(key)s 已用于内容不同的另一笔分录")
KEY_MISSING = _("每笔分录都需要幂等键（不超过200个字符）")
DUPLICATE_KEY_IN_BATCH = _("同一批次中幂等键 %(key)s 出现了两次")
OVERDRAFT = _("科目 %(account)s 不得透支：余额 %(balance)s 分，本次减少 %(amount)s 分")
ALREADY_REVERSED = _("分录 #%(id)s 已被冲销，不能再次冲销")
MEMO_MISSING = _("请填写摘要（不超过200个字符）")


@dataclass(frozen=True)
class LineSpec:
    """One line to post: debit positive, credit negative; county defaults to the account's."""

    account: Account | str
    amount_fen: int
    county: str | None = None


def dr(account: Account | str, amount_fen: int, county: str | None = None) -> LineSpec:
    return LineSpec(account, amount_fen, county)


def cr(account: Account | str, amount_fen: int, county: str | None = None) -> LineSpec:
    return LineSpec(account, -amount_fen, county)


@dataclass
class EntrySpec:
    key: str
    lines: Sequence[LineSpec]
    memo: str
    entry_date: date | None = None
    source: str = ""
    reverses: Entry | None = None
    # Filled in while posting.
    resolved: list[tuple[Account, str, int]] = field(default_factory=list)
    payload_hash: str = ""


def post_entry(
    *,
    key: str,
    book: Book,
    lines: Sequence[LineSpec],
    memo: str,
    source: str = "",
    actor: Actor,
    entry_date: date | None = None,
    reverses: Entry | None = None,
) -> Entry:
    """Post one balanced entry (or return the one already posted under `key`).

    The payload behind the key is the book, the date, memo, source, the reversed
    entry and the lines. A caller that may replay on another day passes `entry_date`
    (it defaults to today, and a different date is a different payload).
    """
    spec = EntrySpec(
        key=key, lines=lines, memo=memo, entry_date=entry_date, source=source, reverses=reverses
    )
    return post_entries_bulk(book=book, entries=[spec], actor=actor)[0]


def post_entries_bulk(*, book: Book, entries: Sequence[EntrySpec], actor: Actor) -> list[Entry]:
    """Post many entries of one book in one transaction, every rule enforced for each.

    Returns the entries in the order given; those already posted under their key
    with the same payload are returned as they are (not posted again).
    """
    require(actor, "ledger.post")
    scope = current_scope()
    if scope.read_only:
        raise PermissionDenied(READ_ONLY)
    with unrestricted(), transaction.atomic():
        accounts = _resolve_accounts(book, entries)
        seen: set[str] = set()
        for spec in entries:
            _validate(book, spec, accounts, seen)
        if not scope.all_regions:  # a clerk posts only amounts accounted to their county
            if any(not scope.allows(c) for s in entries for _a, c, _amt in s.resolved):
                raise PermissionDenied(OTHER_COUNTY)
        for attempt in range(2):
            try:
                with transaction.atomic():
                    return _post_validated(book, entries, actor)
            except IntegrityError:
                # Another transaction committed one of our keys between our check
                # and our insert: run the check again against what it committed.
                if attempt:
                    raise
        raise AssertionError("unreachable")


def _resolve_accounts(book: Book, entries: Sequence[EntrySpec]) -> dict[Any, Account]:
    """Load every referenced account once, by id and by code."""
    ids = {ln.account.id for s in entries for ln in s.lines if isinstance(ln.account, Account)}
    codes = {ln.account for s in entries for ln in s.lines if isinstance(ln.account, str)}
    found: dict[Any, Account] = {}
    query = Account.objects.filter(pk__in=ids) | Account.objects.filter(book=book, code__in=codes)
    for account in query:
        found[account.id] = account
        if account.book_id == book.id:
            found[account.code] = account
    return found


def _validate(book: Book, spec: EntrySpec, accounts: dict[Any, Account], seen: set[str]) -> None:
    if not spec.key or len(spec.key) > 200:
        raise BusinessRuleError(KEY_MISSING, code="key", field="key")
    if spec.key in seen:
        raise BusinessRuleError(
            DUPLICATE_KEY_IN_BATCH, code="key_in_batch", params={"key": spec.key}
        )
    seen.add(spec.key)
    if not spec.memo or len(spec.memo) > 200:
        raise BusinessRuleError(MEMO_MISSING, code="memo", field="memo")
    if len(spec.lines) < 2:
        raise BusinessRuleError(TOO_FEW_LINES, code="too_few_lines")
    resolved = []
    debit = credit = 0
    for line in spec.lines:
        amount = line.amount_fen
        if type(amount) is not int or amount == 0:
            raise BusinessRuleError(BAD_AMOUNT, code="amount", params={"value": amount})
        ref = line.account.id if isinstance(line.account, Account) else line.account
        account = accounts.get(ref)
        if account is None:
            raise BusinessRuleError(
                UNKNOWN_ACCOUNT, code="account", params={"book": book.code, "account": ref}
            )
        if account.book_id != book.id:
            raise BusinessRuleError(
                OTHER_BOOK, code="other_book", params={"account": account.code, "book": book.code}
            )
        county = line.county or account.county_id
        if not account.city_level and county != account.county_id:
            raise BusinessRuleError(
                WRONG_COUNTY,
                code="county",
                params={"account": account.code, "owner": account.county_id, "county": county},
            )
        resolved.append((account, county, amount))
        if amount > 0:
            debit += amount
        else:
            credit -= amount
    if debit != credit:
        raise BusinessRuleError(
            UNBALANCED, code="unbalanced", params={"debit": debit, "credit": credit}
        )
    spec.entry_date = spec.entry_date or timezone.localdate()
    spec.resolved = resolved
    spec.payload_hash = payload_hash(book, spec)


def payload_hash(book: Book, spec: EntrySpec) -> str:
    """What the key stands for: the same key must always mean exactly this."""
    body = (
        book.code,
        spec.entry_date.isoformat() if spec.entry_date else None,
        spec.memo,
        spec.source,
        spec.reverses.id if spec.reverses else None,
        sorted((acc.code, county, amount) for acc, county, amount in spec.resolved),
    )
    # repr of str/int/None tuples is canonical and stable across runs and versions.
    return hashlib.sha256(repr(body).encode()).hexdigest()


def _post_validated(book: Book, entries: Sequence[EntrySpec], actor: Actor) -> list[Entry]:
    existing = {e.key: e for e in Entry.objects.filter(key__in=[s.key for s in entries])}
    for spec in entries:
        found = existing.get(spec.key)
        if found is not None and found.payload_hash != spec.payload_hash:
            raise BusinessRuleError(KEY_REUSED, code="key_reused", params={"key": spec.key})
    new = sorted((s for s in entries if s.key not in existing), key=lambda s: s.key)
    if new:
        periods = _open_periods(book, new)
        deltas, totals = _movements(new, periods)
        locked = _lock_accounts(set(deltas))
        _check_overdraft(deltas, locked)
        posted = _insert(book, new, periods, actor)
        _apply_balances(deltas, totals)
        existing.update(posted)
    return [existing[s.key] for s in entries]


def _open_periods(book: Book, entries: Iterable[EntrySpec]) -> dict[tuple[int, int], Period]:
    months = sorted({(s.entry_date.year, s.entry_date.month) for s in entries if s.entry_date})
    periods = {}
    for year, month in months:
        period, _created = Period.objects.get_or_create(book=book, year=year, month=month)
        periods[(year, month)] = period
    ids = [p.pk for p in periods.values()]
    # FOR SHARE: a concurrent period close waits for us, and we see it if it won.
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, status FROM funds_period WHERE id IN ({','.join(['%s'] * len(ids))})"
            f" ORDER BY id{lock}",
            ids,
        )
        closed = {pk for pk, status in cursor.fetchall() if status == Period.CLOSED}
    for period in periods.values():
        if period.pk in closed:
            raise BusinessRuleError(
                PERIOD_CLOSED, code="period_closed", params={"period": period.label}
            )
    return periods


def _lock_accounts(ids: set[int]) -> dict[int, Account]:
    """Row locks in ascending id: every posting takes them in the same order."""
    return {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


Totals = dict[tuple[int, str, int], list[int]]


def _movements(
    entries: Sequence[EntrySpec], periods: dict[tuple[int, int], Period]
) -> tuple[dict[int, int], Totals]:
    """One pass over the lines: net change per account, and debit/credit/count per total row."""
    deltas: dict[int, int] = defaultdict(int)
    totals: Totals = defaultdict(lambda: [0, 0, 0])
    for spec in entries:
        period_id = periods[(_day(spec).year, _day(spec).month)].id
        for account, county, amount in spec.resolved:
            deltas[account.id] += amount
            total = totals[(account.id, county, period_id)]
            if amount > 0:
                total[0] += amount
            else:
                total[1] -= amount
            total[2] += 1
    return deltas, totals


def _check_overdraft(deltas: dict[int, int], locked: dict[int, Account]) -> None:
    for pk, delta in deltas.items():
        account = locked[pk]
        after = account.balance_fen + delta
        if account.no_overdraft and (after < 0 if account.side == DEBIT else after > 0):
            raise BusinessRuleError(
                OVERDRAFT,
                code="overdraft",
                params={
                    "account": f"{account.code} {account.name}",
                    "balance": account.normal_balance_fen,
                    "amount": abs(delta),
                },
            )


def _insert(
    book: Book, entries: Sequence[EntrySpec], periods: dict[tuple[int, int], Period], actor: Actor
) -> dict[str, Entry]:
    staff = staff_user(actor)
    actor_id = staff.pk if staff is not None else None
    now = timezone.now()
    # *_id keyword arguments: the related-object descriptors cost more than the COPY itself.
    rows = [
        Entry(
            book_id=book.id,
            period_id=periods[(_day(s).year, _day(s).month)].id,
            key=s.key,
            payload_hash=s.payload_hash,
            entry_date=_day(s),
            memo=s.memo,
            source=s.source,
            reverses_id=s.reverses.id if s.reverses else None,
            created_by_id=actor_id,
            posted_at=now,
        )
        for s in entries
    ]
    if connection.vendor == "postgresql" and len(rows) > 200:
        _copy_entries(rows)
    else:
        Entry.objects.bulk_create(rows)
    by_key = {e.key: e for e in rows}
    line_rows = [
        (by_key[s.key].id, book.id, acc.id, county, amount, actor_id)
        for s in entries
        for acc, county, amount in s.resolved
    ]
    if connection.vendor == "postgresql":
        _copy_lines(line_rows)
    else:
        Line.objects.bulk_create(
            [
                Line(
                    entry_id=e,
                    book_id=b,
                    account_id=a,
                    county_id=c,
                    amount_fen=amt,
                    created_by_id=u,
                )
                for e, b, a, c, amt, u in line_rows
            ]
        )
    return by_key


def _day(spec: EntrySpec) -> date:
    assert spec.entry_date is not None  # set by _validate
    return spec.entry_date


def _copy_entries(rows: list[Entry]) -> None:
    """COPY with ids drawn from the sequence first: far faster than INSERT … RETURNING."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('funds_entry', 'id'))"
            " FROM generate_series(1, %s)",
            [len(rows)],
        )
        for entry, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            entry.pk = pk
        columns = (
            "id, book_id, period_id, key, payload_hash, entry_date, memo, source,"
            " reverses_id, created_by_id, posted_at"
        )
        with cursor.cursor.copy(f"COPY funds_entry ({columns}) FROM STDIN") as copy:
            for e in rows:
                copy.write_row(
                    (
                        e.id,
                        e.book_id,
                        e.period_id,
                        e.key,
                        e.payload_hash,
                        e.entry_date,
                        e.memo,
                        e.source,
                        e.reverses_id,
                        e.created_by_id,
                        e.posted_at,
                    )
                )


def _copy_lines(rows: list[tuple[int, int, int, str, int, int | None]]) -> None:
    # Every value is an integer or a six-digit code: COPY text needs no escaping, and one
    # joined string is several times cheaper than a write_row call per line.
    null = "\\N"  # COPY's NULL
    text = "".join(
        f"{e}\t{b}\t{a}\t{c}\t{amt}\t{null if u is None else u}\n" for e, b, a, c, amt, u in rows
    )
    with connection.cursor() as cursor:
        columns = "entry_id, book_id, account_id, county_id, amount_fen, created_by_id"
        with cursor.cursor.copy(f"COPY funds_line ({columns}) FROM STDIN") as copy:
            copy.write(text)


def _apply_balances(deltas: dict[int, int], totals: Totals) -> None:
    """Move the maintained balances and totals by exactly what was posted."""
    table = AccountTotal._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE funds_account SET balance_fen = balance_fen + %s WHERE id = %s",
            [(delta, pk) for pk, delta in sorted(deltas.items()) if delta],
        )
        rows: list[tuple[Any, ...]] = [
            (a, c, p, *vals) for (a, c, p), vals in sorted(totals.items())
        ]
        upsert = (
            " ON CONFLICT (account_id, county_id, period_id) DO UPDATE SET"
            f" debit_fen = {table}.debit_fen + excluded.debit_fen,"
            f" credit_fen = {table}.credit_fen + excluded.credit_fen,"
            f" line_count = {table}.line_count + excluded.line_count"
        )
        columns = f"INSERT INTO {table} (account_id, county_id, period_id, debit_fen, credit_fen, line_count)"
        if connection.vendor == "postgresql":
            # One statement for the whole batch (sorted, so row locks come in a fixed order).
            cursor.execute(
                f"{columns} SELECT * FROM unnest(%s::bigint[], %s::varchar[], %s::bigint[],"
                f" %s::bigint[], %s::bigint[], %s::bigint[]){upsert}",
                [list(col) for col in zip(*rows, strict=True)],
            )
        else:
            cursor.executemany(f"{columns} VALUES (%s, %s, %s, %s, %s, %s){upsert}", rows)


def reverse_entry(
    *, entry: Entry, actor: Actor, entry_date: date | None = None, memo: str = "", key: str = ""
) -> Entry:
    """Correct a mistake: post the mirror image of `entry` (into an open period)."""
    require(actor, "ledger.reverse")
    if Entry.objects.filter(reverses=entry).exclude(key=key or f"reversal:{entry.key}").exists():
        raise BusinessRuleError(ALREADY_REVERSED, code="already_reversed", params={"id": entry.pk})
    with unrestricted():  # all lines, or a clerk could reverse half an entry
        lines = [
            LineSpec(line.account, -line.amount_fen, line.county_id)
            for line in Line.objects.filter(entry=entry).select_related("account")
        ]
    return post_entry(
        key=key or f"reversal:{entry.key}",
        book=entry.book,
        lines=lines,
        memo=memo or f"冲销：{entry.memo}"[:200],
        source="funds.reversal",
        actor=actor,
        entry_date=entry_date,
        reverses=entry,
    )


@transaction.atomic
def period_close(*, book: Book, year: int, month: int, actor: Actor) -> Period:
    """Close a month: from now on nothing is posted into it (corrections go to an open month)."""
    require(actor, "period.close")
    scope = current_scope()
    if scope.read_only or not scope.all_regions:  # a city decision, never a county's
        raise PermissionDenied(READ_ONLY if scope.read_only else OTHER_COUNTY)
    period, _created = Period.objects.get_or_create(book=book, year=year, month=month)
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.status != Period.CLOSED:
        period.status = Period.CLOSED
        period.closed_at = timezone.now()
        period.closed_by = staff_user(actor)
        period.save(update_fields=["status", "closed_at", "closed_by"])
    return period
