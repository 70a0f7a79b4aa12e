"""Counting spread experience hours under weekly and yearly caps, without a per-day loop.

Entries are turned into constant-rate segments (a sweep over start/end days), and each
segment is cut only where a cap or the projection window changes: at most one piece per
calendar week (or year), whatever the number of days.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class HoursCount:
    counted: float
    capped: float
    reached_ord: int | None
    """Day (ordinal) on which the counted hours, in date order, first reached the target."""
    first_ord: int | None
    """First day (ordinal) with counted hours."""
    recent: float
    """Counted hours on or after `recent_from`."""
    years: dict[int, tuple[float, float]]
    """Counted and capped hours of each calendar year, on the days they were spread on."""


def _segments(
    entries: Iterable[tuple[int, int, float]], lo: int, hi: int
) -> list[tuple[int, int, float]]:
    """Non-overlapping [start, stop) day ranges with the summed daily rate of all entries."""
    clipped = []
    for start, end, rate in entries:
        if start < lo:
            start = lo
        if end > hi:
            end = hi
        if start <= end and rate > 0:
            clipped.append((start, end + 1, rate))
    clipped.sort()
    disjoint = all(clipped[i][1] <= clipped[i + 1][0] for i in range(len(clipped) - 1))
    if disjoint:
        return clipped
    rates: dict[int, float] = {}
    counts: dict[int, int] = {}
    for start, stop, rate in clipped:
        rates[start] = rates.get(start, 0.0) + rate
        rates[stop] = rates.get(stop, 0.0) - rate
        counts[start] = counts.get(start, 0) + 1
        counts[stop] = counts.get(stop, 0) - 1
    keys = sorted(rates)
    segments = []
    rate = 0.0
    active = 0
    for here, following in zip(keys, keys[1:], strict=False):
        rate += rates[here]
        active += counts[here]
        if active == 0:
            rate = 0.0
        if rate > EPSILON:
            segments.append((here, following, rate))
    return segments


def count_hours(
    entries: Iterable[tuple[int, int, float]],
    lo: int,
    hi: int,
    target: float,
    weekly: float | None,
    yearly: float | None,
    recent_from: int,
    recent_until: int | None = None,
) -> HoursCount:
    """Counted and capped hours of entries (start, end inclusive, hours a day) within [lo, hi].

    `recent` sums the counted hours from `recent_from` (to `recent_until`, when given).
    """
    total = 0.0
    capped = 0.0
    recent = 0.0
    reached: int | None = None
    first: int | None = None
    week = -1
    week_used = 0.0
    year = 0
    year_end = -1
    year_used = 0.0
    # The totals when the current year began: the year's figures are the differences.
    total_then = capped_then = 0.0
    years: dict[int, tuple[float, float]] = {}
    recent_stop = recent_until + 1 if recent_until is not None else date.max.toordinal() + 2
    for start, stop, rate in _segments(entries, lo, hi):
        pos = start
        while pos < stop:
            nxt = stop
            if weekly is not None:
                this_week = (pos - 1) // 7
                if this_week != week:
                    week = this_week
                    week_used = 0.0
                week_stop = this_week * 7 + 8
                if week_stop < nxt:
                    nxt = week_stop
            if pos >= year_end:
                if total > total_then or capped > capped_then:
                    years[year] = (total - total_then, capped - capped_then)
                total_then, capped_then = total, capped
                year = date.fromordinal(pos).year
                year_end = date(year + 1, 1, 1).toordinal() if year < date.max.year else hi + 1
                year_used = 0.0
            if year_end < nxt:
                nxt = year_end
            if pos < recent_from < nxt:
                nxt = recent_from
            if pos < recent_stop < nxt:
                nxt = recent_stop
            raw = rate * (nxt - pos)
            allow = raw
            if weekly is not None and weekly - week_used < allow:
                allow = weekly - week_used if weekly > week_used else 0.0
            if yearly is not None and yearly - year_used < allow:
                allow = yearly - year_used if yearly > year_used else 0.0
            if allow > EPSILON:
                if first is None:
                    first = pos
                if reached is None and total + allow >= target - EPSILON:
                    days = math.ceil((target - total) / rate - EPSILON)
                    reached = pos + (days if days > 1 else 1) - 1
                if recent_from <= pos < recent_stop:
                    recent += allow
            total += allow
            capped += raw - allow
            week_used += allow
            year_used += allow
            pos = nxt
    if total > total_then or capped > capped_then:
        years[year] = (total - total_then, capped - capped_then)
    return HoursCount(total, capped, reached, first, recent, years)


def overlap_hours(start: int, end: int, rate: float, lo: int, hi: int) -> float:
    """Hours of one entry (start..end inclusive, `rate` a day) that fall within [lo, hi]."""
    days = min(end, hi) - max(start, lo) + 1
    return rate * days if days > 0 else 0.0


def add_by_year(
    into: dict[int, float], start: int, end: int, rate: float, lo: int, hi: int
) -> None:
    """Add one entry's hours within [lo, hi] to `into`, split by calendar year."""
    first, last = max(start, lo), min(end, hi)
    while first <= last:
        year = date.fromordinal(first).year
        stop = last if year == date.max.year else min(last, date(year + 1, 1, 1).toordinal() - 1)
        into[year] = into.get(year, 0.0) + rate * (stop - first + 1)
        first = stop + 1
