"""Calendar arithmetic with one meaning for every app, and the months and dates people type."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pooling.kernel import dates
from pooling.kernel.errors import BusinessRuleError

days = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
steps = st.integers(-1200, 1200)


def test_it_adds_months_clamping_to_the_end_of_a_shorter_month():
    assert dates.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert dates.add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert dates.add_months(date(2026, 1, 31), -2) == date(2025, 11, 30)
    assert dates.add_months(date(2026, 12, 1), 1) == date(2027, 1, 1)
    assert dates.add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)


@given(days, steps)
def test_a_first_of_the_month_stays_a_first_of_the_month(day, n):
    """The handling app's month arithmetic is the same function as the providers' deadlines."""
    month = dates.first_of_month(day)
    moved = dates.add_months(month, n)
    assert moved.day == 1
    first, last = (month, moved) if n >= 0 else (moved, month)
    assert dates.months_between(first, last) == abs(n) + 1


@given(days, steps)
def test_it_keeps_the_day_unless_the_month_is_shorter(day, n):
    moved = dates.add_months(day, n)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == n
    assert moved.day == min(day.day, calendar.monthrange(moved.year, moved.month)[1])


@given(days)
def test_month_end_is_the_day_before_the_next_first(day):
    end = dates.month_end(day)
    assert end.month == day.month and (end + timedelta(days=1)).day == 1


def test_it_counts_months_both_included():
    assert dates.months_between(date(2026, 1, 1), date(2026, 1, 1)) == 1
    assert dates.months_between(date(2025, 11, 1), date(2026, 2, 1)) == 4
    assert dates.months_between(date(2026, 2, 1), date(2026, 1, 1)) == 0


def test_it_counts_working_days_past_weekends_and_holidays():
    assert dates.add_working_days(date(2026, 5, 1), 1) == date(2026, 5, 4)  # a Friday
    assert dates.add_working_days(date(2026, 5, 1), 1, holidays={date(2026, 5, 4)}) == date(
        2026, 5, 5
    )
    assert not dates.is_working_day(date(2026, 5, 2))


@pytest.mark.parametrize(
    "text", ["2026-03", "2026/3", "202603", "2026年3月", "2026-03-15", "2026.03", " 2026-3 "]
)
def test_it_parses_months_to_their_first_day(text):
    assert dates.parse_month(text) == date(2026, 3, 1)


@pytest.mark.parametrize("text", ["2026-13", "26-03", "", "三月", "2026031", "2026-00"])
def test_it_refuses_bad_months_naming_the_field(text):
    with pytest.raises(BusinessRuleError) as err:
        dates.parse_month(text, field="start_month")
    assert err.value.message is dates.BAD_MONTH and err.value.field == "start_month"


@pytest.mark.parametrize("text", ["2026-03-01", "2026/3/1", "20260301", "2026.3.1", "2026年3月1日"])
def test_it_parses_dates(text):
    assert dates.parse_date(text) == date(2026, 3, 1)


@pytest.mark.parametrize("text", ["2026-02-30", "2026-3", "", "01/03/2026"])
def test_it_refuses_impossible_dates(text):
    with pytest.raises(BusinessRuleError) as err:
        dates.parse_date(text)
    assert err.value.message is dates.BAD_DATE


@pytest.mark.parametrize("parse", [dates.parse_date, dates.parse_month])
def test_it_names_an_excel_serial_number_instead_of_guessing_the_date(parse):
    with pytest.raises(BusinessRuleError) as err:
        parse("46082")
    assert err.value.message is dates.EXCEL_SERIAL and err.value.params == {
        "value": "46082",
        "date": "2026-03-01",
    }
    with pytest.raises(BusinessRuleError) as err:
        parse("４６０８２")
    assert err.value.message is not dates.EXCEL_SERIAL  # full-width: the reader names those
