"""Two app hosts and two queue workers on PostgreSQL and Redis, all real processes.

- a cohort ZIP started through server A is followed to completion through server B;
- a queue worker killed with SIGKILL in the middle of a chunk is replaced, and the job
  still completes with exactly one statement per candidate;
- login throttling counts across both servers (5 wrong passwords a minute per account
  and source, whichever server they hit).

Runs in `make test-postgres` (CI); on SQLite it is skipped, as the point is hosts that
share nothing but the database, Redis and the storage directory.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import PASSWORD, database_url
from tests.live import free_port
from tests.redis_server import redis_server
from tracker.config import PROJECT_ROOT
from tracker.database import writing
from tracker.extensions import db

pytestmark = pytest.mark.slow

CANDIDATES = 24
BOOT_TIMEOUT_S = 90
JOB_TIMEOUT_S = 240


def _unprivileged() -> list[str]:
    """As root, run the servers as the PostgreSQL test user (with-postgres.sh creates it)."""
    if os.geteuid() != 0:
        return []
    user = os.environ.get("PG_USER", "tracker-pg")
    import pwd

    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        pytest.skip(f"running as root and there is no unprivileged user {user!r}")
    return ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--clear-groups", "--"]


class Hosts:
    """The processes of the test: their logs, and how to stop them."""

    def __init__(self, root: Path, env: dict[str, str], run_as: list[str]) -> None:
        self.root, self.env, self.run_as = root, env, run_as
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, argv: list[str], **env: str) -> subprocess.Popen[bytes]:
        log = (self.root / f"{name}.log").open("wb")
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [*self.run_as, *argv],
            cwd=PROJECT_ROOT,
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a kill takes its children too
        )
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(errors="replace")[-4000:]

    def logs(self) -> str:
        return "\n".join(f"--- {name}\n{self.log(name)}" for name in self.procs)

    def kill(self, name: str) -> None:
        proc = self.procs[name]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)


def _server(hosts: Hosts, name: str, port: int, instance: Path) -> None:
    argv = [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4"]
    argv += ["--bind", f"127.0.0.1:{port}", "--timeout", "120", "tracker:create_app()"]
    hosts.start(name, argv, TRACKER_INSTANCE_DIR=str(instance))


def _worker(hosts: Hosts, name: str, instance: Path) -> None:
    argv = [sys.executable, "-m", "flask", "--app", "tracker", "worker", "--name", name]
    argv += ["--maintenance-interval", "2"]
    hosts.start(name, argv, TRACKER_INSTANCE_DIR=str(instance))


def _wait_healthy(hosts: Hosts, name: str, port: int) -> None:
    deadline = time.monotonic() + BOOT_TIMEOUT_S
    while time.monotonic() < deadline:
        if hosts.procs[name].poll() is not None:
            raise AssertionError(f"{name} exited:\n{hosts.log(name)}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{name} did not become healthy:\n{hosts.log(name)}")


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def _log_in(base: str, email: str) -> requests.Session:
    session = requests.Session()
    token = _csrf(session.get(f"{base}/login", timeout=30).text)
    r = session.post(
        f"{base}/login",
        data={"csrf_token": token, "email": email, "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert r.status_code == 302, r.text[:500]
    return session


def _start_cohort(session: requests.Session, base: str) -> str:
    token = _csrf(session.get(f"{base}/statements/cohort", timeout=30).text)
    r = session.post(
        f"{base}/statements/cohort",
        data={"csrf_token": token},
        allow_redirects=False,
        timeout=60,
    )
    assert r.status_code == 303, r.text[:500]
    return r.headers["Location"].rstrip("/").rsplit("/", 1)[-1]


def _progress(session: requests.Session, base: str, job_id: str) -> dict[str, Any]:
    r = session.get(f"{base}/jobs/{job_id}/progress", timeout=30)
    assert r.status_code == 200, r.text[:300]
    return dict(r.json())


def _follow(session: requests.Session, base: str, job_id: str, hosts: Hosts) -> list[int]:
    """Poll the progress until the job is done; the `done` figures seen on the way."""
    seen: list[int] = []
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while time.monotonic() < deadline:
        state = _progress(session, base, job_id)
        seen.append(state["done"])
        assert state["status"] != "failed", state
        if state["status"] == "done":
            return seen
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not finish: {state}\n{hosts.logs()}")


def _zip_candidates(session: requests.Session, base: str, job_id: str) -> list[str]:
    r = session.get(f"{base}/statements/cohort/{job_id}/statements.zip", timeout=60)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    import csv

    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
    assert len(pdfs) == len(rows)
    return sorted(row["candidate"] for row in rows)


def _statements_of(app: Any, job_id: str) -> tuple[int, int, int]:
    """(items done, statements recorded for those items, every statement in the database)."""
    from tracker.statements.models import IssuedStatement
    from tracker.tasks.models import JobItem

    with app.app_context():
        codes = list(
            db.session.scalars(
                db.select(JobItem.code).where(JobItem.job_id == job_id, JobItem.status == "done")
            )
        )
        recorded = db.session.scalar(
            db.select(db.func.count())
            .select_from(IssuedStatement)
            .where(IssuedStatement.code.in_(codes))
        )
        everything = db.session.scalar(db.select(db.func.count()).select_from(IssuedStatement))
        return len(codes), int(recorded or 0), int(everything or 0)


def _busy_worker(redis_url: str, names: list[str], timeout: float = 60) -> str:
    """The name of a worker that is running a chunk of the cohort right now."""
    from redis import Redis
    from rq import Worker

    connection = Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for worker in Worker.all(connection=connection):
            job_id = worker.get_current_job_id()
            if worker.name in names and job_id and "-chunk-" in job_id:
                return str(worker.name)
        time.sleep(0.1)
    raise AssertionError("no worker picked up a chunk")


@pytest.fixture()
def world(app, factory):
    from tracker.candidates import operations as records
    from tracker.credentials.catalog import current_catalog

    org = factory.org("Multihost Bank")
    coordinator = factory.user("coordinator", org, email="coord@multihost.example")
    ids = [
        factory.user(
            "candidate", org, email=f"c{n}@multihost.example", name=f"Candidate {n:02d}"
        ).id
        for n in range(CANDIDATES)
    ]

    def enrol_all() -> None:
        from tracker.accounts.models import User

        for candidate_id in ids:
            person = db.session.get(User, candidate_id)
            records.enrol(person, person, current_catalog(), {"credential": "cfp"})

    with app.app_context(), writing():
        enrol_all()
        db.session.commit()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return {
        "coordinator": coordinator,
        "names": sorted(f"Candidate {n:02d}" for n in range(CANDIDATES)),
    }


def test_two_hosts_two_workers_one_queue(app, world):
    url = database_url()
    if not url.startswith("postgresql"):
        pytest.skip("the multi-host test runs on PostgreSQL (make test-postgres)")
    run_as = _unprivileged()
    root = Path(tempfile.mkdtemp(prefix="tracker-multihost-"))
    for folder in ("a", "b", "w1", "w2", "w3", "storage"):
        (root / folder).mkdir(mode=0o700)
    if run_as:
        uid, gid = int(run_as[1].split("=")[1]), int(run_as[2].split("=")[1])
        for path in [root, *root.iterdir()]:
            os.chown(path, uid, gid)
    with redis_server() as redis_url:
        env = {
            **os.environ,
            "TRACKER_DATABASE_URL": url,
            "TRACKER_REDIS_URL": redis_url,
            "TRACKER_STORAGE_DIR": str(root / "storage"),
            "TRACKER_SECRET_KEY": "multihost-test-secret-key",
            "TRACKER_LOG_LEVEL": "WARNING",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        env.pop("TRACKER_INSTANCE_DIR", None)
        hosts = Hosts(root, env, run_as)
        port_a, port_b = free_port(), free_port()
        try:
            _server(hosts, "server-a", port_a, root / "a")
            _server(hosts, "server-b", port_b, root / "b")
            _worker(hosts, "w1", root / "w1")
            _worker(hosts, "w2", root / "w2")
            _wait_healthy(hosts, "server-a", port_a)
            _wait_healthy(hosts, "server-b", port_b)
            a, b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
            email = world["coordinator"].email

            # 1. Started through A, followed and downloaded through B.
            on_a, on_b = _log_in(a, email), _log_in(b, email)
            first = _start_cohort(on_a, a)
            seen = _follow(on_b, b, first, hosts)
            assert seen[-1] == CANDIDATES
            assert _zip_candidates(on_b, b, first) == world["names"]
            assert _statements_of(app, first) == (CANDIDATES, CANDIDATES, CANDIDATES)

            # 2. A worker killed in the middle of a chunk; a new one takes its place.
            second = _start_cohort(on_b, b)
            victim = _busy_worker(redis_url, ["w1", "w2"])
            hosts.kill(victim)
            _worker(hosts, "w3", root / "w3")
            _follow(on_a, a, second, hosts)
            assert _zip_candidates(on_a, a, second) == world["names"]
            assert _statements_of(app, second) == (CANDIDATES, CANDIDATES, 2 * CANDIDATES)

            # 3. Throttling: 5 wrong passwords a minute per account and source, whichever
            # server they hit; the sixth, on either server, is refused.
            session = requests.Session()
            token = _csrf(session.get(f"{a}/login", timeout=30).text)
            codes = []
            for n in range(6):
                base = (a, b)[n % 2]
                r = session.post(
                    f"{base}/login",
                    data={"csrf_token": token, "email": email, "password": "wrong-password-1"},
                    allow_redirects=False,
                    timeout=30,
                )
                codes.append(r.status_code)
            assert codes[:5] == [401] * 5 and codes[5] == 429, codes
            r = requests.Session()
            token_b = _csrf(r.get(f"{b}/login", timeout=30).text)
            refused = r.post(
                f"{b}/login",
                data={"csrf_token": token_b, "email": email, "password": PASSWORD},
                allow_redirects=False,
                timeout=30,
            )
            assert refused.status_code == 429  # the right password too, from this source
        except BaseException:
            print(hosts.logs())
            raise
        finally:
            hosts.stop_all()
            shutil.rmtree(root, ignore_errors=True)
