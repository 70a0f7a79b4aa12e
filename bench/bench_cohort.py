"""Loading and evaluating a whole cohort from the database (SQLite), and how it grows.

`run(app, dataset)` expects the generated database of bench/datagen.py. The figure is the
cold case (empty result cache): every candidate's records loaded and every enrolment
evaluated, as after a restart or a change to the definitions. Next to each cold run, the
same process reads the same rows with no evaluation (cohort_evaluation_floor_ratio).

`preview(app, dataset)` times the definition-change preview (tracker/credentials/
publishing.py) of a copy of the CFP definition over every CFP enrolment, next to a cold
evaluation of the same candidates (preview_ratio).
"""

from __future__ import annotations

import gc
import re
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.bench_pages import counting, figure, ratio
from bench.datagen import Dataset

REPEATS = 3


def _timed(app: Any, ids: list[int], clear: bool = True) -> tuple[float, int, int]:
    """Seconds, SQL statements and results for evaluate_cohort over these candidates."""
    from sqlalchemy import select

    from tracker.accounts.models import User
    from tracker.credentials import cache
    from tracker.credentials.catalog import current_catalog
    from tracker.credentials.evaluation import evaluate_cohort
    from tracker.extensions import db
    from tracker.timeutil import today

    with app.test_request_context():
        if clear:
            cache.results.clear()
        catalog = current_catalog()
        with counting(db.engine) as seen:
            started = time.perf_counter()
            people = db.session.scalars(select(User).where(User.id.in_(ids))).all()
            progress = evaluate_cohort(catalog, people, today())
            elapsed = time.perf_counter() - started
        errors = [p.error for p in progress if p.error]
        if errors:
            raise RuntimeError(f"evaluation errors: {errors[:3]}")
        db.session.remove()
    return elapsed, len(seen), len(progress)


def _floor(app: Any, ids: list[int]) -> float:
    """Seconds to read what a cold evaluation of these candidates reads, evaluating nothing:
    the users, their enrolments and tracker.records.adapter.load_records over the same ids,
    with the cyclic GC paused around load_records as evaluate_cohort pauses it."""
    from sqlalchemy import select

    from tracker.accounts.models import User
    from tracker.extensions import db
    from tracker.records.adapter import load_records
    from tracker.records.models import Enrolment

    with app.test_request_context():
        started = time.perf_counter()
        people = db.session.scalars(select(User).where(User.id.in_(ids))).all()
        enrolments = db.session.scalars(
            select(Enrolment)
            .where(Enrolment.candidate_id.in_([p.id for p in people]))
            .order_by(Enrolment.id)
        ).all()
        with collector_paused():
            records = load_records({e.candidate_id for e in enrolments}, typed=True)
        elapsed = time.perf_counter() - started
        if len(records) != len(ids):
            raise RuntimeError(f"read the records of {len(records)} candidates, not {len(ids)}")
        del records
        db.session.remove()
    return elapsed


@contextmanager
def collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _cache_room(n: int) -> Iterator[None]:
    """A result cache large enough for `n` results (as a cold run fills it), emptied after."""
    from tracker.credentials import cache

    old_size = cache.results.maxsize
    cache.results.maxsize = max(old_size, 2 * n)
    try:
        yield
    finally:
        cache.results.maxsize = old_size
        cache.results.clear()


def _read_database_file(app: Any) -> None:
    """Bring the SQLite file into the OS page cache (untimed): the first of the alternating
    runs would otherwise pay for the disk after generation, the others not."""
    from tracker.extensions import db

    with app.app_context():
        name = db.engine.url.database if db.engine.url.get_backend_name() == "sqlite" else None
    for path in (Path(name), Path(f"{name}-wal")) if name else ():
        if path.is_file():
            with path.open("rb") as fh:
                while fh.read(1 << 20):
                    pass


