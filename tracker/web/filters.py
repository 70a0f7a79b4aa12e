"""Template filters and globals shared by every page."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask
from flask_login import current_user

STATUS_TITLES = {
    "met": "Met",
    "waived": "Waived",
    "in_progress": "In progress",
    "not_started": "Not started",
    "expired": "Expired",
    "not_applicable": "Not applicable",
    "pending": "Pending",
    "approved": "Approved",
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
}
REASON_TITLES = {
    "pending": "waiting for approval",
    "rejected": "rejected",
    "outside_window": "outside the time window that counts",
    "after_cutoff": "dated after the deadline it had to precede",
    "not_matching": "does not match what this requirement asks for",
    "future": "dated after the evaluation date",
    "not_passed": "not passed",
    "lapsed": "lapsed",
}


def fmt_date(value: date | str | None) -> str:
    """A day (or a moment) as "26 Nov 2026"; ISO text is read first, other text shown as is."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        text = value
        try:
            value = date.fromisoformat(text)
        except ValueError:
            return text
    if isinstance(value, datetime):
        return value.strftime("%d %b %Y %H:%M")
    return value.strftime("%d %b %Y")


def fmt_hours(value: Any) -> str:
    if value is None:
        return "—"
    number = float(value)
    return f"{number:,.0f}" if number == int(number) else f"{number:,.2f}"


def pct(value: Any) -> str:
    return f"{float(value or 0) * 100:.0f}%"


def init_app(app: Flask) -> None:
    app.add_template_filter(fmt_date, "date")
    app.add_template_filter(fmt_hours, "hours")
    app.add_template_filter(pct, "pct")
    app.add_template_filter(lambda s: str(s).replace("-", " ").capitalize(), "label")
    app.add_template_filter(lambda s: STATUS_TITLES.get(str(s), str(s)), "status_title")
    app.add_template_filter(lambda s: REASON_TITLES.get(str(s), str(s)), "reason_title")

    @app.context_processor
    def _nav() -> dict[str, Any]:
        return {
            "me": current_user if current_user.is_authenticated else None,
            "nav_endpoints": app.view_functions.keys(),
        }
