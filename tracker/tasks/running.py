"""One task and how every backend runs it: in its own app context and transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

log = logging.getLogger("tracker.tasks")


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
