"""Charts drawn on the server as inline SVG: they work offline, without JavaScript, in the
PDF statement (WeasyPrint draws SVG) and on a phone (they scale to their box).

Plain SVG from this small helper rather than a charting library: two chart shapes are
needed, their data is already aggregated by the engine (`by_year`, credential-format.md
§6.8), and a library (pygal: a dependency tree and its own CSS/JS for interactivity) would
add more than the ~150 lines it saves. Every chart has a <title> and <desc> for screen
readers, and its numbers are also in the table next to it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flask import Flask
from flask_babel import format_decimal
from markupsafe import Markup, escape

from tracker.i18n import gettext as _

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 28, 40
# Colours shared with the badges (static/css/tracker.css): counted, capped, pending, goal.
COLOURS = {"counted": "#1b6e3a", "capped": "#b0641c", "pending": "#5b6b86", "goal": "#b3261e"}
STATUS_COLOURS = {
    "met": "#1b6e3a",
    "waived": "#6a3fa0",
    "in_progress": "#1f5fa8",
    "not_started": "#8a8f98",
    "expired": "#b3261e",
    "error": "#b3261e",
}


def _number(value: float) -> str:
    return format_decimal(value, "#,##0.#")


def _nice_top(value: float) -> float:
    """A round number at or above value for the axis (1, 2, 2.5 or 5 × a power of ten)."""
    if value <= 0:
        return 1.0
    power = 1.0
    while power * 10 <= value:
        power *= 10
    while power > value:
        power /= 10
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def hours_chart(
    by_year: Sequence[Mapping[str, Any]],
    required: float | None,
    projected_on: str | None = None,
    title: str | None = None,
) -> Markup:
    """Counted, capped and pending hours per year (stacked bars), the counted total so far
    (a line) and the required hours (a dashed line); the projected completion in the note."""
    rows = [r for r in by_year if r]
    if not rows:
        return Markup("")
    title = title or _("Hours by year")
    years = [int(r["year"]) for r in rows]
    counted = [float(r.get("counted") or 0) for r in rows]
    capped = [float(r.get("capped") or 0) for r in rows]
    pending = [float(r.get("pending") or 0) for r in rows]
    running: list[float] = []
    total = 0.0
    for value in counted:
        total += value
        running.append(total)
    top = _nice_top(max([*(c + k + p for c, k, p in zip(counted, capped, pending, strict=True)),
                         *running, required or 0]))  # fmt: skip
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(rows)
    bar = min(48.0, slot * 0.6)

    def y(value: float) -> float:
        return TOP + plot_h - plot_h * value / top

    parts: list[str] = []
    for n in range(5):  # grid and axis labels
        value = top * n / 4
        line_y = f"{y(value):.1f}"
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{line_y}" y2="{line_y}" '
                     'stroke="#d9dde3" stroke-width="1"/>')  # fmt: skip
        parts.append(f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" '
                     f'font-size="11">{escape(_number(value))}</text>')  # fmt: skip
    for i, year in enumerate(years):
        x = LEFT + slot * i + (slot - bar) / 2
        base = 0.0
        for key, values in (("counted", counted), ("capped", capped), ("pending", pending)):
            value = values[i]
            if value <= 0:
                continue
            parts.append(
                f'<rect x="{x:.1f}" y="{y(base + value):.1f}" width="{bar:.1f}" '
                f'height="{y(base) - y(base + value):.1f}" fill="{COLOURS[key]}">'
                f"<title>{escape(_legend(key))} {year}: {escape(_number(value))}</title></rect>"
            )
            base += value
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                     f'text-anchor="middle" font-size="11">{year}</text>')  # fmt: skip
    points = " ".join(
        f"{LEFT + slot * i + slot / 2:.1f},{y(value):.1f}" for i, value in enumerate(running)
    )
    parts.append(f'<polyline points="{points}" fill="none" stroke="#111" stroke-width="2"/>')
    if required:
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(required):.1f}" '
                     f'y2="{y(required):.1f}" stroke="{COLOURS["goal"]}" stroke-width="2" '
                     f'stroke-dasharray="6 4"/>')  # fmt: skip
        label = _("required: %(hours)s", hours=_number(required))
        parts.append(f'<text x="{WIDTH - RIGHT}" y="{y(required) - 5:.1f}" text-anchor="end" '
                     f'font-size="11" fill="{COLOURS["goal"]}">{escape(label)}</text>')  # fmt: skip
    legend = _legend_items(("counted", "capped", "pending"), WIDTH - RIGHT)
    desc = _(
        "%(counted)s hours counted so far of %(required)s required; %(pending)s pending.",
        counted=_number(total),
        required=_number(required or 0),
        pending=_number(sum(pending)),
    )
    if projected_on:
        desc += " " + _("Projected completion: %(day)s.", day=projected_on)
    return _svg(title, desc, parts + legend)


def _legend(key: str) -> str:
    return {
        "counted": _("Counted"),
        "capped": _("Over a cap (not counted)"),
        "pending": _("Pending approval"),
    }[key]


def _legend_items(keys: Iterable[str], right: float) -> list[str]:
    parts, x = [], float(LEFT)
    for key in keys:
        label = _legend(key)
        parts.append(f'<rect x="{x:.1f}" y="8" width="10" height="10" fill="{COLOURS[key]}"/>')
        parts.append(f'<text x="{x + 14:.1f}" y="17" font-size="11">{escape(label)}</text>')
        x += 24 + 6.2 * len(label)
    x = min(x, right - 120)
    parts.append(f'<line x1="{x:.1f}" x2="{x + 18:.1f}" y1="13" y2="13" stroke="#111" '
                 'stroke-width="2"/>')  # fmt: skip
    total = escape(_("Total counted"))  # not inside the f-string: Babel would not find it
    parts.append(f'<text x="{x + 22:.1f}" y="17" font-size="11">{total}</text>')
    return parts


def status_chart(counts: Mapping[str, int], titles: Mapping[str, str]) -> Markup:
    """One horizontal bar split by status (the cohort at a glance), a legend line per status.
    Drawn 320 units wide so that its text stays readable when a phone scales it down."""
    shown = [(key, value) for key, value in counts.items() if value > 0]
    total = sum(value for _key, value in shown)
    if not total:
        return Markup("")
    width = 320
    height = 40 + 18 * len(shown)
    parts: list[str] = []
    x = 0.0
    for n, (key, value) in enumerate(shown):
        w = width * value / total
        colour = STATUS_COLOURS.get(key, "#8a8f98")
        label = f"{titles.get(key, key)}: {value}"
        parts.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="24" fill="{colour}">'
                     f"<title>{escape(label)}</title></rect>")  # fmt: skip
        y = 36 + 18 * n
        parts.append(f'<rect x="0" y="{y}" width="11" height="11" fill="{colour}"/>')
        parts.append(f'<text x="16" y="{y + 10}" font-size="12">{escape(label)}</text>')
        x += w
    desc = ", ".join(f"{titles.get(k, k)}: {v}" for k, v in shown)
    return _svg(_("Enrolments by status"), desc, parts, width=width, height=height)


def _svg(title: str, desc: str, parts: list[str], width: int = WIDTH,
         height: int = HEIGHT) -> Markup:  # fmt: skip
    body = "".join(parts)
    ident = "chart-" + secrets.token_hex(4)  # unique: a page may show several charts
    # Every text inside was escaped where it was put in (escape()); numbers are formatted here.
    return Markup(  # noqa: S704
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{ident}-t {ident}-d" preserveAspectRatio="xMinYMin meet" '
        f'font-family="DejaVu Sans, sans-serif"><title id="{ident}-t">{escape(title)}</title>'
        f'<desc id="{ident}-d">{escape(desc)}</desc>{body}</svg>'
    )


def init_app(app: Flask) -> None:
    app.jinja_env.globals["hours_chart"] = hours_chart
    app.jinja_env.globals["status_chart"] = status_chart
