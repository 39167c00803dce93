"""Reads of settlement: totals for reconciliation and the monthly cycle, lists for pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from settlement.models import Settlement
from settlement.partitioning import month_key


def months_between(begin: date, end: date) -> list[date]:
    months, month = [], month_key(begin)
    while month <= end:
        months.append(month)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return months


def settlements_between(*, provider_id: int, begin: date, end: date) -> QuerySet[Settlement]:
    """A provider's settlements (and reversals) made between two dates, both included (local time)."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(begin, time.min, tzinfo=zone)
    stop = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    return Settlement.objects.filter(month__in=months_between(begin, end), provider_id=provider_id,
                                     setl_time__gte=start, setl_time__lt=stop)


@dataclass(frozen=True)
class Totals:
    count: int
    medfee_fen: int
    fund_fen: int
    acct_fen: int

    def as_dict(self) -> dict[str, int]:
        return {"count": self.count, "medfee_sumamt": self.medfee_fen, "fund_pay_sumamt": self.fund_fen,
                "acct_pay": self.acct_fen}


def totals(rows: QuerySet[Settlement]) -> Totals:
    """Count (a reversal counts −1) and sums; fund_pay_sumamt as this deployment defines it."""
    agg: dict[str, Any] = rows.aggregate(
        settled=Count("id", filter=_kind("settle")), reversed=Count("id", filter=_kind("reverse")),
        medfee=Sum("medfee_sumamt"), fund=Sum("fund_pay_sumamt"), acct=Sum("acct_pay"))
    return Totals(count=(agg["settled"] or 0) - (agg["reversed"] or 0), medfee_fen=int(agg["medfee"] or 0),
                  fund_fen=int(agg["fund"] or 0), acct_fen=int(agg["acct"] or 0))


def _kind(kind: str) -> Any:
    from django.db.models import Q

    return Q(kind=kind)


def fund_pay_includes_account() -> bool:
    return bool(settings.HSA_FUND_PAY_INCLUDES_ACCOUNT)
