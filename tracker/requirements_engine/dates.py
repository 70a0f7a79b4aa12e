"""Calendar arithmetic: whole years and months, clamped to the end of the month."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (or earlier); Feb 29 becomes Feb 28.

    Saturates at the ends of the calendar (an evaluation as of 9999-12-31 plus 5 years
    is date.max, not an error).
    """
    if day.year + years > date.max.year:
        return date.max
    if day.year + years < date.min.year:
        return date.min
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later, clamped to the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def parse_date(value: object) -> date | None:
    """A strict ISO `YYYY-MM-DD` date, or None when `value` is not one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def month_end(day: date) -> date:
    """The last day of the month holding `day`."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _next_day(day: date) -> date:
    return day + timedelta(days=1) if day < date.max else date.max


def _day_before(day: date) -> date:
    return day - timedelta(days=1) if day > date.min else date.min


def cycle_holding(first: date, months: int, at_month_end: bool, day: date) -> tuple[date, date]:
    """The renewal cycle (start, end, both inclusive) that holds `day`.

    Cycles are consecutive and never overlap; the first starts on `first`. Cycle k starts
    on `first` + k*months (clamped to the month's last day) and ends the day before the next
    starts. With `at_month_end` each cycle ends on the last day of the month holding its
    start + months - 1 day, and the next starts the day after. A day before `first` gets the
    first cycle.
    """
    if at_month_end:
        end = month_end(_day_before(add_months(first, months)))
        if day <= end:
            return first, end
        # Every later cycle starts on the 1st of a month, so it ends on a month's last day.
        first = _next_day(end)
    k = max(((day.year - first.year) * 12 + day.month - first.month) // months, 0)
    while k > 0 and add_months(first, k * months) > day:
        k -= 1
    while day >= add_months(first, (k + 1) * months) < date.max:
        k += 1
    start = add_months(first, k * months)
    end = _day_before(add_months(first, (k + 1) * months))
    return start, max(end, day)
