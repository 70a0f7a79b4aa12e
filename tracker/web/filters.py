"""Template filters and globals shared by every page."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal as babel_format_decimal
from babel.numbers import format_percent as babel_format_percent
from flask import Flask
from flask_babel import format_datetime
from flask_login import current_user

from tracker.i18n import current_language, current_locale, translations
from tracker.schema import N_

# Titles of the engine's and the records' status codes, and of the engine's reasons why a
# record did not count (credential-format.md §4): message ids, translated where shown (a
# list shows hundreds; the request's catalog is one dict lookup, a lazy string is not).
STATUS_TITLES = {
    "met": N_("Met"),
    "waived": N_("Waived"),
    "in_progress": N_("In progress"),
    "not_started": N_("Not started"),
    "expired": N_("Expired"),
    "not_applicable": N_("Not applicable"),
    "pending": N_("Pending"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
}
REASON_TITLES = {
    "pending": N_("waiting for approval"),
    "rejected": N_("rejected"),
    "outside_window": N_("outside the time window that counts"),
    "after_cutoff": N_("dated after the deadline it had to precede"),
    "not_matching": N_("does not match what this requirement asks for"),
    "future": N_("dated after the evaluation date"),
    "not_passed": N_("not passed"),
    "lapsed": N_("lapsed"),
}
# One format per language: "26 Nov 2026" in English, "26 listopada 2026" in Polish.
DATE_FORMATS = {"en": "d MMM y", "pl": "d MMMM y"}
MOMENT_FORMATS = {"en": "d MMM y HH:mm", "pl": "d MMMM y, HH:mm"}


def fmt_date(value: date | str | None) -> str:
    """A day (or a stored UTC moment, shown in the user's zone) in the page's language; ISO
    text is read first, other text shown as is."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        text = value
        try:
            value = datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)
        except ValueError:
            return text
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return format_datetime(moment, MOMENT_FORMATS.get(current_language(), MOMENT_FORMATS["en"]))
    return _day_text(value, current_locale())


# A page shows hundreds of days and hours (the queue, a progress page of ten years of
# weekly entries), many the same: each text is made once per value and locale.
@lru_cache(maxsize=8192)
def _day_text(value: date, locale: Locale) -> str:
    pattern = DATE_FORMATS.get(locale.language, DATE_FORMATS["en"])
    return str(babel_format_date(value, pattern, locale=locale))


@lru_cache(maxsize=8192)
def _hours_text(value: float, locale: Locale) -> str:
    return str(babel_format_decimal(value, "#,##0.##", locale=locale))


def fmt_hours(value: Any) -> str:
    """Hours as the language writes numbers: 1,234.5 in English, 1 234,5 in Polish."""
    if value is None:
        return "—"
    return _hours_text(float(value), current_locale())


@lru_cache(maxsize=8192)
def _percent_text(value: float, locale: Locale) -> str:
    return str(babel_format_percent(value, "#,##0%", locale=locale))


def pct(value: Any) -> str:
    """A share (0..1) as a whole percentage in the page's language."""
    return _percent_text(float(value or 0), current_locale())


def in_language(definition: Any) -> str:
    """A credential definition's name in the page's language (credential-format.md §6.6)."""
    if definition is None:
        return "—"
    return str(definition.name_in(current_language()))


def pathway_in_language(definition: Any, pathway: str) -> str:
    return str(definition.pathway_name(pathway, current_language()))


def _title(titles: dict[str, str], value: Any) -> str:
    """A code's title in the page's language; a code without one shows as it is."""
    code = str(value)
    msgid = titles.get(code)
    return str(translations().ugettext(msgid)) if msgid else code


def status_title(value: Any) -> str:
    return _title(STATUS_TITLES, value)


def reason_title(value: Any) -> str:
    return _title(REASON_TITLES, value)


def init_app(app: Flask) -> None:
    app.add_template_filter(fmt_date, "date")
    app.add_template_filter(fmt_hours, "hours")
    app.add_template_filter(pct, "pct")
    app.add_template_filter(status_title, "status_title")
    app.add_template_filter(in_language, "name_in_language")
    app.add_template_filter(pathway_in_language, "pathway_in_language")
    app.add_template_filter(reason_title, "reason_title")

    @app.context_processor
    def _nav() -> dict[str, Any]:
        return {
            "me": current_user if current_user.is_authenticated else None,
            "nav_endpoints": app.view_functions.keys(),
        }
