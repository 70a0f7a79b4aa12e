"""Cached row fragments: a list row is rendered once per content and language.

A cohort or queue page is mostly rows (100 and 50), and most rows are the same from one
view to the next: sorting, paging back and forth, a reload after deciding one entry. As
Rails' collection caching or Django's `{% cache %}`, each row's HTML is kept under a key
made of everything the row shows, so a row whose data changed gets a new key and is
rendered afresh; nothing is invalidated, old entries age out (least recently used first,
bounded in characters per process).

In a template the row stays inline:

    {% call cached("cohort", row.cache_key) %}<tr>…</tr>{% endcall %}

The key is the view's: it must hold every value the fragment shows. The language, the
application root (URLs) and the call site's name are added here. Nothing that differs
per user or per request (a CSRF token, a permission) may be inside a cached fragment.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import fields, is_dataclass
from datetime import date
from enum import Enum
from typing import Any

from flask import Flask, current_app, request
from markupsafe import Markup

from tracker.i18n import current_locale

LIMIT_CHARS = 8_000_000  # per process: about 8,000 queue rows or 16,000 cohort rows


class FragmentCache:
    def __init__(self, limit_chars: int = LIMIT_CHARS) -> None:
        self.limit = limit_chars
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, render: Callable[[], str]) -> str:
        with self._lock:
            html = self._items.get(key)
            if html is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return html
        html = str(render())
        with self._lock:
            self.misses += 1
            if key not in self._items:
                self._items[key] = html
                self.size += len(html)
            while self.size > self.limit and self._items:
                _old, dropped = self._items.popitem(last=False)
                self.size -= len(dropped)
        return html

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.size = self.hits = self.misses = 0


def freeze(value: Any) -> Hashable:
    """A hashable copy of a row's values (dicts, lists, dataclasses, dates, enums)."""
    if value is None or isinstance(value, str | int | float | bool | date | Enum):
        return value
    if isinstance(value, dict):
        return tuple(sorted((str(k), freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple | set | frozenset):
        items = [freeze(v) for v in value]
        if isinstance(value, set | frozenset):
            items.sort(key=repr)
        return tuple(items)
    if is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, *(freeze(getattr(value, f.name)) for f in fields(value)))
    raise TypeError(f"cannot key a cached fragment on a {type(value).__name__}")


def cache_of(app: Flask) -> FragmentCache:
    return app.extensions["tracker.fragments"]  # type: ignore[no-any-return]


def cached(name: str, key: Hashable, caller: Callable[[], str]) -> Markup:
    """The `{% call cached(name, key) %}` block's HTML, rendered on the first use of its key."""
    full = (name, str(current_locale()), request.script_root, key)
    html = cache_of(current_app).get(full, caller)
    return Markup(html)  # noqa: S704 - the template's own output, escaped when rendered


def init_app(app: Flask) -> None:
    app.extensions["tracker.fragments"] = FragmentCache()
    app.jinja_env.globals["cached"] = cached