def run(app: Any, dataset: Dataset) -> dict[str, Any]:
    ids = dataset.candidate_ids
    _read_database_file(app)
    # One untimed read first: the process's first read of 2.6 million rows also grows its
    # heap (the first timed read took 11-17 s against 9-13 s for the next ones, which made
    # the first pair's ratio the lowest of the three every time).
    _floor(app, ids)
    with _cache_room(len(ids)):
        cold, floor = [], []
        for _ in range(REPEATS):
            # Side by side: each cold evaluation next to a bare read of the same rows.
            gc.collect()
            floor.append(_floor(app, ids))
            gc.collect()
            cold.append(_timed(app, ids))
        warm = [_timed(app, ids, clear=False) for _ in range(REPEATS)]
        scaling = []
        for n in (len(ids) // 10, len(ids) // 4, len(ids) // 2):
            seconds, statements, _ = _timed(app, ids[:n])
            scaling.append({"candidates": n, "seconds": round(seconds, 3), "queries": statements})
        scaling.append(
            {
                "candidates": len(ids),
                "seconds": round(statistics.median(c[0] for c in cold), 3),
                "queries": cold[0][1],
            }
        )
    seconds = [round(c[0], 3) for c in cold]
    floor_s = [round(f, 3) for f in floor]
    return {
        "cohort_evaluation_s": figure(
            statistics.median(seconds),
            "s",
            seconds,
            target=10,
            candidates=len(ids),
            evaluations=cold[0][2],
            queries=cold[0][1],
            scaling=scaling,
        ),
        "cohort_evaluation_warm_s": figure(
            statistics.median(round(w[0], 3) for w in warm),
            "s",
            [w[0] for w in warm],
            candidates=len(ids),
            queries=warm[0][1],
        ),
        "cohort_evaluation_floor_ratio": ratio(
            seconds,
            floor_s,
            cold_s=seconds,
            floor_s=floor_s,
            candidates=len(ids),
            floor="users + enrolments + load_records over the same ids, GC paused as "
            "evaluate_cohort pauses it, same process, runs alternating",
        ),
    }


# --- the definition-change preview --------------------------------------------------------

PREVIEW_CREDENTIAL = "cfp"
PREVIEW_VERSION = "2099-bench"


def _preview_file(app: Any) -> bytes:
    """The CFP definition of the bench's credentials directory under a new version that is
    not in effect yet (so that the catalog's current version does not change)."""
    source = Path(app.config["CREDENTIALS_DIR"]) / f"{PREVIEW_CREDENTIAL}.yaml"
    text, n = re.subn(
        r"^version:.*$",
        f'version: "{PREVIEW_VERSION}"\neffective_from: 2099-01-01',
        source.read_text(encoding="utf-8"),
        count=1,
        flags=re.MULTILINE,
    )
    if n != 1:
        raise RuntimeError(f"no version line in {source}")
    return text.encode()


def _new_preview_job(app: Any, admin_id: int, token: str) -> str:
    """A preview job made by publishing.start_preview, its task kept from running (the
    bench runs it itself, timed, as a queue worker would)."""
    from unittest import mock

    from tracker import tasks
    from tracker.accounts.models import User
    from tracker.credentials import publishing
    from tracker.database import writing
    from tracker.extensions import db

    with app.test_request_context(), writing():
        with mock.patch.object(tasks, "enqueue", return_value="bench") as enqueue:
            job = publishing.start_preview(db.session.get(User, admin_id), token)
        job_id = str(job.id)
        if enqueue.call_count != 1 or enqueue.call_args.args[:2] != (
            publishing.run_preview,
            job_id,
        ):
            raise RuntimeError(f"start_preview enqueued {enqueue.call_args_list}")
        db.session.commit()
        db.session.remove()
    return job_id


def _check_preview(app: Any, job_id: str, enrolments: int) -> None:
    from tracker.credentials import publishing
    from tracker.extensions import db
    from tracker.tasks.models import Job

    with app.test_request_context():
        job = db.session.get(Job, job_id)
        body = publishing.preview_of(job) if job is not None else None
        if body is None:
            raise RuntimeError(f"preview {job_id}: {job.status if job else 'gone'}")
        if body["summary"]["enrolments"] != enrolments:
            raise RuntimeError(f"preview covered {body['summary']['enrolments']} enrolments")
        errors = [r for r in body["rows"] if r["now"]["error"] or r["new"]["error"]]
        if errors:
            raise RuntimeError(f"preview errors: {errors[:2]}")
        db.session.remove()


def preview(app: Any, dataset: Dataset) -> dict[str, Any]:
    """A definition-change preview of the cohort ÷ one cold evaluation of the same cohort.

    The preview evaluates every enrolment of the credential under the staged rules, and
    takes its result under the current ones from the results table where that row is
    current (run.py fills the table first, as a running installation keeps it), else
    evaluates it too. The denominator is a cold evaluate_cohort of the candidates enrolled
    in that credential, which evaluates all of their enrolments (those also enrolled in
    CFA: that one too). Runs alternate; the figure is the ratio of the medians."""
    from sqlalchemy import func, select

    from tracker.accounts.models import User
    from tracker.credentials import publishing
    from tracker.database import writing
    from tracker.extensions import db
    from tracker.records.models import Enrolment
    from tracker.tasks import storage
    from tracker.tasks.models import Job
    from tracker.tasks.running import Task, run_task

    with app.test_request_context(), writing():
        admin = db.session.scalar(select(User).where(User.email == dataset.admin_email))
        staged = publishing.stage(admin, "cfp-bench-preview.yaml", _preview_file(app))
        admin_id, token = admin.id, staged.token
        db.session.commit()
        ids = sorted(
            set(
                db.session.scalars(
                    select(Enrolment.candidate_id).where(Enrolment.credential == PREVIEW_CREDENTIAL)
                )
            )
        )
        enrolments = db.session.scalar(
            select(func.count(Enrolment.id)).where(Enrolment.credential == PREVIEW_CREDENTIAL)
        )
        problems = [str(p) for p in staged.problems]
        from tracker.credentials.catalog import current_catalog
        from tracker.timeutil import today

        # How many "now" results the preview can read from the (current) results table.
        current = publishing._current_results(PREVIEW_CREDENTIAL, current_catalog(), today())
        from_table = len(current)
        db.session.remove()
    jobs: list[str] = []
    previews: list[float] = []
    colds: list[tuple[float, int, int]] = []
    try:
        if problems:
            raise RuntimeError(f"the staged definition has problems: {problems}")
        with _cache_room(len(ids)):
            for _ in range(REPEATS):
                job_id = _new_preview_job(app, admin_id, token)
                jobs.append(job_id)
                gc.collect()
                started = time.perf_counter()
                run_task(app, Task(publishing.run_preview, (job_id,), f"{job_id}-run"))
                previews.append(round(time.perf_counter() - started, 3))
                _check_preview(app, job_id, enrolments)
                gc.collect()
                colds.append(_timed(app, ids))
    finally:
        with app.test_request_context(), writing():
            try:
                publishing.discard(db.session.get(User, admin_id), token)
            except Exception:  # noqa: BLE001 - the files go anyway
                for suffix in (".yaml", ".name"):
                    publishing._staged_path(token).with_suffix(suffix).unlink(missing_ok=True)
            for job_id in jobs:
                storage.remove_job_files(app, job_id)
                job = db.session.get(Job, job_id)
                if job is not None:
                    db.session.delete(job)
            db.session.commit()
            db.session.remove()
    cold_s = [round(c[0], 3) for c in colds]
    return {
        "preview_ratio": ratio(
            previews,
            cold_s,
            preview_s=previews,
            cold_s=cold_s,
            candidates=len(ids),
            preview_enrolments=enrolments,
            preview_evaluations=2 * enrolments - from_table,
            preview_now_from_table=from_table,
            cold_evaluations=colds[0][2],
            how=f"run_preview of {PREVIEW_CREDENTIAL}@{PREVIEW_VERSION} (a copy of the current "
            "definition, effective 2099) over every CFP enrolment, as a task (run_task), the "
            "current results read from the results table where current ÷ cold "
            "evaluate_cohort of the candidates enrolled in CFP; runs alternate",
        )
    }


def engine_scaling(weeks: tuple[int, ...] = (52, 130, 260, 520, 1040)) -> list[dict[str, Any]]:
    """Engine milliseconds per CFP evaluation against the number of weekly entries."""
    from bench.bench_engine import AS_OF, candidate, definition
    from tracker.requirements_engine import evaluate

    defn = definition()
    full = candidate()
    entries = full["experience"]
    out = []
    for n in weeks:
        records = dict(full)
        records["experience"] = [
            {
                **entries[i % len(entries)],
                "id": f"x{i}",
                "start": _shift(entries[i % len(entries)]["start"], i // len(entries)),
                "end": _shift(entries[i % len(entries)]["end"], i // len(entries)),
            }
            for i in range(n)
        ]
        evaluate(defn, records, AS_OF)
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(20):
                evaluate(defn, records, AS_OF)
            samples.append((time.perf_counter() - started) * 1000 / 20)
        out.append({"entries": n, "ms": round(statistics.median(samples), 3)})
    return out


def _shift(day: str, decades: int) -> str:
    """The same week `decades` × 520 weeks earlier (entries beyond ten years)."""
    from datetime import date, timedelta

    return (date.fromisoformat(day) - timedelta(weeks=520 * decades)).isoformat()


def refresh_table(app: Any, dataset: Dataset, batch: int = 500) -> dict[str, Any]:
    """Fill enrolment_results for every candidate (what refresh_all's tasks do), timed, so
    that the page benchmarks read current rows as a running installation would."""
    from tracker.candidates.cohort import refresh_results
    from tracker.database import writing
    from tracker.extensions import db

    ids = dataset.candidate_ids
    started = time.perf_counter()
    with app.app_context(), writing():
        for n in range(0, len(ids), batch):
            refresh_results(ids[n : n + batch])
            db.session.commit()
    seconds = round(time.perf_counter() - started, 3)
    return {"results_refresh_s": figure(seconds, "s", [seconds], candidates=len(ids))}
