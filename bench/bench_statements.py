"""Benchmark: PDF progress statements.

    .venv/bin/python bench/bench_statements.py [REPEATS]

statement_s               median seconds for one statement, end to end: evaluate, record
                          (IssuedStatement + audit event), HTML, QR code, PDF/UA-1, and
                          the PAdES signature
statement_overhead_ratio  that time ÷ WeasyPrint alone rendering the same HTML (same run)
cohort_statements_speedup cohort ZIP of 24 statements through the Redis queue (real
queue_speedup             `flask worker` processes, idle before the clock starts): the
                          time with 1 worker ÷ with 2 (both keys: the same measurement)
queue_worker_peak_rss_mb  the largest peak RSS of a queue worker or its work horse

Runs on a throw-away SQLite database loaded with the demo data (seed/demo.yaml).
Targets: statement ≤ 0.5 s, overhead ≤ 1.15, speedup ≥ 1.7.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STATEMENT_EMAIL = "ben.okafor@demo.tracker"  # a three-page CFP statement
STATEMENT_CREDENTIAL = "cfp"
COHORT_SIZE = 24


def _metric(runs: list[float], unit: str, value: float | None = None) -> dict[str, Any]:
    median = statistics.median(runs)
    return {
        "value": round(median if value is None else value, 4),
        "unit": unit,
        "runs": [round(r, 4) for r in runs],
        "median": round(median, 4),
    }


def _app(tmp: Path) -> Any:
    os.environ.setdefault("TRACKER_INSTANCE_DIR", str(tmp / "instance"))
    from flask_migrate import upgrade

    from tracker import create_app
    from tracker.database import writing
    from tracker.extensions import db
    from tracker.seeding import load_demo

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
            "SECRET_KEY": "bench-only",
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        }
    )
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        with writing():
            load_demo()
            db.session.commit()
    return app


def _one_statement(app: Any) -> tuple[float, str]:
    """Seconds for one statement end to end, and its HTML (for the WeasyPrint-alone run)."""
    from tracker.accounts.operations import user_by_email
    from tracker.credentials.catalog import current_catalog
    from tracker.database import writing
    from tracker.extensions import db
    from tracker.statements.operations import issue_statement
    from tracker.statements.pdf import render_html, render_pdf
    from tracker.timeutil import today

    with app.app_context(), writing():
        started = time.perf_counter()
        candidate = user_by_email(STATEMENT_EMAIL)
        document = issue_statement(
            None,
            candidate,
            current_catalog(),
            STATEMENT_CREDENTIAL,
            today(),
            base_url="https://tracker.example",
            via="bench",
        )
        pdf = render_pdf(document)  # HTML, QR code, PDF/UA-1 and the signature
        db.session.commit()
        elapsed = time.perf_counter() - started
        html = render_html(document)  # the same HTML again, for WeasyPrint alone (untimed)
    assert pdf.startswith(b"%PDF") and b"/ByteRange" in pdf  # signed
    return elapsed, html


def _weasyprint_alone(app: Any, html: str) -> float:
    from weasyprint import HTML

    from tracker.statements.pdf import PDF_VARIANT, make_fetcher, static_root

    with app.app_context():
        root = static_root()
    started = time.perf_counter()
    HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=make_fetcher(root)).write_pdf(
        pdf_variant=PDF_VARIANT
    )
    return time.perf_counter() - started


def _cohort_people(app: Any) -> tuple[int, list[int]]:
    """A coordinator and COHORT_SIZE enrolled candidates of their organization."""
    from tracker.accounts.models import Role, User
    from tracker.accounts.operations import create_user
    from tracker.candidates.operations import add_record, enrol
    from tracker.credentials.catalog import current_catalog
    from tracker.database import writing
    from tracker.extensions import db

    with app.app_context(), writing():
        coordinator = db.session.scalar(db.select(User).where(User.role == Role.COORDINATOR))
        ids = []
        for n in range(COHORT_SIZE):
            person = create_user(
                None,
                email=f"bench-cohort-{n}@bench.example",
                name=f"Bench Candidate {n:02d}",
                role="candidate",
                password="correct-horse-battery-42",
                organization_id=coordinator.organization_id,
            )
            enrol(person, person, current_catalog(), {"credential": "cfp"})
            add_record(person, person, "degrees", {
                "level": "bachelor", "field": "Finance", "institution": "State University",
                "accredited": True, "conferred_on": "2015-06-01",
            })  # fmt: skip
            ids.append(person.id)
        db.session.commit()
        return coordinator.id, ids


def _peak_rss_mb(pids: list[int]) -> float:
    """The largest VmHWM (peak resident set) among these processes and their children."""
    peak = 0
    for pid in pids:
        family = [pid]
        try:
            family += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            pass
        for member in family:
            try:
                for line in Path(f"/proc/{member}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
            except OSError:
                continue
    return round(peak / 1024, 1)


def _queue_cohort(
    tmp: Path, redis_url: str, people: tuple[int, list[int]], workers: int
) -> tuple[float, float]:
    """Seconds for one cohort ZIP through the Redis queue with `workers` queue workers
    (started and idle before the clock starts), and their peak RSS in MB."""
    import signal
    import subprocess

    from redis import Redis
    from rq import Worker

    from tracker import create_app
    from tracker.accounts.models import User
    from tracker.database import writing
    from tracker.extensions import db
    from tracker.statements import jobs
    from tracker.tasks.models import Job
    from tracker.timeutil import today

    database = f"sqlite:///{tmp / 'bench.db'}"
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": database,
        "TRACKER_REDIS_URL": redis_url,
        "TRACKER_STORAGE_DIR": str(tmp / "storage"),
        "TRACKER_SECRET_KEY": "bench-only",
        "TRACKER_INSTANCE_DIR": str(tmp / "instance"),
        "TRACKER_LOG_LEVEL": "WARNING",
    }
    procs = [
        subprocess.Popen(  # noqa: S603 - our own interpreter
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "tracker",
                "worker",
                "--name",
                f"bench-{workers}-{n}",
            ],  # fmt: skip
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(workers)
    ]
    connection = Redis.from_url(redis_url)
    try:
        deadline = time.monotonic() + 60
        while len(Worker.all(connection=connection)) < workers:
            if time.monotonic() > deadline:
                raise RuntimeError("queue workers did not start")
            time.sleep(0.1)
        app = create_app({"SQLALCHEMY_DATABASE_URI": database, "REDIS_URL": redis_url,
                          "STORAGE_DIR": tmp / "storage", "SECRET_KEY": "bench-only"})  # fmt: skip
        coordinator_id, ids = people
        started = time.perf_counter()
        with app.app_context(), writing():
            coordinator = db.session.get(User, coordinator_id)
            job = jobs.start_cohort(
                coordinator, organization_id=coordinator.organization_id,
                organization_name="Bench", candidate_ids=ids, as_of=today(),
                base_url="https://t.example", download_name="bench.zip",
            )  # fmt: skip
            job_id = job.id
            db.session.commit()
        peak = 0.0
        while True:
            with app.app_context():
                status = db.session.get(Job, job_id).status
                db.session.remove()
            peak = max(peak, _peak_rss_mb([p.pid for p in procs]))
            if status in ("done", "failed"):
                break
            if time.perf_counter() - started > 600:
                raise RuntimeError("the cohort job did not finish")
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        if status != "done":
            raise RuntimeError("the cohort job failed")
        return elapsed, peak
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=60)
        connection.close()


def run(repeats: int = 5, pairs: int = 11) -> dict[str, dict]:
    """`pairs` statement/WeasyPrint pairs, `repeats` 1-worker/2-worker cohort pairs."""
    with tempfile.TemporaryDirectory(prefix="bench-statements-") as name:
        tmp = Path(name)
        app = _app(tmp)
        _elapsed, html = _one_statement(app)  # warm-up: imports, fonts, catalog
        _weasyprint_alone(app, html)
        statement_runs: list[float] = []
        alone_runs: list[float] = []
        # The machine's speed drifts within seconds: pairs, each in the other order from
        # the one before (a drift then favours neither side), and their median.
        for n in range(pairs):
            if n % 2:
                alone = _weasyprint_alone(app, html)
                elapsed, html = _one_statement(app)
            else:
                elapsed, html = _one_statement(app)
                alone = _weasyprint_alone(app, html)
            statement_runs.append(elapsed)
            alone_runs.append(alone)
        ratios = [s / a for s, a in zip(statement_runs, alone_runs, strict=True)]

        people = _cohort_people(app)
        from tests.redis_server import redis_server

        speedups: list[float] = []
        peaks: list[float] = []
        with redis_server() as redis_url:
            _queue_cohort(tmp, redis_url, people, 1)  # warm-up: imports, fonts, file cache
            for n in range(max(1, repeats)):
                order = (2, 1) if n % 2 else (1, 2)  # alternating, as above
                seconds = {}
                for workers in order:
                    seconds[workers], peak = _queue_cohort(tmp, redis_url, people, workers)
                    peaks.append(peak)
                speedups.append(seconds[1] / seconds[2])
    return {
        "statement_s": _metric(statement_runs, "s"),
        "statement_overhead_ratio": _metric(
            ratios, "ratio", statistics.median(statement_runs) / statistics.median(alone_runs)
        ),
        "cohort_statements_speedup": _metric(speedups, "x"),
        "queue_speedup": _metric(speedups, "x"),
        "queue_worker_peak_rss_mb": _metric(peaks, "MB", max(peaks)),
    }


if __name__ == "__main__":
    results = run(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
    for key, metric in results.items():
        runs = ", ".join(f"{r:g}" for r in metric["runs"])
        print(f"{key:<28} {metric['value']:>8g} {metric['unit']:<6} (median; runs: {runs})")
