"""The cohort ZIP's tasks: exactly one statement per enrolment, whatever runs twice."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from tracker import tasks
from tracker.accounts.models import User
from tracker.database import writing
from tracker.extensions import db
from tracker.statements import jobs
from tracker.statements.models import IssuedStatement
from tracker.tasks.models import Job, JobItem


class Held:
    """A backend that keeps the tasks, so that a test runs them in the order it likes."""

    def __init__(self) -> None:
        self.tasks: list[tasks.Task] = []

    def submit(self, app, task) -> None:
        self.tasks.append(task)

    def take(self, fn) -> list[tasks.Task]:
        picked = [t for t in self.tasks if t.fn is fn]
        self.tasks = [t for t in self.tasks if t.fn is not fn]
        return picked


@pytest.fixture()
def held(app):
    backend = Held()
    tasks._BACKENDS[id(app)] = backend
    yield backend
    tasks._BACKENDS.pop(id(app), None)


def start(app, people, *, rename: str | None = None) -> str:
    from tracker.candidates import operations as records
    from tracker.credentials.catalog import current_catalog
    from tracker.timeutil import today

    with app.app_context(), writing():
        peer = db.session.get(User, people["peer"].id)
        records.enrol(peer, peer, current_catalog(), {"credential": "finra-rep"})
        if rename:
            peer.name = rename
        coord = db.session.get(User, people["coord"].id)
        job = jobs.start_cohort(
            coord,
            organization_id=coord.organization_id,
            organization_name="Harbour Bank",
            candidate_ids=[people["cand"].id, people["peer"].id],
            as_of=today(),
            base_url="https://tracker.example",
            download_name="statements.zip",
        )
        db.session.commit()
        return job.id


def run(app, task) -> None:
    tasks.run_task(app, task)


def issued(app) -> list[tuple[int, str]]:
    with app.app_context():
        return sorted(
            db.session.execute(db.select(IssuedStatement.candidate_id, IssuedStatement.credential))
        )


def job_row(app, job_id) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def test_every_task_run_twice_still_issues_one_statement_per_enrolment(app, people, held):
    job_id = start(app, people)
    assert job_row(app, job_id).status == "queued"
    for task in held.take(jobs.plan_cohort):
        run(app, task)
        run(app, task)  # planned twice (a retry after a crash): the same items
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(JobItem)) == 2
    chunks = held.take(jobs.render_chunk)
    # Two items make two tasks of one (a small cohort is spread thin over the workers),
    # each enqueued under the same task id by both plans.
    assert len(chunks) == 4 and len({t.job_id for t in chunks}) == 2
    for task in {t.job_id: t for t in chunks}.values():
        run(app, task)
    assert job_row(app, job_id).done == 2
    for task in chunks:  # the duplicate chunk, and once more
        run(app, task)
    finishes = held.take(jobs.finish_cohort)
    assert finishes
    for task in finishes:
        run(app, task)
    assert len(issued(app)) == 2 and len(set(issued(app))) == 2
    job = job_row(app, job_id)
    assert (job.status, job.done, job.total, job.percent) == ("done", 2, 2, 100)
    with app.app_context():
        path = jobs.zip_path(app, job)
    archive = zipfile.ZipFile(path)
    assert len([n for n in archive.namelist() if n.endswith(".pdf")]) == 2
    # Only the ZIP is left in the job's folder: the rendered PDFs went into it.
    assert sorted(p.name for p in path.parent.iterdir()) == ["statements.zip"]


def test_two_workers_racing_for_one_item_issue_it_once(app, people, held, monkeypatch):
    """The second worker renders too, but loses the conditional update and removes its PDF."""
    from tracker.statements import pdf

    monkeypatch.setattr(jobs, "TASKS_PER_JOB", 1)  # one chunk of both items
    job_id = start(app, people)
    for task in held.take(jobs.plan_cohort):
        run(app, task)
    (chunk,) = held.take(jobs.render_chunk)
    real = pdf.render_pdf
    raced = []

    def render_while_another_worker_finishes(document):
        if not raced:
            raced.append(True)
            run(app, chunk)  # the other worker runs the whole chunk meanwhile
        return real(document)

    monkeypatch.setattr(pdf, "render_pdf", render_while_another_worker_finishes)
    run(app, chunk)
    assert len(issued(app)) == 2
    with app.app_context():
        codes = set(db.session.scalars(db.select(JobItem.code)))
        files = {p.stem for p in jobs.storage.job_dir(app, job_id).glob("*.pdf")}
    assert files == codes  # the loser's PDF is gone


@pytest.mark.parametrize(
    ("items", "size", "tasks"), [(1, 1, 1), (2, 1, 2), (24, 2, 12), (100, 8, 13), (1000, 8, 125)]
)
def test_a_cohort_is_split_into_enough_tasks_for_every_worker(items, size, tasks):
    assert jobs.chunk_size(items) == size
    assert -(-items // jobs.chunk_size(items)) == tasks


def test_the_manifest_neutralises_formulas(app, people, held):
    job_id = start(app, people, rename='=HYPERLINK("http://evil")')
    for fn in (jobs.plan_cohort, jobs.render_chunk, jobs.finish_cohort):
        for task in held.take(fn):
            run(app, task)
    path = jobs.zip_path(app, job_row(app, job_id))
    manifest = zipfile.ZipFile(path).read("manifest.csv").decode()
    rows = list(csv.DictReader(io.StringIO(manifest)))
    assert len(rows) == 2
    assert '\'=HYPERLINK("http://evil")' in [r["candidate"] for r in rows]
    assert not any(
        cell.startswith(("=", "+", "-", "@", "|", "\t")) for r in rows for cell in r.values()
    )


def test_progress_is_json_for_the_owner_only(app, people, held):
    from tests.statements.conftest import client_for

    job_id = start(app, people)
    owner = client_for(app, people["coord"])
    r = owner.get(f"/jobs/{job_id}/progress")
    assert r.status_code == 200 and r.json == {
        "id": job_id, "kind": "cohort-statements", "status": "queued",
        "done": 0, "total": 0, "percent": 0, "error": None,
    }  # fmt: skip
    assert client_for(app, people["outsider"]).get(f"/jobs/{job_id}/progress").status_code == 404
    page = owner.get(f"/statements/cohort/{job_id}").get_data(as_text=True)
    assert f'data-job-progress="/jobs/{job_id}/progress"' in page and "js/progress.js" in page
