"""Worker processes for CPU-heavy work (cohort statements, cold cohort evaluation).

Each worker builds its own app from picklable settings, with the factory that built the
parent's app (create_app registers itself under FACTORY, so that nothing here imports the
package root), and works on plain data. Workers come from a fork server where there is one
(they start warm, and a threaded web server is safe: a plain fork could copy a held lock
into the child), else are spawned.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from typing import Any

from flask import Flask

WORKER_CONFIG_KEYS = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "CREDENTIALS_DIR", "UPLOAD_DIR")
FACTORY = "tracker.factory"
"""app.extensions key: the app factory, create_app(config) -> Flask."""

_worker_app: Flask | None = None


def default_workers() -> int:
    """One per core, at most two (the machines we size for have two)."""
    return max(1, min(2, os.cpu_count() or 1))


def worker_config(app: Flask) -> dict[str, Any]:
    """The settings a worker needs to build its app, and the factory that builds it:
    picklable values only (a function pickles as its module and name)."""
    config = {key: app.config[key] for key in WORKER_CONFIG_KEYS if key in app.config}
    config["TESTING"] = bool(app.config.get("TESTING"))
    config["RATELIMIT_ENABLED"] = False
    config[FACTORY] = app.extensions[FACTORY]
    return config


def process_context() -> Any:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["tracker.statements.preload"])
        return context
    return multiprocessing.get_context("spawn")


def init_worker(config: dict[str, Any]) -> None:
    """Pool initializer: the worker's own app."""
    global _worker_app
    settings = dict(config)
    factory: Callable[[dict[str, Any]], Flask] = settings.pop(FACTORY)
    _worker_app = factory(settings)


def worker_app() -> Flask:
    if _worker_app is None:
        raise RuntimeError("worker not initialised (init_worker was not run)")
    return _worker_app
