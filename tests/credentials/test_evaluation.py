from __future__ import annotations

import gc

import pytest

from tracker.credentials.evaluation import collector_paused


def test_collector_is_paused_only_for_bulk_work_and_always_resumed():
    assert gc.isenabled()
    with collector_paused(False):
        assert gc.isenabled()
    with collector_paused(True):
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused(True):
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_refresh_all_refreshes_every_candidate_in_batches(app, runner):
    """refresh_all: one refresh task per batch, together covering every enrolled candidate."""
    from sqlalchemy import func, select

    from tracker import tasks
    from tracker.candidates.cohort import refresh_all, refresh_results
    from tracker.credentials.models import EnrolmentResult
    from tracker.database import writing
    from tracker.extensions import db
    from tracker.records.models import Enrolment

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context(), writing():
        db.session.execute(EnrolmentResult.__table__.delete())
        db.session.commit()
    seen: list[list[int]] = []
    real = tasks.run_task

    def spy(app_, task):
        if task.fn is refresh_results:
            seen.append(list(task.args[0]))
        return real(app_, task)

    tasks.run_task = spy
    try:
        with app.app_context(), writing():
            refresh_all(batch=2)
            db.session.commit()
    finally:
        tasks.run_task = real
    with app.app_context():
        enrolled = set(db.session.scalars(select(Enrolment.candidate_id)))
        stored = db.session.scalar(select(func.count()).select_from(EnrolmentResult))
        enrolments = db.session.scalar(select(func.count()).select_from(Enrolment))
    assert sorted(i for batch in seen for i in batch) == sorted(enrolled)
    assert all(len(batch) <= 2 for batch in seen) and len(seen) >= 2
    assert stored == enrolments == 7
