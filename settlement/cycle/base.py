"""What a step of the monthly cycle is, and the one way a step posts to the ledger.

A step (`StepDef`) says which shards it has for a run (`plan`) and does one shard's work
(`work`). The runner calls `work` inside the transaction that marks the shard done, so a
shard's postings and its "done" commit together or not at all; `work` must therefore be
safe to call again after a rollback (it is: everything it writes is keyed).

A step never calls `post_entry` with keys of its own making for the cycle's money: it
describes the entries the month *should* have (`Desired`, with a logical key such as
`settle:2027-03:H32090200011:employee_pooled`) and calls `post_desired`:

- in a regular run each desired entry is posted under its logical key, dated in the month
  (posting the same entry again is a no-op: the ledger's idempotency key);
- in an adjustment run (the month is closed) the lines already posted under that logical
  key — the original and every earlier adjustment — are subtracted, and only the
  difference is posted, dated in the current open month, under `<key>|adj:<run id>`;
  entries posted before under the shard's `scope` prefix that are no longer desired are
  undone the same way. The closed month is never touched.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, Sum

from funds.models import Account, Book, Entry, Line
from funds.services import LineSpec, post_entries_bulk
from funds.services.ledger import EntrySpec
from pooling.kernel.permissions import SystemActor

ADJUST_MARK = "|adj:"


@dataclass(frozen=True)
class ShardContext:
    run_id: int
    month: date  # the month being settled (first day)
    shard: str  # the shard's key within its step, e.g. a county code or "providers:3"
    actor: SystemActor
    entry_date: date  # regular run: the month's last day; adjustment: today, in the open month
    adjustment: bool = False
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def month_label(self) -> str:
        return self.month.strftime("%Y-%m")


@dataclass(frozen=True)
class StepDef:
    name: str  # stable identifier, also in keys: "collection", "accounts", ...
    label: Any  # Chinese, lazy
    plan: Callable[[date], list[str]]  # shard keys for a month, in a stable order
    work: Callable[[ShardContext], dict[str, int]]  # counts shown on the run page


@dataclass
class Desired:
    """One entry the month should have, by its logical key."""

    book: str  # book code
    key: str
    memo: str
    lines: Sequence[LineSpec]
    source: str = "settlement.cycle"


@dataclass
class Posted:
    entries: int = 0  # entries written now (not already there)
    amount_fen: int = 0  # Σ debits written now


def post_desired(
    ctx: ShardContext,
    desired: Sequence[Desired],
    *,
    scope: str | None = None,
    frozen: Callable[[str], bool] | None = None,
) -> Posted:
    """Post what the month should have; in an adjustment run, only the differences.

    `frozen` names keys an adjustment leaves as they are even when no longer desired (money that
    left the bank in the closed month — a payment — is not undone in the books alone)."""
    by_book: dict[str, list[EntrySpec]] = defaultdict(list)
    if not ctx.adjustment:
        for d in desired:
            lines = [ln for ln in d.lines if ln.amount_fen]
            if lines:
                by_book[d.book].append(
                    EntrySpec(
                        key=d.key,
                        lines=lines,
                        memo=d.memo,
                        entry_date=ctx.entry_date,
                        source=d.source,
                    )
                )
    else:
        for book, spec in _differences(ctx, desired, scope, frozen):
            by_book[book].append(spec)
    result = Posted()
    for code, specs in by_book.items():
        before = set(
            Entry.objects.filter(key__in=[s.key for s in specs]).values_list("key", flat=True)
        )
        post_entries_bulk(book=Book.objects.get(code=code), entries=specs, actor=ctx.actor)
        for s in specs:
            if s.key not in before:
                result.entries += 1
                result.amount_fen += sum(ln.amount_fen for ln in s.lines if ln.amount_fen > 0)
    return result


def _differences(
    ctx: ShardContext,
    desired: Sequence[Desired],
    scope: str | None,
    frozen: Callable[[str], bool] | None,
) -> list[tuple[str, EntrySpec]]:
    wanted = {d.key: d for d in desired if not (frozen and frozen(d.key))}
    keys = set(wanted)
    if scope:  # entries posted before under this shard's scope, wanted or not
        keys |= {
            k.split(ADJUST_MARK)[0]
            for k in Entry.objects.filter(key__startswith=scope).values_list("key", flat=True)
        }
    if frozen:
        keys = {k for k in keys if not frozen(k)}
    out: list[tuple[str, EntrySpec]] = []
    for key in sorted(keys):
        d = wanted.get(key)
        have, book, memo = _posted(key)
        target: dict[tuple[str, str | None], int] = defaultdict(int)
        if d:
            book, memo = d.book, d.memo
            for ln in d.lines:
                code = ln.account.code if hasattr(ln.account, "code") else str(ln.account)
                target[(code, ln.county or _owner(book, code))] += ln.amount_fen
        diff = {k: target.get(k, 0) - have.get(k, 0) for k in set(target) | set(have)}
        lines = [
            LineSpec(code, amount, county)
            for (code, county), amount in sorted(
                diff.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")
            )
            if amount
        ]
        if lines and book:
            out.append(
                (
                    book,
                    EntrySpec(
                        key=f"{key}{ADJUST_MARK}{ctx.run_id}",
                        lines=lines,
                        memo=f"调整{ctx.month_label}：{memo}"[:200],
                        entry_date=ctx.entry_date,
                        source="settlement.cycle.adjust",
                    ),
                )
            )
    return out


def _owner(book: str, code: str) -> str:
    """The county a line defaults to: its account's (as the ledger does)."""
    return str(
        Account.objects.filter(book__code=book, code=code).values_list("county_id", flat=True).get()
    )


def _posted(key: str) -> tuple[dict[tuple[str, str | None], int], str | None, str]:
    """Lines already posted under a logical key (original and adjustments), by (account, county)."""
    entries = Entry.objects.filter(Q(key=key) | Q(key__startswith=key + ADJUST_MARK))
    first = entries.order_by("id").select_related("book").first()
    if first is None:
        return {}, None, ""
    sums = (
        Line.objects.filter(entry__in=entries)
        .values("account__code", "county_id")
        .annotate(total=Sum("amount_fen"))
    )
    return (
        {(r["account__code"], r["county_id"]): int(r["total"]) for r in sums},
        first.book.code,
        first.memo.split("：", 1)[-1],
    )
