"""Step: 结账 — close the month in every book (regular run only).

An adjustment run corrects a month that is already closed: it posts in the open month
and must close nothing (closing the open month would stop the year's other postings).
After a regular run's close nothing more can be posted into the month (the ledger and
the database refuse it), and `month_closed` tells the runner the month is done.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from funds.models import Book, Period
from funds.services import period_close
from settlement.cycle.base import ShardContext, StepDef

CITY = "city"


def month_closed(month: date) -> bool:
    """Has the month been closed (in any book)? Then a regular run cannot post into it: the
    runner refuses it, and a correction is an adjustment run in the open month."""
    return Period.objects.filter(year=month.year, month=month.month, status=Period.CLOSED).exists()


def plan(month: date) -> list[str]:
    return [CITY]


def work(ctx: ShardContext) -> dict[str, int]:
    if ctx.adjustment:
        return {"books_closed": 0}
    books = list(Book.objects.order_by("sort_order", "code"))
    for book in books:
        period_close(book=book, year=ctx.month.year, month=ctx.month.month, actor=ctx.actor)
    return {"books_closed": len(books)}


STEP = StepDef("close", _("结账"), plan, work)
