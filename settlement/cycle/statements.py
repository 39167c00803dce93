"""Providers' monthly statements (结算单): written by the provider step, read by the pages.

A statement is one row per provider × month (`ProviderMonthStatement`), written with
`update_or_create` in the shard's transaction: the same shard run again, or an adjustment
run recomputing a closed month, leaves the one row holding what the month should have.
It also carries the comparison with what the provider reported for the month in 3201
(totals: the latest report for exactly the month, with no insutype/clr_type filter, is
compared afresh with the month's figures; without one, the differences found when the
reports of parts of the month arrived are listed) and 3202 (details: the row differences
found when each report arrived).

What a month leaves for later months (its kept amounts per book, its unapplied
deductions) is carried by the first later month the provider is paid (`provider_pay`
documents the rule); each statement records in `carried_out` the share each month took,
keyed by that month, and `carry_pending` says whether anything is left, so the next run
finds the statements to carry from without reading every earlier month.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from pooling.kernel.audit import audit_created, audit_updated
from pooling.kernel.dates import month_end
from pooling.kernel.scoping import unrestricted
from settlement.cycle.base import ShardContext
from settlement.cycle.provider_figures import ProviderFigures
from settlement.cycle.provider_pay import ProviderPay
from settlement.models import ProviderMonthStatement, ProviderStatement

MAX_DIFFERENCES = 200  # per provider and month: the page lists them, the report's own row keeps all
ITEMS = {
    "count": "结算笔数",
    "medfee_sumamt": "医疗费总额",
    "fund_pay_sumamt": "基金支付总额",
    "acct_pay": "个人账户支出",
}


@dataclass(frozen=True)
class Written:
    statements: int
    differences: int


def provider_statements_write(
    ctx: ShardContext, pays: Sequence[ProviderPay], figures: dict[int, ProviderFigures]
) -> Written:
    """Create or bring up to date the statements of these providers (bulk, audited row by row)."""
    reports = _reports(ctx.month, [p.provider_id for p in pays])
    with unrestricted():
        existing = {
            s.provider_id: s
            for s in ProviderMonthStatement.objects.select_for_update().filter(
                month=ctx.month, provider_id__in=[p.provider_id for p in pays]
            )
        }
        new: list[ProviderMonthStatement] = []
        changed: list[tuple[ProviderMonthStatement, dict[str, list[Any]]]] = []
        differences = 0
        for p in pays:
            old = existing.get(p.provider_id)
            values = _values(
                ctx,
                p,
                figures.get(p.provider_id) or ProviderFigures(p.provider_id),
                reports.get(p.provider_id, []),
            )
            values["carry_pending"] = bool(
                outstanding(
                    values["books"],
                    values["deductions_unapplied_fen"],
                    old.carried_out if old else {},
                )
            )
            differences += len(values["differences"])
            if old is None:
                new.append(
                    ProviderMonthStatement(provider_id=p.provider_id, month=ctx.month, **values)
                )
                continue
            diff = {k: [getattr(old, k), v] for k, v in values.items() if getattr(old, k) != v}
            if diff:
                for k, v in values.items():
                    setattr(old, k, v)
                old.computed_at = timezone.now()
                changed.append((old, diff))
        ProviderMonthStatement.objects.bulk_create(new)
        audit_created(new, actor=ctx.actor)
        if changed:
            ProviderMonthStatement.objects.bulk_update(
                [o for o, _d in changed], [*STATEMENT_FIELDS, "computed_at"]
            )
            audit_updated(changed, actor=ctx.actor)
        if not ctx.adjustment:  # an adjustment's carried amounts are as paid (frozen)
            _mark_carried(ctx, [p.provider_id for p in pays if not p.held])
    return Written(statements=len(pays), differences=differences)


STATEMENT_FIELDS = (
    "handling_unit_id",
    "person_times",
    "medfee_sumamt",
    "hifp_pay",
    "maternity_pay",
    "hifmi_pay",
    "hifob_pay",
    "acct_pay",
    "payable_fen",
    "deductions_fen",
    "deductions_carried_fen",
    "deductions_unapplied_fen",
    "deposit_withheld_fen",
    "deposit_released_fen",
    "deposit_forfeited_fen",
    "deposit_release_year",
    "net_payable_fen",
    "held",
    "kept_fen",
    "carried_fen",
    "carry_pending",
    "provider_state",
    "books",
    "differences",
    "reports",
    "run_id",
    "adjusted",
)


def _values(
    ctx: ShardContext, p: ProviderPay, f: ProviderFigures, reports: list[ProviderStatement]
) -> dict[str, Any]:
    books = list(p.books.values())
    values = {
        "handling_unit_id": p.unit,
        "person_times": f.person_times,
        "medfee_sumamt": f.medfee_sumamt,
        "hifp_pay": f.hifp_pay,
        "maternity_pay": f.maternity_pay,
        "hifmi_pay": f.hifmi_pay,
        "hifob_pay": f.hifob_pay,
        "acct_pay": f.acct_pay,
        "payable_fen": sum(b.gross_fen for b in books),
        "deductions_fen": p.deductions_fen,
        "deductions_carried_fen": p.deductions_carried_fen,
        "deductions_unapplied_fen": p.deductions_unapplied_fen,
        "deposit_withheld_fen": sum(b.deposit_withheld_fen for b in books),
        "deposit_released_fen": sum(b.deposit_released_fen for b in books),
        "deposit_forfeited_fen": sum(b.deposit_forfeited_fen for b in books),
        "deposit_release_year": p.release_year,
        "net_payable_fen": sum(b.net_fen for b in books),
        "held": p.held,
        "kept_fen": sum(b.kept_fen for b in books),
        "carried_fen": sum(b.carried_fen for b in books),
        "provider_state": p.state,
        "books": [b.as_dict() for b in books],
        "differences": compare_reports(ctx.month, f, reports)[:MAX_DIFFERENCES],
        "reports": len(reports),
        "run_id": ctx.run_id,
        "adjusted": ctx.adjustment,
    }
    assert set(values) | {"carry_pending"} == set(STATEMENT_FIELDS)
    return values


def _reports(month: date, provider_ids: list[int]) -> dict[int, list[ProviderStatement]]:
    out: dict[int, list[ProviderStatement]] = defaultdict(list)
    with unrestricted():
        for r in ProviderStatement.objects.filter(
            provider_id__in=provider_ids, begin__gte=month, end__lte=month_end(month)
        ).order_by("received_at", "id"):
            out[r.provider_id].append(r)
    return out


def compare_reports(
    month: date, ours: ProviderFigures, reports: list[ProviderStatement]
) -> list[dict[str, Any]]:
    """Every difference between what the provider reported for the month and our figures."""
    whole = [
        r
        for r in reports
        if r.kind == ProviderStatement.KIND_TOTALS
        and r.begin == month
        and r.end == month_end(month)
        and not r.insutype
        and not r.clr_type
    ]
    latest = whole[-1] if whole else None
    found: list[dict[str, Any]] = []
    mine = {
        "count": ours.person_times,
        "medfee_sumamt": ours.medfee_sumamt,
        "fund_pay_sumamt": ours.fund_pay_sumamt,
        "acct_pay": ours.acct_pay,
    }
    for r in reports:
        source = "3201" if r.kind == ProviderStatement.KIND_TOTALS else "3202"
        period = f"{r.begin:%m-%d}–{r.end:%m-%d}"
        if r is latest:
            found += [
                {
                    "source": source,
                    "msgid": r.msgid,
                    "period": period,
                    "item": ITEMS[key],
                    "theirs": r.theirs.get(key),
                    "ours": value,
                    "money": key != "count",
                }
                for key, value in mine.items()
                if r.theirs.get(key) != value
            ]
        elif r.kind == ProviderStatement.KIND_DETAILS or latest is None or r.kind != latest.kind:
            found += [
                {
                    "source": source,
                    "msgid": r.msgid,
                    "period": period,
                    "item": d.get("label") or d.get("setl_id") or "",
                    "theirs": d.get("theirs"),
                    "ours": d.get("ours"),
                    "memo": d.get("memo", ""),
                    "money": d.get("item") not in (None, "count"),
                }
                for d in r.differences
            ]
    return found


@dataclass(frozen=True)
class Carry:
    """What earlier months leave for a later one: kept amounts per book, unapplied deductions."""

    books: dict[str, int]
    deductions_fen: int = 0

    def __bool__(self) -> bool:
        return bool(self.deductions_fen or any(self.books.values()))


def outstanding(
    books: list[dict[str, Any]], unapplied: int, carried_out: dict[str, Any], *, besides: str = ""
) -> Carry:
    """What a statement has still to carry: kept (and unapplied) less what every month but
    `besides` took (a month run again takes its own share again). A deduction later reduced
    below what was taken is not refunded here (only positive deductions are carried)."""
    left: dict[str, int] = defaultdict(int)
    for b in books:
        left[b["book"]] += int(b.get("kept", 0))
    deductions = unapplied
    for label, share in carried_out.items():
        if label != besides:
            for book, amount in share.get("books", {}).items():
                left[book] -= int(amount)
            deductions -= int(share.get("deductions", 0))
    return Carry({b: v for b, v in left.items() if v}, max(deductions, 0))


def _sources(provider_ids: list[int], month: date) -> QuerySet[ProviderMonthStatement]:
    """Earlier statements with something left to carry, or that `month` already carried from."""
    return ProviderMonthStatement.objects.filter(
        provider_id__in=provider_ids, month__lt=month
    ).filter(Q(carry_pending=True) | Q(carried_out__has_key=month.strftime("%Y-%m")))


def carried_into_month(*, provider_ids: list[int], month: date) -> dict[int, Carry]:
    """Per provider, what earlier months left in the payable (per book) and left undeducted, to
    carry into `month`."""
    label = month.strftime("%Y-%m")
    books: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    deductions: dict[int, int] = defaultdict(int)
    with unrestricted():
        for row in _sources(provider_ids, month):
            left = outstanding(
                row.books, row.deductions_unapplied_fen, row.carried_out, besides=label
            )
            for book, amount in left.books.items():
                books[row.provider_id][book] += amount
            deductions[row.provider_id] += left.deductions_fen
    found = {pk: Carry(dict(books[pk]), deductions[pk]) for pk in set(books) | set(deductions)}
    return {pk: c for pk, c in found.items() if c}


def _mark_carried(ctx: ShardContext, provider_ids: list[int]) -> None:
    """Record in each earlier statement the share this month carried (its `carried_out`)."""
    label = ctx.month.strftime("%Y-%m")
    changed = []
    for row in _sources(provider_ids, ctx.month).select_for_update():
        was = {f: getattr(row, f) for f in CARRY_FIELDS}
        left = outstanding(row.books, row.deductions_unapplied_fen, row.carried_out, besides=label)
        carried_out = {k: v for k, v in row.carried_out.items() if k != label}
        if left:
            carried_out[label] = {"books": left.books, "deductions": left.deductions_fen}
        row.carried_out = carried_out
        row.carry_pending = bool(outstanding(row.books, row.deductions_unapplied_fen, carried_out))
        row.carried_into = date.fromisoformat(f"{max(carried_out)}-01") if carried_out else None
        diff = {f: [was[f], getattr(row, f)] for f in CARRY_FIELDS if was[f] != getattr(row, f)}
        if diff:
            changed.append((row, diff))
    ProviderMonthStatement.objects.bulk_update([r for r, _d in changed], list(CARRY_FIELDS))
    audit_updated(changed, actor=ctx.actor)


CARRY_FIELDS = ("carried_out", "carry_pending", "carried_into")


def paid_as_stated(
    *, provider_ids: list[int], month: date
) -> dict[int, tuple[dict[str, Any], int]]:
    """Per provider stated for `month`: its books as paid (by book) and the deductions it carried
    in — what an adjustment of the closed month leaves as it was."""
    with unrestricted():
        rows = ProviderMonthStatement.objects.filter(
            provider_id__in=provider_ids, month=month
        ).values_list("provider_id", "books", "deductions_carried_fen")
        return {pk: ({b["book"]: b for b in books}, carried) for pk, books, carried in rows}


def released_elsewhere(*, provider_ids: list[int], year: int, month: date) -> set[int]:
    """Providers whose deposit of `year` a statement of another month already released."""
    with unrestricted():
        return set(
            ProviderMonthStatement.objects.filter(
                provider_id__in=provider_ids, deposit_release_year=year
            )
            .exclude(month=month)
            .values_list("provider_id", flat=True)
        )


def withheld_in_year(*, provider_ids: list[int], year: int) -> dict[int, dict[str, int]]:
    """Deposit withheld from each provider in `year`, per book, as its statements record it."""
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    with unrestricted():
        rows = ProviderMonthStatement.objects.filter(provider_id__in=provider_ids, month__year=year)
        for provider_id, books in rows.values_list("provider_id", "books"):
            for b in books:
                out[provider_id][b["book"]] += int(b["withheld"])
    return {pk: dict(v) for pk, v in out.items()}


# -- pages ---------------------------------------------------------------------------------


def statements_of_month(*, month: date) -> QuerySet[ProviderMonthStatement]:
    """The month's statements the caller may see (county clerks: providers their unit handles)."""
    return (
        ProviderMonthStatement.objects.filter(month=month)
        .select_related("provider", "handling_unit")
        .order_by("provider__national_code")
    )


def statement_get(*, month: date, code: str) -> ProviderMonthStatement:
    return statements_of_month(month=month).get(provider__national_code=code)
