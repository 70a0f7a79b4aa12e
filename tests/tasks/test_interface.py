"""The task interface: a task runs once its transaction commits, never after a rollback."""

from __future__ import annotations

import pytest

from tracker import tasks
from tracker.database import writing
from tracker.extensions import db

RAN: list[tuple[str, int]] = []


def remember(word: str, number: int) -> None:
    RAN.append((word, number))


@pytest.fixture(autouse=True)
def _clear() -> None:
    RAN.clear()


def test_a_task_runs_when_its_transaction_commits(app):
    with app.app_context(), writing():
        job = tasks.enqueue(remember, "committed", 1)
        assert RAN == []  # not before the commit: it could not see what was written
        db.session.commit()
    assert RAN == [("committed", 1)] and len(job) == 16


def test_a_rolled_back_task_never_runs(app):
    with app.app_context(), writing():
        tasks.enqueue(remember, "rolled back", 2)
        db.session.rollback()
        db.session.commit()
    assert RAN == []


def test_tasks_take_ids_not_objects(app):
    with app.app_context(), pytest.raises(TypeError, match="ids and plain values"):
        tasks.enqueue(remember, object(), 3)


def test_a_savepoint_keeps_its_tasks_until_the_outer_commit_and_drops_them_on_rollback(app):
    with app.app_context(), writing():
        tasks.enqueue(remember, "outer", 1)
        kept = db.session.begin_nested()
        tasks.enqueue(remember, "kept", 2)
        kept.commit()
        assert RAN == []  # a released savepoint commits nothing yet
        undone = db.session.begin_nested()
        tasks.enqueue(remember, "undone", 3)
        undone.rollback()
        db.session.commit()
    assert RAN == [("outer", 1), ("kept", 2)]
