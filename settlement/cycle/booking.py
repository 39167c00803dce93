"""Which month's collection step takes a payment into the books (计入归集月份) — the one rule.

A tax collection (`Collection`) or a resident's contribution (`ResidentContribution`) is
booked in the month it was received (`received_on`, `paid_on`) — unless, when the clerk
records it, that month's collection step has already run for the county (a regular run's
`collection` shard for the county is done) or the month is closed (any book's period).
Then it is booked in the first later month whose step has not run for the county and
which is open: normally the month open now. The recording service stores the answer
(`booked_month`) and the collection step selects by it, so:
- money recorded late is never lost: a month whose step already ran is never chosen;
- it is counted once: a re-run or an adjustment run of the received month does not see it
  (it is not booked there), the later month's run takes it in.

Race: a clerk recording while the county's collection shard runs. Both take the county's
transaction advisory lock (`county_lock`) before they read: the recording waits for the
shard's commit (which also marks the shard done) and then books in the next month; or
the shard waits for the recording's commit and, reading after it (READ COMMITTED: each
statement sees what committed before it), takes the payment into this month. Without the
lock the shard could read before the recording commits while the recording read "not
done yet" — booked in a month whose step is over, and never in the books.
"""

from __future__ import annotations

import zlib
from datetime import date

from django.db import connection
from django.db.models import Q

from pooling.kernel.dates import add_months
from pooling.kernel.scoping import unrestricted

COLLECTION_STEP = "collection"  # the collection step's name (`steps.collection.NAME`)
LOCK_NAMESPACE = 0xB00C  # "booking" advisory-lock namespace: one lock per county


def _lock_key(county: str) -> int:
    return int(county) if county.isdigit() else zlib.crc32(county.encode()) % 2**31


def county_lock(county: str) -> None:
    """Hold the county's booking lock until this transaction ends (PostgreSQL; SQLite runs
    one writer at a time and needs none). Call it inside the transaction that reads."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, _lock_key(county)])


def booked_month_for(county: str, day: date) -> date:
    """The month (first day) whose collection step takes in money of `county` received on
    `day`, recorded now. Takes the county's lock (see the module's docstring): call it in
    the recording's transaction, right before the row is written."""
    from funds.models import Period
    from settlement.models import CycleShard, CycleStatus, RunKind

    county_lock(county)
    month = day.replace(day=1)
    with unrestricted():
        done = set(
            CycleShard.objects.filter(
                step__name=COLLECTION_STEP,
                step__run__kind=RunKind.REGULAR,
                step__run__month__gte=month,
                key=county,
                status=CycleStatus.DONE,
            ).values_list("step__run__month", flat=True)
        )
        closed = {
            date(year, m, 1)
            for year, m in Period.objects.filter(
                status=Period.CLOSED, year__gte=month.year
            ).values_list("year", "month")
        }
    while month in done or month in closed:
        month = add_months(month, 1)
    return month


def booked_in(month: date, day_field: str = "received_on") -> Q:
    """Rows booked in `month` (first day): by `booked_month`, or — on rows recorded before
    it was stored (null) — by the month of `day_field` (`received_on`, `paid_on`)."""
    nxt = add_months(month, 1)
    return Q(booked_month__gte=month, booked_month__lt=nxt) | Q(
        booked_month=None, **{f"{day_field}__gte": month, f"{day_field}__lt": nxt}
    )


def booked_before(month: date, day_field: str = "received_on") -> Q:
    """Rows booked in a month before `month` (first day), as `booked_in` reads them."""
    return Q(booked_month__lt=month) | Q(booked_month=None, **{f"{day_field}__lt": month})
