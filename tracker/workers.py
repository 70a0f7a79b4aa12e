"""Worker processes for CPU-heavy work (cohort statements, cold cohort evaluation).

Each worker builds its own app with create_app from picklable settings and works on plain
data. Workers come from a fork server where there is one (they start warm, and a threaded
web server is safe: a plain fork could copy a held lock into the child), else are spawned.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

from flask import Flask

WORKER_CONFIG_KEYS = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "CREDENTIALS_DIR", "UPLOAD_DIR")

_worker_app: Flask | None = None


def default_workers() -> int:
    """One per core, at most two (the machines we size for have two)."""
    return max(1, min(2, os.cpu_count() or 1))


def worker_config(app: Flask) -> dict[str, Any]:
    """The settings a worker needs to build its app: picklable values only."""
    config = {key: app.config[key] for key in WORKER_CONFIG_KEYS if key in app.config}
    config["TESTING"] = bool(app.config.get("TESTING"))
    config["RATELIMIT_ENABLED"] = False
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
    from tracker import create_app

    _worker_app = create_app(config)


def worker_app() -> Flask:
    if _worker_app is None:
        raise RuntimeError("worker not initialised (init_worker was not run)")
    return _worker_app
