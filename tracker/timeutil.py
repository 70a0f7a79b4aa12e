"""The app's clock, in one place so tests and statements agree on "now" and "today".

Moments are stored as naive UTC. "Today" is the day in the zone of whoever is acting: the
zone of the user's organization, else TRACKER_TIMEZONE (set per request and per task by
`using_zone`), so a user in Warsaw just after midnight gets Warsaw's date, not UTC's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_default_zone: tzinfo = UTC
_zone: ContextVar[tzinfo | None] = ContextVar("tracker_zone", default=None)


def zone_named(name: str | None) -> tzinfo | None:
    """The IANA zone of that name ("Europe/Warsaw"), or None when it is empty or unknown."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def set_default_zone(name: str | None) -> None:
    """The installation's zone (TRACKER_TIMEZONE): "today" where no one else decides it."""
    global _default_zone
    _default_zone = zone_named(name) or UTC


def current_zone() -> tzinfo:
    return _zone.get() or _default_zone


def set_zone(zone: tzinfo | None) -> None:
    """This context's zone (a request sets its user's); None: the installation's."""
    _zone.set(zone)


@contextmanager
def using_zone(zone: tzinfo | None) -> Iterator[None]:
    token = _zone.set(zone)
    try:
        yield
    finally:
        _zone.reset(token)


def utcnow() -> datetime:
    """Naive UTC timestamp (stored the same way on SQLite and PostgreSQL)."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    """The date now in the acting user's zone (see the module's docstring)."""
    return datetime.now(UTC).astimezone(current_zone()).date()


def local(moment: datetime) -> datetime:
    """A stored (naive UTC) moment in the acting user's zone."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(current_zone())
