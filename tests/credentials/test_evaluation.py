from __future__ import annotations

import gc

import pytest

from tracker.credentials.evaluation import _collector_paused


def test_collector_is_paused_only_for_bulk_work_and_always_resumed():
    assert gc.isenabled()
    with _collector_paused(False):
        assert gc.isenabled()
    with _collector_paused(True):
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), _collector_paused(True):
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_cold_cohort_in_worker_processes_equals_in_process(app, runner):
    """The parallel path (worker processes, their own app and connections) gives the same
    results as the in-process path, and fills the parent's cache."""
    from sqlalchemy import select

    from tracker.accounts.models import Role, User
    from tracker.credentials import cache
    from tracker.credentials.catalog import current_catalog
    from tracker.credentials.evaluation import evaluate_cohort
    from tracker.extensions import db
    from tracker.timeutil import today

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    app.config.update(EVALUATION_WORKERS=2, EVALUATION_PARALLEL_THRESHOLD=1)
    with app.test_request_context():
        people = db.session.scalars(select(User).where(User.role == Role.CANDIDATE)).all()
        catalog = current_catalog()
        cache.results.clear()
        serial = evaluate_cohort(catalog, people, today(), parallel=False)
        cache.results.clear()
        parallel = evaluate_cohort(catalog, people, today())
        assert [p.result for p in parallel] == [p.result for p in serial]
        assert [p.enrolment.id for p in parallel] == [p.enrolment.id for p in serial]
        assert len(serial) == 7 and all(p.error is None for p in parallel)
        assert len(cache.results) >= 7
