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
per user or per request (a CSRF token, a permission) may be inside a cached fragment:
such parts are rendered outside and put into the fragment's holes ("donut caching"):

    {% set actions %}…per user…{% endset %}
    {% call cached("progress", key, shared=True, holes={"actions": actions}) %}
      …{{ hole("actions") }}…
    {% endcall %}

A fragment cached with ``shared=True`` (a whole progress page: its first view anywhere
costs loading and evaluating the candidate's records) is also kept as a file under
TRACKER_STORAGE_DIR/fragments, which every worker (and every host, where the directory is
shared) reads, as Django's file-based cache or Rails' Solid Cache do. A file is written
atomically (renamed into place) and removed after SHARED_TTL; the key holds the day the
page is as of, so older files are never asked for again.
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import fields, is_dataclass
from datetime import date, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

from flask import Flask, current_app, request
from markupsafe import Markup

from tracker.i18n import current_locale
from tracker.tasks.storage import write_atomic

LIMIT_CHARS = 8_000_000  # per process: about 8,000 queue rows or 16,000 cohort rows
SHARED_TTL = timedelta(days=2)  # the shared files: every key holds a day or a version
PRUNE_EVERY = 500  # about one write in so many removes the shared files older than SHARED_TTL

log = logging.getLogger(__name__)


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


class SharedFragments:
    """Fragments as files under one directory, read and written by every worker."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: Hashable) -> Path:
        digest = hashlib.sha256(repr(key).encode()).hexdigest()
        return self.root / digest[:2] / digest

    def get(self, key: Hashable, render: Callable[[], str]) -> str:
        path = self.path(key)
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            pass
        html = str(render())
        try:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_atomic(path, html.encode("utf-8"), durable=False)
        except OSError as exc:  # a cache: the page is shown all the same
            log.warning("shared fragment not stored: %s", exc)
        if random.randrange(PRUNE_EVERY) == 0:  # noqa: S311 - not a secret
            self.prune()
        return html

    def prune(self, older_than: timedelta = SHARED_TTL) -> int:
        """Remove the files (and left-over partial ones) older than `older_than`."""
        limit = time.time() - older_than.total_seconds()
        removed = 0
        for path in self.root.glob("*/*"):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
        return removed


def shared_of(app: Flask) -> SharedFragments:
    return SharedFragments(Path(app.config["STORAGE_DIR"]) / "fragments")


def hole(name: str) -> Markup:
    """Where a per-request part goes into a cached fragment (see `holes` of `cached`). It
    cannot come from shown data: escaped text has no "<"."""
    return Markup(f"<!--hole:{name}-->")  # noqa: S704 - a constant made of a template's name


def cached(
    name: str,
    key: Hashable,
    caller: Callable[[], str],
    shared: bool = False,
    holes: Mapping[str, str] | None = None,
) -> Markup:
    """The `{% call cached(name, key) %}` block's HTML, rendered on the first use of its key
    (in this process; with `shared`, anywhere), its holes filled with this request's parts."""
    full = (name, str(current_locale()), request.script_root, key)
    render = caller
    if shared:
        store = shared_of(current_app)

        def render() -> str:
            return store.get(full, caller)

    html = cache_of(current_app).get(full, render)
    for part, content in (holes or {}).items():
        html = html.replace(hole(part), str(content))
    return Markup(html)  # noqa: S704 - the template's own output, escaped when rendered


def init_app(app: Flask) -> None:
    app.extensions["tracker.fragments"] = FragmentCache()
    app.jinja_env.globals["cached"] = cached
    app.jinja_env.globals["hole"] = hole
