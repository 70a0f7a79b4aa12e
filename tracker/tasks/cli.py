"""`flask --app tracker worker`: serve the background queue (scale-out installations)."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from typing import cast

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from werkzeug.local import LocalProxy

# Run once in the worker before it forks a process per job (the app's factory sets it:
# statements' PDF engine, so that WeasyPrint and its fonts are loaded once, not per job).
WARM_UP = "WORKER_WARM_UP"


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the queued tasks, then exit.")
@click.option("--name", default=None, help="This worker's name (default: host and pid).")
@click.option(
    "--maintenance-interval",
    type=click.IntRange(1, 3600),
    default=30,
    show_default=True,
    help="Seconds between looks for tasks a killed worker left behind (they are retried).",
)
@with_appcontext
def worker_cmd(burst: bool, name: str | None, maintenance_interval: int) -> None:
    """Serve the background queue (needs TRACKER_REDIS_URL)."""
    from tracker.tasks.backends import RedisQueue

    app = cast("LocalProxy[Flask]", current_app)._get_current_object()
    url = app.config.get("REDIS_URL")
    if not url:
        click.echo(
            "Error: TRACKER_REDIS_URL is not set. Without it background tasks run inside the "
            "app's own processes and there is no queue to serve; set it (e.g. "
            "redis://localhost:6379/0) on the app servers and the workers.",
            err=True,
        )
        sys.exit(1)
    backend = RedisQueue(url)
    try:
        backend.redis.ping()
    except Exception as exc:  # noqa: BLE001 - any connection problem gets the same message
        click.echo(f"Error: cannot reach Redis at TRACKER_REDIS_URL: {exc}", err=True)
        sys.exit(1)
    from tracker.extensions import db

    db.session.remove()
    db.engine.dispose()  # the worker's jobs open their own connections
    warm_up: Callable[[], None] | None = app.config.get(WARM_UP)
    if warm_up is not None:
        try:
            warm_up()  # each job runs in a fork of this process
        except Exception as exc:  # noqa: BLE001 - the task that needs it reports it again
            click.echo(f"Warning: the worker's warm-up failed ({exc}); tasks still run.", err=True)
    # What is loaded now lives as long as the worker: out of the collector's reach, as in
    # the app's workers (tracker/gunicorn_conf.py). The forks that run the tasks share it
    # unwritten, and their full collections no longer walk it.
    gc.collect()
    gc.freeze()
    app.config["WORKER_MAINTENANCE_INTERVAL"] = maintenance_interval
    backend.work(app, burst=burst, name=name)
