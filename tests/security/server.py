"""A real gunicorn serving Tracker for the security tests (unprivileged, loopback, bounded)."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.live import free_port, stop

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BOOT_TIMEOUT_S = 90


def request(port, method, path, body=None, headers=None, timeout=30):
    """(status, headers, text) of one request on a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, dict(response.getheaders()), text
    finally:
        conn.close()


@contextmanager
def gunicorn(tmp_path: Path, workers: int = 1, env: dict[str, str] | None = None) -> Iterator[int]:
    """init-db, then gunicorn with tracker.gunicorn_conf (as `make serve`); yields the port."""
    environment = {
        **os.environ,
        "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
        "TRACKER_INSTANCE_DIR": str(tmp_path / "instance"),
        "TRACKER_SECRET_KEY": "served-test-secret-key",
        **(env or {}),
    }
    flask = [sys.executable, "-m", "flask", "--app", "tracker"]
    subprocess.run([*flask, "init-db"], cwd=PROJECT_ROOT, env=environment, check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    port = free_port()
    log = tmp_path / "gunicorn.log"
    argv = [sys.executable, "-m", "gunicorn", "-c", "python:tracker.gunicorn_conf"]
    argv += ["--workers", str(workers), "--bind", f"127.0.0.1:{port}", "tracker:create_app()"]
    with log.open("w") as out:
        proc = subprocess.Popen(argv, cwd=PROJECT_ROOT, env=environment, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + BOOT_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
            try:
                if request(port, "GET", "/healthz", timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"gunicorn did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield port
    finally:
        stop(proc)


def run_cli(tmp_path: Path, *args: str) -> str:
    environment = {
        **os.environ,
        "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
        "TRACKER_INSTANCE_DIR": str(tmp_path / "instance"),
        "TRACKER_SECRET_KEY": "served-test-secret-key",
    }
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "tracker", *args],
                          cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True,
                          timeout=120, check=True)  # fmt: skip
    return done.stdout
