"""Calendar arithmetic: whole years and months, clamped to the end of the month."""

from __future__ import annotations

import calendar
from datetime import date, datetime


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
