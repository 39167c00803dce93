"""Calendar arithmetic and the dates people type, in one place for every app.

`add_months` has one meaning: the same day of the month, `months` later (or earlier),
clamped to the last day of a shorter month (31 January + 1 month = 28 or 29 February;
30 November + 3 months = 28 February). A month is stored as its first day, and for a
first of the month this is simply the first of the month `months` on — so the
handling app's month arithmetic (enrolments, transfers, waiting periods) and the
providers' deadlines (evaluation due three months after acceptance, a 12-month
agreement term, re-application three years after termination) are the same function.

Working days skip weekends and the holidays the caller lists (the State Council's
calendar changes yearly and is data, not code).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Collection
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pooling.kernel.errors import BusinessRuleError

BAD_MONTH = _("月份格式不正确：%(value)s（应为 2026-03 或 202603）")
BAD_DATE = _("日期格式不正确：%(value)s（应为 2026-03-01）")
EXCEL_SERIAL = _(
    "“%(value)s”是 Excel 的日期序列号（即 %(date)s）：请把该列设为日期格式，或填写 2026-03-01 这样的日期"
)
OUT_OF_RANGE = _("日期超出合理范围：%(value)s（年份应在 %(first)s 至 %(last)s 之间）")
FUTURE_DATE = _("%(value)s 晚于今天：不能登记尚未发生的日期")
# A date typed or read from a file outside these years is a typo (0026-03-01, 2206-03) or a
# stand-in (9999-12-31): nothing in medical insurance happens then. Named, not accepted.
FIRST_YEAR, LAST_YEAR = 1900, 2099
EXCEL_EPOCH = date(
    1899, 12, 30
)  # serial 0 in Excel's default (1900) date system, its leap-year bug included


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    """The last day of the month `day` falls in."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later (negative: earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(first: date, last: date) -> int:
    """How many calendar months from `first`'s to `last`'s, both included (0 if last is earlier)."""
    return max((last.year - first.year) * 12 + last.month - first.month + 1, 0)


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


_MONTH_COMPACT = re.compile(r"(\d{4})(\d{2})")
_MONTH = re.compile(r"(\d{4})[-/.年](\d{1,2})月?(?:[-/.]\d{1,2}日?)?")
_DATE = re.compile(r"(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?")
_EXCEL_SERIAL = re.compile(r"[0-9]{5}(?:\.[0-9]+)?")


def parse_month(value: str | date, *, field: str = "month") -> date:
    """'2026-03', '2026/3', '2026年3月', '202603', a day of it, or a date -> the first day of that month."""
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value or "").strip()
    match = _MONTH_COMPACT.fullmatch(text) or _MONTH.fullmatch(text)
    if match and 1 <= int(match.group(2)) <= 12:
        return _in_range(date(int(match.group(1)), int(match.group(2)), 1), text, field)
    _refuse_excel_serial(text, field)
    raise BusinessRuleError(BAD_MONTH, code="month", field=field, params={"value": text})


def parse_date(value: str | date, *, field: str = "date") -> date:
    """'2026-03-01', '2026/3/1', '2026.3.1', '2026年3月1日' or '20260301' -> a date."""
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    match = _DATE.fullmatch(text)
    if match:
        try:
            day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
        else:
            return _in_range(day, text, field)
    _refuse_excel_serial(text, field)
    raise BusinessRuleError(BAD_DATE, code="date", field=field, params={"value": text})


def parse_past_date(value: str | date, *, field: str = "date") -> date:
    """`parse_date`, refusing a day after today (money received, a payment made)."""
    day = parse_date(value, field=field)
    refuse_future(day, field=field)
    return day


def refuse_future(day: date, *, field: str = "date") -> None:
    if day > timezone.localdate():
        raise BusinessRuleError(
            FUTURE_DATE, code="future_date", field=field, params={"value": day.isoformat()}
        )


def _in_range(day: date, text: str, field: str) -> date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BusinessRuleError(
            OUT_OF_RANGE,
            code="date_range",
            field=field,
            params={"value": text, "first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return day


def _refuse_excel_serial(text: str, field: str) -> None:
    """A date cell that lost its date format in Excel shows (and exports) its serial
    number: 46082 is 2026-03-01 (46082.375 that day at 09:00). Say so instead of "not a
    date" — and do not guess."""
    if _EXCEL_SERIAL.fullmatch(text):
        day = EXCEL_EPOCH + timedelta(days=int(text[:5]))
        raise BusinessRuleError(
            EXCEL_SERIAL,
            code="excel_serial",
            field=field,
            params={"value": text, "date": day.isoformat()},
        )
