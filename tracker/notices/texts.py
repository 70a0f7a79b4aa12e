"""What each kind of notice says, in the language of whoever reads it (rendered when read,
so the in-app list follows the reader's language and a mail the recipient's)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date, format_decimal

from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l

# The kinds a user may turn off on the account page (account mails are not notices).
KINDS: dict[str, Any] = {
    "decision": _l("Decisions on my hours and internships"),
    "verification": _l("Verification of my records"),
    "waiver": _l("Waivers granted or revoked"),
    "digest": _l("Entries waiting for my decision (daily digest)"),
    "reminder": _l("Reminders before due dates, lapses and cycle ends"),
}


def _day(value: str | None) -> str:
    return format_date(date.fromisoformat(value), "long") if value else ""


def _decision(p: dict[str, Any]) -> str:
    what = {
        "hours": format_decimal(p.get("hours", 0)),
        "start": _day(p.get("start")),
        "end": _day(p.get("end")),
    }
    if p.get("type") == "internship":
        if p.get("status") == "approved":
            text = _("Your internship of %(hours)s h (%(start)s – %(end)s) was signed off.", **what)
        else:
            text = _(
                "Your internship of %(hours)s h (%(start)s – %(end)s) was returned to you "
                "for correction.",
                **what,
            )
    elif p.get("status") == "approved":
        text = _("Your experience of %(hours)s h (%(start)s – %(end)s) was approved.", **what)
    else:
        text = _("Your experience of %(hours)s h (%(start)s – %(end)s) was rejected.", **what)
    if p.get("reason"):
        text += " " + _("Reason: %(reason)s", reason=p["reason"])
    elif p.get("comment"):
        text += " " + _("Comment: %(comment)s", comment=p["comment"])
    return text


def _reminder(p: dict[str, Any]) -> str:
    what = {
        "requirement": p.get("title") or p.get("requirement", ""),
        "credential": p.get("credential_name") or p.get("credential", ""),
        "date": _day(p.get("date")),
        "days": p.get("days", 0),
    }
    if p.get("what") == "lapse":
        text = _("%(requirement)s (%(credential)s) lapses on %(date)s, in %(days)s days.", **what)
    elif p.get("what") == "cycle":
        text = _(
            "The renewal cycle of %(requirement)s (%(credential)s) ends; from %(date)s, "
            "in %(days)s days, its hours no longer count.",
            **what,
        )
    else:
        text = _(
            "%(requirement)s (%(credential)s) must be met before %(date)s, in %(days)s days.",
            **what,
        )
    if p.get("candidate_name"):
        text = _("%(name)s: %(text)s", name=p["candidate_name"], text=text)
    return text


def text(kind: str, p: dict[str, Any]) -> str:
    """The notice's sentence in the current language."""
    if kind == "decision":
        return _decision(p)
    if kind == "verification":
        return _("Your %(record)s was verified by your coordinator.", record=p.get("label", ""))
    if kind == "waiver":
        what = {"requirement": p.get("requirement", ""), "credential": p.get("credential", "")}
        if p.get("action") == "revoked":
            return _("The waiver of %(requirement)s (%(credential)s) was revoked.", **what)
        return _("%(requirement)s (%(credential)s) was waived for you.", **what)
    if kind == "digest":
        return _(
            "%(count)s entries wait for your decision.", count=format_decimal(p.get("count", 0))
        )
    if kind == "reminder":
        return _reminder(p)
    return kind


def subject(kind: str, p: dict[str, Any]) -> str:
    return {
        "decision": _("A decision on your hours"),
        "verification": _("A record was verified"),
        "waiver": _("A waiver changed"),
        "digest": _("Entries wait for your decision"),
        "reminder": _("Reminder: a date is coming up"),
    }.get(kind, _("A notice from Tracker"))
