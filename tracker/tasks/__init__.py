"""Background tasks: plain functions that take ids (never ORM objects), run off the request.

    from tracker import tasks
    tasks.enqueue(send_notice, notice.id)

A task is enqueued when the transaction that asked for it commits (so that it sees what
the request wrote) and dropped when it rolls back. Where it runs depends on the
installation, never on the caller:

- embedded default (no TRACKER_REDIS_URL): in this process, on a small thread pool, inside
  an app context; with TESTING (or TASKS_EAGER) at once, in the committing thread;
- scale-out (TRACKER_REDIS_URL): on the Redis queue that ``flask --app tracker worker``
  serves on any number of hosts (backends.py).

Tasks must be idempotent: a task run twice, or by two workers at once after a crash, gives
one result (they check and write under a unique key or a conditional update).
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, cast

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.local import LocalProxy

log = logging.getLogger("tracker.tasks")
_PENDING = "tracker.pending_tasks"


@dataclass(frozen=True)
class Task:
    """One call of a task function, as it will be run."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    job_id: str
    description: str = ""
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.fn.__module__}:{self.fn.__qualname__}"


def enqueue(
    fn: Callable[..., Any],
    *args: Any,
    job_id: str | None = None,
    description: str = "",
    session: Session | None = None,
    **options: Any,
) -> str:
    """Run fn(*args) in the background once the current transaction commits; its job id."""
    for arg in args:
        if not isinstance(arg, str | int | float | bool | type(None) | list | tuple | dict):
            raise TypeError(f"tasks take ids and plain values, not {type(arg).__name__}")
    task = Task(fn, tuple(args), job_id or secrets.token_hex(8), description, dict(options))
    if session is None:
        from tracker.extensions import db

        session = db.session()
    if not session.in_transaction():
        session.begin()  # so that its commit or rollback decides the task's fate
    session.info.setdefault(_PENDING, []).append(task)
    return task.job_id


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending: list[Task] = session.info.pop(_PENDING, [])
    if pending and has_app_context():
        app = cast("LocalProxy[Flask]", current_app)._get_current_object()
        for task in pending:
            backend_for(app).submit(app, task)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous: Any) -> None:
    """Any rollback, even of a session that had not begun a transaction, drops the tasks."""
    session.info.pop(_PENDING, None)


def run_task(app: Flask, task: Task) -> Any:
    """Run one task in its own app context and transaction (what every backend calls)."""
    from tracker.database import writing
    from tracker.extensions import db

    with app.app_context():
        try:
            with writing():
                result = task.fn(*task.args)
                db.session.commit()
                return result
        except Exception:
            db.session.rollback()
            log.exception("task failed", extra={"task": task.name, "job_id": task.job_id})
            raise
        finally:
            db.session.remove()


class InProcess:
    """The embedded default: a thread pool of this process (eager when testing)."""

    def __init__(self, workers: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tracker-task")

    def submit(self, app: Flask, task: Task) -> None:
        if app.config.get("TASKS_EAGER", app.testing):
            run_task(app, task)
            return
        self._pool.submit(self._run_quietly, app, task)

    @staticmethod
    def _run_quietly(app: Flask, task: Task) -> None:
        try:
            run_task(app, task)
        except Exception:  # noqa: BLE001, S110 - logged by run_task; the pool must go on
            pass


_lock = threading.Lock()
_BACKENDS: dict[int, Any] = {}


def backend_for(app: Flask) -> Any:
    """The app's task backend (one per app object)."""
    with _lock:
        backend = _BACKENDS.get(id(app))
        if backend is None:
            backend = app.extensions.get("tracker.tasks") or InProcess()
            _BACKENDS[id(app)] = backend
        return backend
