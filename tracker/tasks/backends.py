"""The scale-out backend: tasks on a Redis queue (RQ), served by ``flask --app tracker worker``.

RQ rather than Celery or Dramatiq: it needs Redis only (which the installation already
uses for the shared login-throttling counters), its jobs are plain function calls with
plain arguments (what our tasks are), and it keeps failed jobs with their traceback in a
registry we can list, retry and delete from an admin page, without a broker of its own or
a result backend to configure. Retries with back-off, per-job timeouts and the recovery of
jobs abandoned by a killed worker (they are retried) come with it.

A job carries the task's import path and arguments, never a pickled function or ORM
object; the worker resolves the path and runs it through ``run_task`` in its own app.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask

log = logging.getLogger("tracker.tasks")

QUEUE_NAME = "tracker"
DEFAULT_RETRIES = 3
RETRY_INTERVALS = [5, 30, 120]
DEFAULT_TIMEOUT = 30 * 60
FAILED_KEEP_SECONDS = 14 * 24 * 3600

_worker_app: Flask | None = None


def resolve(name: str) -> Any:
    """The function a task name ("module:qualname") names; only tracker's own functions."""
    module_name, _, qualname = name.partition(":")
    if not (module_name == "tracker" or module_name.startswith(("tracker.", "tests."))):
        raise ValueError(f"not a tracker task: {name!r}")
    target: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


def perform(name: str, args: list[Any], job_id: str) -> Any:
    """What an RQ job runs: the task, in the worker's app, in one transaction."""
    from tracker.tasks.running import Task, run_task

    app = _worker_app
    if app is None:  # a worker started without `flask worker` (e.g. `rq worker`)
        # The factory by name, as RQ names its jobs: tasks sit below the app they run in.
        app = set_worker_app(resolve("tracker:create_app")())
    return run_task(app, Task(resolve(name), tuple(args), job_id))


def set_worker_app(app: Flask) -> Flask:
    global _worker_app
    _worker_app = app
    return app


def connection(url: str) -> Any:
    from redis import Redis

    return Redis.from_url(url)


class RedisQueue:
    """Tasks go to a Redis queue; any number of `flask --app tracker worker` run them."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._connection: Any = None

    @property
    def redis(self) -> Any:
        if self._connection is None:
            self._connection = connection(self.url)
        return self._connection

    def queue(self) -> Any:
        from rq import Queue

        return Queue(QUEUE_NAME, connection=self.redis)

    def submit(self, app: Flask, task: Any) -> None:
        from rq import Retry

        retries = int(task.options.get("retries", DEFAULT_RETRIES))
        self.queue().enqueue(
            perform,
            task.name,
            list(task.args),
            task.job_id,
            job_id=task.job_id,
            description=task.description or task.name,
            job_timeout=int(task.options.get("timeout", DEFAULT_TIMEOUT)),
            retry=Retry(max=retries, interval=RETRY_INTERVALS[:retries]) if retries else None,
            failure_ttl=FAILED_KEEP_SECONDS,
            result_ttl=3600,
        )

    # ------------------------------------------------------------ the dead-letter list

    def failed(self) -> list[FailedTask]:
        from rq.job import Job

        registry = self.queue().failed_job_registry
        out = []
        for job in Job.fetch_many(registry.get_job_ids(), connection=self.redis):
            if job is not None:
                out.append(FailedTask.of(job))
        return sorted(out, key=lambda t: t.ended_at or datetime.min, reverse=True)

    def retry_failed(self, job_id: str) -> bool:
        registry = self.queue().failed_job_registry
        if job_id not in registry.get_job_ids():
            return False
        registry.requeue(job_id)
        return True

    def delete_failed(self, job_id: str) -> bool:
        from rq.job import Job

        registry = self.queue().failed_job_registry
        if job_id not in registry.get_job_ids():
            return False
        registry.remove(Job.fetch(job_id, connection=self.redis), delete_job=True)
        return True

    def work(self, app: Flask, *, burst: bool = False, name: str | None = None) -> None:
        """Serve the queue in this process until stopped (SIGTERM finishes the current job)."""
        from rq import Worker

        set_worker_app(app)
        config = app.config
        maintenance = int(config.get("WORKER_MAINTENANCE_INTERVAL", 30))
        worker = Worker(
            [self.queue()],
            connection=self.redis,
            name=name,
            job_monitoring_interval=int(config.get("WORKER_MONITORING_INTERVAL", 5)),
            maintenance_interval=maintenance,
            # An idle worker waits on Redis for worker_ttl - 15 s and looks for the tasks a
            # killed worker left behind only between waits: with RQ's 420 s, up to 405 s.
            # This keeps the wait to the maintenance interval.
            worker_ttl=maintenance + 15,
        )
        worker.work(burst=burst, with_scheduler=True, logging_level="INFO")


@dataclass(frozen=True)
class FailedTask:
    """A task that failed after its retries (or was abandoned), as the admin page lists it."""

    id: str
    name: str
    args: list[Any]
    error: str
    ended_at: datetime | None

    @property
    def summary(self) -> str:
        lines = [line for line in self.error.strip().splitlines() if line.strip()]
        return lines[-1] if lines else ""

    @classmethod
    def of(cls, job: Any) -> FailedTask:
        args = list(job.args or [])
        name = str(args[0]) if args else str(job.func_name)
        task_args = list(args[1]) if len(args) > 1 and isinstance(args[1], list) else []
        error = ""
        try:
            result = job.latest_result()
            error = (result.exc_string if result is not None else "") or ""
        except Exception:  # noqa: BLE001 - an old job without results: fall back below
            error = ""
        error = error or str(getattr(job, "exc_info", "") or "")
        return cls(job.id, name, task_args, error, job.ended_at)
