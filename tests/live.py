"""A real server for the tests that talk HTTP: gunicorn on a free loopback port, serving a
throw-away SQLite database prepared in advance (migrated, then filled through the real
operations), stopped when the test ends.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.config import PROJECT_ROOT

BOOT_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Live:
    url: str
    """The server's root, e.g. http://127.0.0.1:40123"""
    directory: Path
    log: Path

    @property
    def api(self) -> str:
        return self.url + "/api/v1"


def prepare(directory: Path, fill: Callable[[Any, Any], Any]) -> Any:
    """Migrate a new SQLite database in `directory` and call fill(app, factory); its result
    is returned. Committed and closed before any server opens the file."""
    from flask_migrate import upgrade

    from tests.conftest import Factory, make_app
    from tracker.extensions import db

    directory.mkdir(parents=True, exist_ok=True)
    app = make_app(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{directory / 'tracker.db'}",
        UPLOAD_DIR=directory / "uploads",
    )
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        db.engine.dispose()
    result = fill(app, Factory(app))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return result


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=5) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


@contextmanager
def serve(directory: Path, workers: int = 2) -> Iterator[Live]:
    """gunicorn on the database that prepare() made in `directory`."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = directory / "gunicorn.log"
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": f"sqlite:///{directory / 'tracker.db'}",
        "TRACKER_INSTANCE_DIR": str(directory / "instance"),
        "TRACKER_UPLOAD_DIR": str(directory / "uploads"),
        "TRACKER_SECRET_KEY": "live-test-secret-key-not-for-production",
    }
    env.pop("TRACKER_TEST_DATABASE_URL", None)
    argv = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
            f"127.0.0.1:{port}", "--timeout", "120", "tracker:create_app()"]  # fmt: skip
    with log.open("w") as out:
        proc = subprocess.Popen(argv, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + BOOT_TIMEOUT_S
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"gunicorn did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield Live(url, directory, log)
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (gunicorn finishes its requests), then SIGKILL after 30 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
