"""The candidate's calendar feed (iCalendar, RFC 5545) built with the icalendar library."""

from __future__ import annotations

from datetime import date, timedelta

from icalendar import Calendar, Event

from tracker.accounts.models import User
from tracker.credentials.catalog import Catalog
from tracker.credentials.evaluation import evaluate_cohort
from tracker.i18n import gettext as _
from tracker.notices.reminders import KeyDate, key_dates
from tracker.timeutil import utcnow


def _summary(key: KeyDate) -> str:
    what = {"requirement": key.title, "credential": key.credential_name}
    if key.what == "lapse":
        return _("%(requirement)s lapses (%(credential)s)", **what)
    if key.what == "cycle":
        return _("Renewal cycle ends: %(requirement)s (%(credential)s)", **what)
    if key.what == "projected":
        return _("Projected completion: %(requirement)s (%(credential)s)", **what)
    return _("Due: %(requirement)s (%(credential)s)", **what)


def event_day(key: KeyDate) -> date:
    """The day shown: the last day that still counts for a due date or a cycle's end, the
    lapse day itself, the projected day."""
    return key.day - timedelta(days=1) if key.what in ("due", "cycle") else key.day


def feed(candidate: User, catalog: Catalog, as_of: date, base_url: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Tracker//Training and certification dates//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("Tracker: %(name)s", name=candidate.name))
    stamp = utcnow()
    for progress in evaluate_cohort(catalog, [candidate], as_of):
        if progress.result is None:
            continue
        definition = catalog.get(progress.enrolment.credential)
        name = str(definition.name) if definition is not None else progress.enrolment.credential
        for key in key_dates(progress.result, name):
            day = event_day(key)
            event = Event()
            event.add("uid", f"{candidate.id}-{key.credential}-{key.requirement}-{key.what}"
                             f"@tracker")  # fmt: skip
            event.add("dtstamp", stamp)
            event.add("dtstart", day)
            event.add("dtend", day + timedelta(days=1))
            event.add("summary", _summary(key))
            event.add("url", f"{base_url}/candidates/{candidate.id}/progress/{key.credential}")
            event.add("categories", [key.what])
            event.add("transp", "TRANSPARENT")
            cal.add_component(event)
    ical: bytes = cal.to_ical()
    return ical
