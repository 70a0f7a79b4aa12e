"""Files written by background jobs, under TRACKER_STORAGE_DIR (may be shared by every host).

Writes are atomic (a temporary file renamed into place), so that a reader on another host,
or a job retried after a crash, sees a whole file or none.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from pathlib import Path

from flask import Flask

JOB_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def job_dir(app: Flask, job_id: str) -> Path:
    if not JOB_ID.match(job_id):
        raise ValueError(f"not a job id: {job_id!r}")
    return Path(app.config["STORAGE_DIR"]) / "jobs" / job_id


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> Path:
    """Write `data` to `path` whole or not at all: a file of its own (0600, in a 0700
    folder), renamed into place. `durable`: synced to disk first (a cache need not be)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        if durable:
            fh.flush()
            os.fsync(fh.fileno())
    partial.replace(path)
    return path


def remove_job_files(app: Flask, job_id: str) -> None:
    shutil.rmtree(job_dir(app, job_id), ignore_errors=True)
