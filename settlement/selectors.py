"""Reads of settlement: totals for reconciliation and the monthly cycle, lists for pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from pooling.kernel.dates import month_end
from settlement.models import ClearingApplication, Settlement
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
    return Settlement.objects.filter(
        month__in=months_between(begin, end),
        provider_id=provider_id,
        setl_time__gte=start,
        setl_time__lt=stop,
    )


@dataclass(frozen=True)
class Totals:
    count: int
    medfee_fen: int
    fund_fen: int
    acct_fen: int
    cash_fen: int = 0  # psn_cash_pay: 3203's cash_payamt (3201 does not state it)

    def as_dict(self) -> dict[str, int]:
        return {
            "count": self.count,
            "medfee_sumamt": self.medfee_fen,
            "fund_pay_sumamt": self.fund_fen,
            "acct_pay": self.acct_fen,
        }


def totals(rows: QuerySet[Settlement]) -> Totals:
    """Count (a reversal counts −1) and sums; fund_pay_sumamt as this deployment defines it."""
    agg: dict[str, Any] = rows.aggregate(
        settled=Count("id", filter=_kind("settle")),
        reversed=Count("id", filter=_kind("reverse")),
        medfee=Sum("medfee_sumamt"),
        fund=Sum("fund_pay_sumamt"),
        acct=Sum("acct_pay"),
        cash=Sum("psn_cash_pay"),
    )
    return Totals(
        count=(agg["settled"] or 0) - (agg["reversed"] or 0),
        medfee_fen=int(agg["medfee"] or 0),
        fund_fen=int(agg["fund"] or 0),
        acct_fen=int(agg["acct"] or 0),
        cash_fen=int(agg["cash"] or 0),
    )


def _kind(kind: str) -> Any:
    from django.db.models import Q

    return Q(kind=kind)


def fund_pay_includes_account() -> bool:
    return bool(settings.HSA_FUND_PAY_INCLUDES_ACCOUNT)


def settlements_list(
    *, month: str = "", provider: str = "", person: str = "", county: str = "", kind: str = ""
) -> QuerySet[Settlement]:
    """Settlements visible to the caller (county- or provider-scoped), newest first, filtered.

    `month` is "YYYY-MM": it names the partition, so a month's list reads one month's table.
    """
    rows = Settlement.objects.all()
    if (
        len(month) == 7
        and month[:4].isdigit()
        and month[5:].isdigit()
        and 1 <= int(month[5:]) <= 12
    ):
        rows = rows.filter(month=date(int(month[:4]), int(month[5:]), 1))
    if provider:
        rows = rows.filter(provider__national_code=provider.strip().upper())
    if person.isdigit():
        rows = rows.filter(person_id=int(person))
    if county.isdigit() and len(county) == 6:
        rows = rows.filter(insured_county_id=county)
    if kind in ("settle", "reverse"):
        rows = rows.filter(kind=kind)
    return rows.order_by("-setl_time", "-id")


def reverses(row: Settlement) -> Settlement | None:
    """The settlement a reversal reverses."""
    if not row.reverses_id:
        return None
    return Settlement.objects.filter(month=row.reverses_month, pk=row.reverses_id).first()


def month_summary(*, month: date) -> dict[str, Any]:
    """A month's settlements as the caller may see them: counts and the funds' totals."""
    agg = Settlement.objects.filter(month=month).aggregate(
        n=Count("id", filter=_kind("settle")),
        r=Count("id", filter=_kind("reverse")),
        medfee=Sum("medfee_sumamt"),
        fund=Sum("hifp_pay"),
        critical=Sum("hifmi_pay"),
        large=Sum("hifob_pay"),
        acct=Sum("acct_pay"),
        cash=Sum("psn_cash_pay"),
    )
    return {k: int(v or 0) for k, v in agg.items()}


def person_accumulators(*, person_id: int) -> list[Any]:
    from settlement.models import Accumulator

    return list(Accumulator.objects.filter(person_id=person_id).order_by("-year", "scheme"))


@dataclass(frozen=True)
class ClearingFigures:
    """A provider's month of one clr_type as 3203 states it (settlements net of cancellations)."""

    person_times: int
    medfee_fen: int
    fund_fen: int
    acct_fen: int
    cash_fen: int


def clearing_figures(*, provider_id: int, month: date, clr_type: str) -> ClearingFigures:
    """The month's settlements and cancellations of the provider and clr_type, counted as 3201
    counts them (by settlement time; a cancellation −1 and its amounts negative)."""
    rows = settlements_between(
        provider_id=provider_id, begin=month.replace(day=1), end=month_end(month)
    ).filter(clr_type=clr_type)
    base = totals(rows)  # one aggregate, the cash beside 3201's sums
    return ClearingFigures(
        person_times=base.count,
        medfee_fen=base.medfee_fen,
        fund_fen=base.fund_fen,
        acct_fen=base.acct_fen,
        cash_fen=base.cash_fen,
    )


def clearing_applications_of_month(
    *, month: date, provider_id: int | None = None
) -> QuerySet[ClearingApplication]:
    """The month's clearing applications the caller may see (county clerks: providers their
    unit handles), cancelled ones included, newest first."""
    rows = ClearingApplication.objects.filter(month=month).select_related("provider")
    if provider_id is not None:
        rows = rows.filter(provider_id=provider_id)
    return rows.order_by("provider__national_code", "-applied_at")
