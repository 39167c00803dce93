"""Reads of the monthly cycle that the runner and pages share."""

from __future__ import annotations

from datetime import date

from funds.models import Period


def month_closed(month: date) -> bool:
    """Has the month been closed (in any book)? Then a regular run cannot post into it: the
    runner refuses it, and a correction is an adjustment run in the open month."""
    return Period.objects.filter(year=month.year, month=month.month, status=Period.CLOSED).exists()
