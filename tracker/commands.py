"""What every `flask --app tracker …` command shares: one transaction, clear failures.

The commands live with the code they drive (tracker/cli.py, statements/cli.py, backup.py)
and import these helpers from here, never from one another.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NoReturn, TypeVar

import click

from tracker.database import writing
from tracker.errors import TrackerError
from tracker.extensions import db

T = TypeVar("T")


def fail(message: str) -> NoReturn:
    """Roll back, print the message on stderr and exit 1."""
    db.session.rollback()
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def run(fn: Callable[[], T]) -> T:
    """Run one operation in one transaction: commit on success, clear message on failure."""
    try:
        with writing():
            result = fn()
            db.session.commit()
            return result
    except TrackerError as exc:
        fail(exc.message)
