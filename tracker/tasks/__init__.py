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
import traceback
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, cast

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.local import LocalProxy

from tracker.tasks.running import Task, run_task

__all__ = ["Task", "enqueue", "run_task"]

log = logging.getLogger("tracker.tasks")
_PENDING = "tracker.pending_tasks"


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
    # Remember the innermost transaction: a savepoint rolled back drops only its own tasks.
    scope = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((scope, task))
    return task.job_id


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    """The outermost commit submits the tasks (releasing a savepoint commits nothing yet)."""
    if session.in_nested_transaction():
        return
    pending: list[tuple[Any, Task]] = session.info.pop(_PENDING, [])
    if pending and has_app_context():
        app = cast("LocalProxy[Flask]", current_app)._get_current_object()
        for _scope, task in pending:
            backend_for(app).submit(app, task)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous: Any) -> None:
    """A rollback drops the tasks it undoes: a savepoint's own, or all of them."""
    if previous is not None and previous.nested:
        pending = session.info.get(_PENDING, [])
        session.info[_PENDING] = [(scope, t) for scope, t in pending if scope is not previous]
        return
    session.info.pop(_PENDING, None)


class InProcess:
    """The embedded default: a thread pool of this process (eager when testing).

    Failed tasks are kept in memory (the last FAILED_KEPT) so that the admin page can show,
    retry or delete them like the Redis queue's dead-letter list.
    """

    FAILED_KEPT = 200

    def __init__(self, workers: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tracker-task")
        self._failed: deque[tuple[Task, str, datetime]] = deque(maxlen=self.FAILED_KEPT)

    def submit(self, app: Flask, task: Task) -> None:
        if app.config.get("TASKS_EAGER", app.testing):
            try:
                run_task(app, task)
            except Exception:
                self._remember(task)
                raise
            return
        self._pool.submit(self._run_quietly, app, task)

    def _run_quietly(self, app: Flask, task: Task) -> None:
        try:
            run_task(app, task)
        except Exception:  # noqa: BLE001 - logged by run_task; the pool must go on
            self._remember(task)

    def _remember(self, task: Task) -> None:
        from tracker.timeutil import utcnow

        self._failed.append((task, traceback.format_exc(), utcnow()))

    def failed(self) -> list[Any]:
        from tracker.tasks.backends import FailedTask

        return [
            FailedTask(t.job_id, t.name, list(t.args), error, at)
            for t, error, at in reversed(self._failed)
        ]

    def _take(self, job_id: str) -> Task | None:
        for entry in list(self._failed):
            if entry[0].job_id == job_id:
                self._failed.remove(entry)
                return entry[0]
        return None

    def retry_failed(self, job_id: str) -> bool:
        task = self._take(job_id)
        if task is None:
            return False
        app = cast("LocalProxy[Flask]", current_app)._get_current_object()
        self._pool.submit(self._run_quietly, app, task)
        return True

    def delete_failed(self, job_id: str) -> bool:
        return self._take(job_id) is not None


_lock = threading.Lock()
_BACKENDS: dict[int, Any] = {}


def backend_for(app: Flask) -> Any:
    """The app's task backend (one per app object): Redis when TRACKER_REDIS_URL is set."""
    with _lock:
        backend = _BACKENDS.get(id(app))
        if backend is None:
            backend = app.extensions.get("tracker.tasks")
            if backend is None and app.config.get("REDIS_URL"):
                from tracker.tasks.backends import RedisQueue

                backend = RedisQueue(app.config["REDIS_URL"])
            if backend is None:
                backend = InProcess()
            _BACKENDS[id(app)] = backend
        return backend
