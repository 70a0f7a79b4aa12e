"""The small pieces of HTML that lists repeat on every row: a status badge and a progress bar.

They are Python functions returning Markup, not Jinja macros: a cohort page calls them a
few hundred times, and each costs a Jinja macro (or Markup.format) several times as much. Templates
use them as globals: `{{ badge(row.status) }}`, `{{ bar(row.progress, label) }}`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask
from markupsafe import Markup, escape

from tracker.i18n import translations
from tracker.web.filters import status_title


def _html(text: str) -> Markup:
    return Markup(text)  # noqa: S704 - built here from escape()d values only


def _field(node: Any, name: str) -> Any:
    """`node.name` as Jinja reads it: a key of a result dict, or an attribute."""
    if isinstance(node, dict):
        return node.get(name)
    return getattr(node, name, None)


def badge(status: Any) -> Markup:
    title = escape(status_title(status))
    return _html(f'<span class="badge badge-{escape(status)}">{title}</span>')


def _waived_badge() -> str:
    return f'<span class="badge badge-waived">{escape(translations().ugettext("Waived"))}</span>'


def result_badge(node: Any) -> Markup:
    """A node of the engine's result: met only because of a waiver reads Waived, never Met."""
    if _field(node, "waived"):
        return _html(_waived_badge())
    return badge(_field(node, "status"))


def waived_note(nodes: Iterable[Any] | None) -> Markup:
    """Names the waived requirements (outermost first) with their reasons."""
    if not nodes:
        return Markup("")
    lines = []
    for n in nodes:
        detail = _field(n, "detail")
        name = escape(_field(n, "title") or _field(n, "id"))
        reason = f" — {escape(detail)}" if detail else ""
        lines.append(f"<div>{_waived_badge()} {name}{reason}</div>")
    return _html(f'<div class="waived-note small">{"".join(lines)}</div>')


def bar(progress: Any, label: Any = "") -> Markup:
    """A progress bar (0..1) with its accessible name."""
    percent = float(progress or 0) * 100
    name = escape(label or translations().ugettext("Progress"))
    return _html(
        f'<div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" '
        f'aria-valuenow="{round(percent)}" aria-label="{name}">\n'
        f'  <span class="bar-fill w-{int(percent // 5 * 5)}"></span>\n</div>'
    )


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        badge=badge, result_badge=result_badge, waived_note=waived_note, bar=bar
    )
