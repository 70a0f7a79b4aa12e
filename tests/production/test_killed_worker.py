"""A process killed (SIGKILL) in the middle of a write transaction leaves nothing half-written."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import date, timedelta

from sqlalchemy import func, select, text

from tests.conftest import database_url
from tracker.accounts.models import User
from tracker.audit.models import AuditEvent
from tracker.audit.operations import verify_chain
from tracker.candidates.operations import add_record
from tracker.config import PROJECT_ROOT
from tracker.credentials.catalog import current_catalog
from tracker.extensions import db
from tracker.records.models import ExperienceEntry

ROWS = 1500  # with long descriptions: several MB, more than SQLite's page cache holds
READY_TIMEOUT_S = 60

WRITER = r"""
import sys, time
from datetime import date, timedelta
from tracker import create_app
from tracker.accounts.models import User
from tracker.candidates.operations import add_record
from tracker.credentials.catalog import current_catalog
from tracker.database import writing
from tracker.extensions import db

url, candidate_id, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
day = (date.today() - timedelta(days=3)).isoformat()
with app.app_context(), writing():
    candidate = db.session.get(User, candidate_id)
    for i in range(rows):
        add_record(candidate, candidate, "experience", {
            "start": day, "end": day, "hours": 1, "category": "financial-planning",
            "description": f"half-written {i} " + "x" * 1800,
        }, catalog=current_catalog())
    db.session.flush()
    print("FLUSHED", flush=True)
    time.sleep(120)
    db.session.commit()
    print("COMMITTED", flush=True)
"""


def _counts(app, candidate_id: int) -> tuple[int, int]:
    with app.app_context():
        entries = db.session.scalar(
            select(func.count())
            .select_from(ExperienceEntry)
            .where(ExperienceEntry.candidate_id == candidate_id)
        )
        events = db.session.scalar(select(func.count()).select_from(AuditEvent))
        return int(entries or 0), int(events or 0)


def _wal_size(url: str) -> int | None:
    """Bytes in SQLite's write-ahead log: uncommitted pages spilled there before the kill."""
    if not url.startswith("sqlite:///"):
        return None
    wal = url.removeprefix("sqlite:///") + "-wal"
    return os.path.getsize(wal) if os.path.exists(wal) else 0


def _wait_for_line(proc: subprocess.Popen, expected: str, timeout: float) -> str:
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in proc.stdout:
            lines.put(line.strip())

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            if proc.poll() is not None:
                break
            continue
        if line == expected:
            return line
    return ""


def test_sigkill_mid_transaction_leaves_no_half_written_record(app, factory, figures):
    org = factory.org()
    candidate = factory.user("candidate", org)
    entries_before, events_before = _counts(app, candidate.id)

    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, database_url(), str(candidate.id), str(ROWS)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready = _wait_for_line(proc, "FLUSHED", READY_TIMEOUT_S)
        if not ready:
            proc.kill()
            _out, err = proc.communicate(timeout=10)
            raise AssertionError(f"the writer never flushed its rows:\n{err[-3000:]}")
        wal_bytes = _wal_size(database_url())
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            integrity = db.session.execute(text("PRAGMA integrity_check")).scalar()
        else:
            # Reachable, and the killed backend's transaction is gone (no advisory lock held).
            db.session.execute(text("SELECT 1"))
            deadline = time.monotonic() + 30
            while True:
                held = db.session.scalar(
                    text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
                )
                db.session.rollback()
                if held == 0 or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            integrity = "ok" if held == 0 else f"{held} advisory locks still held"
        db.session.rollback()
    entries_after, events_after = _counts(app, candidate.id)

    # The database still takes writes (no stale lock), and the audit chain holds.
    day = (date.today() - timedelta(days=1)).isoformat()

    def write_one() -> None:
        who = db.session.get(User, candidate.id)
        data = {"start": day, "end": day, "hours": 2, "category": "financial-planning"}
        add_record(who, who, "experience", data, catalog=current_catalog())

    factory.run(write_one)
    env = {**os.environ, "TRACKER_DATABASE_URL": database_url()}
    verify = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "tracker", "verify-audit"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    with app.app_context():
        chain = verify_chain()
    figures(
        "killed_writer",
        {
            "rows_flushed_before_kill": ROWS,
            "sqlite_wal_bytes_at_kill": wal_bytes,
            "rows_left_behind": entries_after - entries_before,
            "audit_events_left_behind": events_after - events_before,
            "integrity_check": integrity,
            "verify_audit_exit": verify.returncode,
            "seconds": round(time.perf_counter() - started, 2),
        },
    )
    assert integrity == "ok"
    assert entries_after == entries_before, "a half-written entry survived the kill"
    assert events_after == events_before, "a half-written audit event survived the kill"
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert chain.ok, chain
    assert _counts(app, candidate.id)[0] == entries_before + 1
