"""What one county collected in a month, per book — the collection step's arithmetic.

A tax collection is recognised (split into the books) in the month it is both received
and matched to its declaration: `max(month received, month the declaration was filed)`
— a collection is matched when the declaration exists (`collection_record`) or when the
declaration is filed (`_declaration_for`), so the filing month is when the match
happened, and the rule is a function of the data: a re-run or an adjustment run gets the
same answer. Until then it waits in the county's suspense account (暂收款).

A declaration paid in several collections is split cumulatively: the month's parts are
`split(paid up to this month) − split(paid up to last month)`, so the parts of all its
months together never exceed a component and always sum to what was paid.
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
from settlement.cycle.split import split_payment

MATERNITY_BOOK = "maternity"
RESIDENT_BOOK = "resident"


@dataclass
class Collected:
    """One county's month: income per book and the suspense movements (all in fen)."""

    county: str
    income: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # book → recognised
    cash_in: int = 0  # employee collections received in the month (all of it, matched or not)
    to_suspense: int = 0  # received, not matched yet; or paid above the declaration's total
    from_suspense: int = 0  # received in an earlier month, matched in this one
    collections: int = 0
    unmatched: int = 0


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def county_month(county: str, month: date) -> Collected:
    """The county's employee and resident collections of `month` (first day), per book."""
    end = month_end(month)
    nxt = end + timedelta(days=1)
    out = Collected(county)
    with unrestricted():
        received = Collection.objects.filter(county_id=county, received_on__range=(month, end))
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
        # Declarations that take money this month: received now, or filed (matched) now —
        # as a subquery, so the database joins them (no list of ids goes back and forth).
        filed_now = Q(
            created_at__gte=_start(month),
            created_at__lt=_start(nxt),
            pk__in=Collection.objects.filter(county_id=county, received_on__lt=month).values(
                "declaration_id"
            ),
        )
        touched = Declaration.objects.filter(
            Q(pk__in=received.values("declaration_id")) | filed_now
        ).values("pk")
        _recognise(out, month, nxt, touched)
        residents = ResidentContribution.objects.filter(
            county_id=county, paid_on__range=(month, end)
        )
        out.income[RESIDENT_BOOK] += residents.aggregate(s=Sum("paid_fen"))["s"] or 0
    return out


def _recognise(
    out: Collected, month: date, nxt: date, touched: QuerySet[Declaration, dict[str, Any]]
) -> None:
    """Split each touched declaration's cumulative payments; the rest is suspense."""
    filed = dict(Declaration.objects.filter(pk__in=touched).values_list("pk", "created_at"))
    sums = {
        r["declaration_id"]: (r["upto"] or 0, r["before"] or 0)
        for r in Collection.objects.filter(declaration_id__in=touched, received_on__lt=nxt)
        .values("declaration_id")
        .annotate(upto=Sum("amount_fen"), before=Sum("amount_fen", filter=Q(received_on__lt=month)))
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
            out.from_suspense += before  # earlier cash, matched now
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
    out.to_suspense += out.cash_in - recognised_new  # cash of the month still unmatched


def _components(row: dict[str, int | None]) -> dict[str, int]:
    account = row["account"] or 0
    return {
        POOLED_BOOK: (row["employer"] or 0) + (row["employee"] or 0) - account,
        PERSONAL_BOOK: account,
        MATERNITY_BOOK: row["maternity"] or 0,
    }
