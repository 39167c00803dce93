"""What one county collected in a month, per book — the collection step's arithmetic.

Money enters the books in its booked month (`booked_month`, `booking.booked_month_for`):
the month received, or — recorded after that month's collection step ran for the county
or after the month closed — the first later month whose step had not run. So "the
month's collections" are the ones booked in it, never the ones merely received in it: a
payment recorded late is taken in by the next run, and a re-run or an adjustment run of
the month it was received does not see it (counted once).

A tax collection is recognised (split into the books) in the month it is both booked and
matched to its declaration: `max(booked month, month the declaration was filed)` — a
collection is matched when the declaration exists (`collection_record`) or when the
declaration is filed (`_declaration_for`), so the filing month is when the match
happened (filing is always in an open month: its `created_at`), and the rule is a
function of the data: a re-run or an adjustment run gets the same answer. Until then it
waits in the county's suspense account (暂收款).

A declaration paid in several collections is split cumulatively in booking order: the
month's parts are `split(booked up to this month) − split(booked up to last month)`, so
the parts of all its months together never exceed a component and always sum to what was
paid — also when earlier cash is booked after a later receipt (it simply counts from the
month it is booked in).

A resident's contribution is income of the resident book in its booked month.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from enrollment.models import Collection, Declaration, DeclarationLine, ResidentContribution
from funds.chart import PERSONAL_BOOK, POOLED_BOOK
from pooling.kernel.dates import month_end
from pooling.kernel.scoping import unrestricted
from settlement.cycle.booking import booked_before, booked_in
from settlement.cycle.split import split_payment

MATERNITY_BOOK = "maternity"
RESIDENT_BOOK = "resident"


@dataclass
class Collected:
    """One county's month: income per book and the suspense movements (all in fen)."""

    county: str
    income: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # book → recognised
    cash_in: int = 0  # employee collections booked in the month (all of it, matched or not)
    to_suspense: int = 0  # booked, not matched yet; or paid above the declaration's total
    from_suspense: int = 0  # booked in an earlier month, matched in this one
    collections: int = 0
    unmatched: int = 0


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def county_month(county: str, month: date) -> Collected:
    """The county's employee and resident collections booked in `month` (first day), per book."""
    nxt = month_end(month) + timedelta(days=1)
    out = Collected(county)
    with unrestricted():
        received = Collection.objects.filter(booked_in(month), county_id=county)
        totals = received.aggregate(
            n=Count("id"),
            s=Sum("amount_fen"),
            unmatched=Count(
                "id", filter=(Q(declaration=None) | Q(declaration__created_at__gte=_start(nxt)))
            ),
        )
        out.cash_in, out.collections, out.unmatched = (
            totals["s"] or 0,
            totals["n"],
            totals["unmatched"],
        )
        # Declarations that take money this month: booked now, or filed (matched) now —
        # as a subquery, so the database joins them (no list of ids goes back and forth).
        filed_now = Q(
            created_at__gte=_start(month),
            created_at__lt=_start(nxt),
            pk__in=Collection.objects.filter(booked_before(month), county_id=county).values(
                "declaration_id"
            ),
        )
        touched = Declaration.objects.filter(
            Q(pk__in=received.values("declaration_id")) | filed_now
        ).values("pk")
        _recognise(out, month, nxt, touched)
        residents = ResidentContribution.objects.filter(
            booked_in(month, "paid_on"), county_id=county
        )
        out.income[RESIDENT_BOOK] += residents.aggregate(s=Sum("paid_fen"))["s"] or 0
    return out


def _recognise(
    out: Collected, month: date, nxt: date, touched: QuerySet[Declaration, dict[str, Any]]
) -> None:
    """Split each touched declaration's cumulative payments (by booked month); the rest is
    suspense."""
    filed = dict(Declaration.objects.filter(pk__in=touched).values_list("pk", "created_at"))
    sums = {
        r["declaration_id"]: (r["upto"] or 0, r["before"] or 0)
        for r in Collection.objects.filter(booked_before(nxt), declaration_id__in=touched)
        .values("declaration_id")
        .annotate(upto=Sum("amount_fen"), before=Sum("amount_fen", filter=booked_before(month)))
    }
    parts = {
        r["declaration_id"]: r
        for r in DeclarationLine.objects.filter(declaration_id__in=touched)
        .values("declaration_id")
        .annotate(
            employer=Sum("employer_fen"),
            employee=Sum("employee_fen"),
            account=Sum("account_fen"),
            maternity=Sum("maternity_fen"),
        )
    }
    recognised_new = 0
    for pk in sorted(filed):
        filed_month = timezone.localtime(filed[pk]).date().replace(day=1)
        if filed_month > month:  # filed after the month: its money waits in suspense
            continue
        upto, before = sums.get(pk, (0, 0))
        previous = before if filed_month < month else 0  # recognised in an earlier month
        recognised_new += upto - before  # this month's cash of a matched declaration
        if filed_month == month:
            out.from_suspense += before  # cash booked earlier, matched now
        row = parts.get(pk)
        components = _components(row) if row else {}
        now = split_payment(upto, components)
        for book, fen in now.parts.items():
            out.income[book] += fen
        out.to_suspense += now.excess
        if previous:  # what earlier months recognised of it comes off
            then = split_payment(previous, components)
            for book, fen in then.parts.items():
                out.income[book] -= fen
            out.to_suspense -= then.excess
    out.to_suspense += out.cash_in - recognised_new  # cash booked now, still unmatched


def _components(row: dict[str, int | None]) -> dict[str, int]:
    account = row["account"] or 0
    return {
        POOLED_BOOK: (row["employer"] or 0) + (row["employee"] or 0) - account,
        PERSONAL_BOOK: account,
        MATERNITY_BOOK: row["maternity"] or 0,
    }
