"""The Redis queue (RQ) behind tasks.enqueue: a real redis-server, a worker in burst mode."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import extract_csrf, login, make_app
from tests.redis_server import redis_server
from tracker import tasks
from tracker.accounts.models import Organization
from tracker.database import writing
from tracker.extensions import db
from tracker.tasks.backends import RedisQueue


def make_organization(name: str) -> None:
    """A task with a visible, idempotent effect."""
    if db.session.scalar(db.select(Organization).where(Organization.name == name)) is None:
        db.session.add(Organization(name=name))


def always_fails(reason: str) -> None:
    raise RuntimeError(f"task failed on purpose: {reason}")


@pytest.fixture()
def redis_url():
    with redis_server() as url:
        yield url


@pytest.fixture()
def queued_app(app, redis_url):
    """The test app, but on Redis (the `app` fixture has emptied the database)."""
    queued = make_app(REDIS_URL=redis_url)
    yield queued
    with queued.app_context():
        db.session.remove()
        db.engine.dispose()


def enqueue(app, fn, *args, **options):
    with app.app_context(), writing():
        job = tasks.enqueue(fn, *args, **options)
        db.session.commit()
    return job


def organizations(app):
    with app.app_context():
        return list(db.session.scalars(db.select(Organization.name).order_by(Organization.name)))


def test_a_task_waits_on_redis_until_a_worker_runs_it(queued_app):
    backend = tasks.backend_for(queued_app)
    assert isinstance(backend, RedisQueue)
    enqueue(queued_app, make_organization, "Queued Bank")
    assert organizations(queued_app) == []  # nothing runs in the app process
    assert backend.queue().count == 1
    with queued_app.app_context():
        backend.work(queued_app, burst=True)
    assert organizations(queued_app) == ["Queued Bank"]
    # Idempotent: the same task run again gives the same single result.
    enqueue(queued_app, make_organization, "Queued Bank")
    with queued_app.app_context():
        backend.work(queued_app, burst=True)
    assert organizations(queued_app) == ["Queued Bank"]


def test_a_rolled_back_task_never_reaches_redis(queued_app):
    with queued_app.app_context(), writing():
        tasks.enqueue(make_organization, "Never")
        db.session.rollback()
    assert tasks.backend_for(queued_app).queue().count == 0


def test_failed_tasks_are_listed_retried_and_deleted_by_an_admin(queued_app, factory):
    backend = tasks.backend_for(queued_app)
    job = enqueue(queued_app, always_fails, "first", retries=0)
    with queued_app.app_context():
        backend.work(queued_app, burst=True)
    failed = backend.failed()
    assert [t.id for t in failed] == [job]
    assert "task failed on purpose: first" in failed[0].error
    assert failed[0].name.endswith("test_redis_queue:always_fails") and failed[0].args == ["first"]

    admin = factory.user("admin", email="root@example.com")
    client = queued_app.test_client()
    assert login(client, admin.email).status_code == 302
    page = client.get("/admin/tasks").get_data(as_text=True)
    assert job in page and "task failed on purpose: first" in page
    token = extract_csrf(page)
    assert client.post(f"/admin/tasks/{job}/retry", data={"csrf_token": token}).status_code == 303
    assert backend.failed() == [] and backend.queue().count == 1
    with queued_app.app_context():
        backend.work(queued_app, burst=True)  # fails again: back on the list
    assert [t.id for t in backend.failed()] == [job]
    assert client.post(f"/admin/tasks/{job}/delete", data={"csrf_token": token}).status_code == 303
    assert backend.failed() == []
    assert client.post(f"/admin/tasks/{job}/delete", data={"csrf_token": token}).status_code == 404
    assert "No failed tasks." in client.get("/admin/tasks").get_data(as_text=True)


def test_a_failing_task_is_retried_before_it_is_given_up(queued_app):
    backend = tasks.backend_for(queued_app)
    job_id = enqueue(queued_app, always_fails, "retried", retries=1)
    with queued_app.app_context():
        from rq.job import Job

        job = Job.fetch(job_id, connection=backend.redis)
        assert job.retries_left == 1 and job.timeout > 0


def test_the_worker_command_needs_redis(app):
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 1
    assert "TRACKER_REDIS_URL is not set" in result.output


def test_the_worker_command_serves_the_queue(queued_app):
    import gc

    enqueue(queued_app, make_organization, "Served Bank")
    gc.unfreeze()
    try:
        result = queued_app.test_cli_runner().invoke(args=["worker", "--burst"])
        # Before it forks for the tasks, the worker froze what it had loaded.
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
    assert result.exit_code == 0, result.output
    assert organizations(queued_app) == ["Served Bank"]


def test_an_idle_worker_looks_for_abandoned_tasks_every_maintenance_interval(
    queued_app, monkeypatch
):
    """RQ's idle worker waits on Redis for worker_ttl - 15 s (405 s by default) and cleans
    up a killed worker's tasks only between waits: the wait is the maintenance interval."""
    from rq import Worker

    seen = {}

    def record(worker, **_kwargs):
        seen["wait"], seen["maintenance"] = worker.dequeue_timeout, worker.maintenance_interval

    monkeypatch.setattr(Worker, "work", record)
    queued_app.config["WORKER_MAINTENANCE_INTERVAL"] = 2
    RedisQueue(queued_app.config["REDIS_URL"]).work(queued_app, burst=True)
    assert seen == {"wait": 2, "maintenance": 2}


def test_a_worker_whose_warm_up_fails_still_serves_the_queue(queued_app):
    def broken() -> None:
        raise OSError("no fonts here")

    queued_app.config["WORKER_WARM_UP"] = broken
    enqueue(queued_app, make_organization, "Warm Bank")
    result = queued_app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert "warm-up failed (no fonts here)" in result.output
    assert organizations(queued_app) == ["Warm Bank"]


def test_the_worker_warm_up_loads_what_each_task_s_first_statement_would(app):
    """Run before the worker forks a process per task: the template compiled, the catalog
    and the signing key loaded, so that a fork finds them ready."""
    from tracker.credentials import catalog
    from tracker.statements import signing
    from tracker.statements.pdf import TEMPLATE, warm_up

    with app.app_context():
        signing._signer.cache_clear()
        app.jinja_env.cache.clear()
        catalog._cache.clear()
        warm_up()
        assert signing._signer.cache_info().currsize == 1
        assert any(name == TEMPLATE for _loader, name in app.jinja_env.cache)
        assert Path(app.config["CREDENTIALS_DIR"]) in catalog._cache


def test_throttling_counts_in_redis_when_it_is_configured(tmp_path, monkeypatch):
    from tracker.config import load_settings

    monkeypatch.setenv("TRACKER_REDIS_URL", "redis://127.0.0.1:6390/2")
    settings = load_settings(tmp_path / "instance")
    assert settings["REDIS_URL"] == "redis://127.0.0.1:6390/2"
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6390/2"
    monkeypatch.setenv("TRACKER_REDIS_URL", "http://example.com")
    from tracker.config import ConfigError

    with pytest.raises(ConfigError, match=re.escape("TRACKER_REDIS_URL")):
        load_settings(tmp_path / "instance")
