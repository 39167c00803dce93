"""Calendar arithmetic of the lifecycle: whole months, and working days."""

from __future__ import annotations

import calendar
from collections.abc import Collection
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """Same day-of-month `months` later (or earlier), clamped to the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_working_day(day: date, holidays: Collection[date] = ()) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(day: date, count: int, holidays: Collection[date] = ()) -> date:
    """The date `count` working days after `day` (weekends and listed holidays skipped)."""
    current = day
    left = count
    while left > 0:
        current += timedelta(days=1)
        if is_working_day(current, holidays):
            left -= 1
    return current


def first_of_month(day: date) -> date:
    return day.replace(day=1)
