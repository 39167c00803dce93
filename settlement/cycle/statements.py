"""Providers' monthly statements (结算单): written by the provider step, read by the pages.

A statement is one row per provider × month (`ProviderMonthStatement`), written with
`update_or_create` in the shard's transaction: the same shard run again, or an adjustment
run recomputing a closed month, leaves the one row holding what the month should have.
It also carries the comparison with what the provider reported for the month in 3201
(totals: the latest report for exactly the month, with no insutype/clr_type filter, is
compared afresh with the month's figures; without one, the differences found when the
reports of parts of the month arrived are listed) and 3202 (details: the row differences
found when each report arrived).
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
            values = _values(
                ctx,
                p,
                figures.get(p.provider_id) or ProviderFigures(p.provider_id),
                reports.get(p.provider_id, []),
            )
            differences += len(values["differences"])
            old = existing.get(p.provider_id)
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
        _mark_carried(
            ctx, [p.provider_id for p in pays if any(b.carried_fen for b in p.books.values())]
        )
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
    "deductions_unapplied_fen",
    "deposit_withheld_fen",
    "deposit_released_fen",
    "deposit_release_year",
    "net_payable_fen",
    "held",
    "kept_fen",
    "carried_fen",
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
        "deductions_unapplied_fen": p.deductions_unapplied_fen,
        "deposit_withheld_fen": sum(b.deposit_withheld_fen for b in books),
        "deposit_released_fen": sum(b.deposit_released_fen for b in books),
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
    assert set(values) == set(STATEMENT_FIELDS)
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


def _uncarried(provider_ids: list[int], month: date) -> QuerySet[ProviderMonthStatement]:
    """Earlier statements whose kept amount no later payment has carried yet (or this month's did)."""
    return (
        ProviderMonthStatement.objects.filter(provider_id__in=provider_ids, month__lt=month)
        .exclude(kept_fen=0)
        .filter(Q(carried_into__isnull=True) | Q(carried_into=month))
    )


def carried_into_month(*, provider_ids: list[int], month: date) -> dict[int, dict[str, int]]:
    """Per provider and book, the amounts earlier months left in the payable, to carry into `month`."""
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    with unrestricted():
        for provider_id, books in _uncarried(provider_ids, month).values_list(
            "provider_id", "books"
        ):
            for b in books:
                out[provider_id][b["book"]] += int(b.get("kept", 0))
    return {pk: dict(v) for pk, v in out.items()}


def _mark_carried(ctx: ShardContext, provider_ids: list[int]) -> None:
    rows = list(_uncarried(provider_ids, ctx.month).filter(carried_into__isnull=True))
    for row in rows:
        row.carried_into = ctx.month
    ProviderMonthStatement.objects.bulk_update(rows, ["carried_into"])
    audit_updated([(row, {"carried_into": [None, ctx.month]}) for row in rows], actor=ctx.actor)


def stated_providers(*, provider_ids: list[int], month: date) -> set[int]:
    with unrestricted():
        return set(
            ProviderMonthStatement.objects.filter(
                provider_id__in=provider_ids, month=month
            ).values_list("provider_id", flat=True)
        )


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
