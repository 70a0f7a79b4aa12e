"""A burst of concurrent hour submissions through gunicorn (5 workers) on one SQLite file.

Every 201 must be stored, and no request may fail with "database is locked" or a 5xx:
writers queue on BEGIN IMMEDIATE and the busy timeout instead of failing.
"""

from __future__ import annotations

import http.client
import json
import os
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

from flask_migrate import upgrade

from tests.conftest import make_app
from tests.live import free_port, stop
from tests.production.conftest import write_figures
from tracker.accounts.operations import create_organization, create_user, issue_token
from tracker.config import PROJECT_ROOT
from tracker.database import writing
from tracker.extensions import db

CANDIDATES = 40
ENTRIES_EACH = 5
WORKERS = 5
CLIENT_THREADS = 20
BOOT_TIMEOUT_S = 60
REQUEST_TIMEOUT_S = 60


def _prepare(database: Path) -> list[tuple[int, str]]:
    """Schema and 40 candidates with API tokens, committed before gunicorn starts."""
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}")
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        with writing():
            org = create_organization(None, "Burst Bank")
            people = []
            for i in range(CANDIDATES):
                user = create_user(
                    None,
                    email=f"burst-{i}@example.com",
                    name=f"Burst {i}",
                    role="candidate",
                    password="correct-horse-battery-42",
                    organization_id=org.id,
                )
                _token, raw = issue_token(None, user)
                people.append((user.id, raw))
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return people


def _request(port: int, method: str, path: str, body: dict | None = None, token: str = ""):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    try:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        started = time.perf_counter()
        payload = json.dumps(body) if body is not None else None
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, text, (time.perf_counter() - started) * 1000
    finally:
        conn.close()


def _wait_until_healthy(proc: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + BOOT_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"gunicorn exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            status, _text, _ms = _request(port, "GET", "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"gunicorn did not become healthy:\n{log.read_text()[-3000:]}")


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * pct))], 1)


def test_burst_of_hour_submissions_under_gunicorn(tmp_path):
    database = tmp_path / "burst.db"
    people = _prepare(database)
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": f"sqlite:///{database}",
        "TRACKER_INSTANCE_DIR": str(tmp_path / "instance"),
        "TRACKER_SECRET_KEY": "burst-test-secret-key",
        "TRACKER_LOG_LEVEL": "INFO",
    }
    argv = [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS)]
    argv += ["--bind", f"127.0.0.1:{port}", "--timeout", "120", "tracker:create_app()"]
    with log.open("w") as log_file:
        proc = subprocess.Popen(argv, cwd=PROJECT_ROOT, env=env, stdout=log_file, stderr=log_file)
    try:
        _wait_until_healthy(proc, port, log)
        day0 = date.today() - timedelta(days=60)
        jobs = [
            (candidate_id, token, n) for n in range(ENTRIES_EACH) for candidate_id, token in people
        ]

        def submit(job):
            candidate_id, token, n = job
            body = {
                "start": (day0 + timedelta(days=n)).isoformat(),
                "end": (day0 + timedelta(days=n)).isoformat(),
                "hours": 1 + n,
                "category": "financial-planning",
                "supervised": True,
            }
            try:
                status, text, ms = _request(
                    port, "POST", f"/api/v1/candidates/{candidate_id}/experience", body, token
                )
            except OSError as exc:
                return candidate_id, n, -1, repr(exc), 0.0
            return candidate_id, n, status, text, ms

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=CLIENT_THREADS) as pool:
            results = list(pool.map(submit, jobs, timeout=REQUEST_TIMEOUT_S * 5))
        elapsed = time.perf_counter() - started
    finally:
        stop(proc)

    created = {}
    failures = []
    for candidate_id, n, status, text, _ms in results:
        if status == 201:
            body = json.loads(text)
            created[body["id"]] = (candidate_id, float(1 + n))
        else:
            failures.append(f"candidate {candidate_id} entry {n}: {status} {text[:200]}")
    server_log = log.read_text()
    locked = server_log.lower().count("database is locked") + sum(
        "database is locked" in text.lower() for *_x, text, _ms in results
    )
    with sqlite3.connect(database) as conn:
        stored = {
            row[0]: (row[1], float(row[2]))
            for row in conn.execute(
                "SELECT id, candidate_id, hours FROM hours_entries WHERE status = 'pending' AND source = 'employment'"
            )
        }
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    lost = [entry_id for entry_id, want in created.items() if stored.get(entry_id) != want]
    request_lines = []
    for line in server_log.splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("logger") == "tracker.requests" and entry.get("method") == "POST":
                request_lines.append(entry)
    latencies = [ms for *_x, ms in results if ms]
    figures = {
        "database": "sqlite",
        "gunicorn_workers": WORKERS,
        "client_threads": CLIENT_THREADS,
        "candidates": CANDIDATES,
        "requests": len(jobs),
        "status_201": len(created),
        "status_5xx": sum(1 for r in results if r[2] >= 500),
        "other_failures": len(failures),
        "database_is_locked_errors": locked,
        "records_lost": len(lost),
        "rows_stored": len(stored),
        "json_request_log_lines": len(request_lines),
        "integrity_check": integrity,
        "seconds": round(elapsed, 2),
        "requests_per_second": round(len(jobs) / elapsed, 1),
        "latency_ms_p50": _percentile(latencies, 0.50),
        "latency_ms_p95": _percentile(latencies, 0.95),
        "latency_ms_max": _percentile(latencies, 1.0),
    }
    write_figures("gunicorn_burst[sqlite]", figures)
    assert not failures, "\n".join(failures[:20])
    assert locked == 0
    assert not lost, f"{len(lost)} acknowledged entries are missing: {lost[:20]}"
    assert len(stored) == len(jobs) == CANDIDATES * ENTRIES_EACH
    assert integrity == "ok"
    assert len(request_lines) == len(jobs), "every POST should leave one JSON request log line"
    assert all({"method", "path", "status", "ms"} <= set(e) for e in request_lines)
