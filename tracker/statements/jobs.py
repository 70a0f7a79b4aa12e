"""Cohort downloads: a ZIP of statements rendered in parallel processes, tracked on disk.

The request records the statements (rows and audit events) and hands their documents,
plain data, to a background thread. The thread renders them in a process pool: each
worker builds its own app with create_app and renders from the plain data. Progress is
a small JSON file in the instance folder, so that every web worker process can show it.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask

from tracker.workers import (
    init_worker,
    process_context,
    worker_app,
    worker_config,
)

JOB_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
KEEP_SECONDS = 24 * 3600


@dataclass
class Job:
    id: str
    owner_id: int
    organization: str
    total: int
    done: int = 0
    status: str = "running"
    """running, done or failed."""
    problems: list[str] = field(default_factory=list)
    error: str | None = None
    started_at: float = field(default_factory=time.time)
    finished_at: float | None = None
    filename: str = "statements.zip"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 100


# ---------------------------------------------------------------- rendering in processes


def _render_one(document: dict[str, Any]) -> tuple[str, bytes]:
    from tracker.statements.pdf import filename_for, render_pdf

    with worker_app().app_context():
        return filename_for(document), render_pdf(document)


def render_all(
    documents: list[dict[str, Any]], workers: int, config: dict[str, Any]
) -> Iterator[tuple[int, str, bytes]]:
    """(index, filename, pdf) for each document, in completion order, from `workers` processes."""
    with ProcessPoolExecutor(
        max_workers=max(1, workers),
        mp_context=process_context(),
        initializer=init_worker,
        initargs=(config,),
    ) as pool:
        futures = {pool.submit(_render_one, doc): n for n, doc in enumerate(documents)}
        for future in as_completed(futures):
            name, pdf = future.result()
            yield futures[future], name, pdf


def _manifest(documents: list[dict[str, Any]], names: dict[int, str], problems: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["file", "candidate", "email", "credential", "pathway", "as_of", "status", "progress"]
        + ["code", "verify_url"]
    )
    for n, doc in enumerate(documents):
        content, verification = doc["content"], doc["verification"]
        writer.writerow(
            [
                names.get(n, ""),
                content["candidate"]["name"],
                content["candidate"]["email"],
                content["credential"]["id"],
                content["credential"]["pathway"] or "",
                content["as_of"],
                content["status"],
                content["progress"],
                verification["code"],
                verification["url"],
            ]
        )
    for problem in problems:
        writer.writerow(["", "", "", "", "", "", "not issued", "", "", problem])
    return out.getvalue()


def build_zip(
    documents: list[dict[str, Any]],
    target: Path,
    *,
    workers: int,
    config: dict[str, Any],
    problems: list[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Render every document into one ZIP (with a manifest.csv); report progress per file."""
    names: dict[int, str] = {}
    used: set[str] = set()
    partial = target.with_suffix(".part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
        for done, (n, name, pdf) in enumerate(render_all(documents, workers, config), start=1):
            if name in used:
                name = (
                    name.removesuffix(".pdf") + f"-{documents[n]['verification']['code'][:8]}.pdf"
                )
            used.add(name)
            names[n] = name
            archive.writestr(name, pdf)  # PDFs are compressed already
            if progress is not None:
                progress(done)
        archive.writestr(
            "manifest.csv", _manifest(documents, names, problems or []), zipfile.ZIP_DEFLATED
        )
    partial.replace(target)
    return target


# ---------------------------------------------------------------- job state on disk


def jobs_root(app: Flask) -> Path:
    return Path(app.instance_path) / "statement-jobs"


def _state_path(app: Flask, job_id: str) -> Path:
    return jobs_root(app) / job_id / "job.json"


def zip_path(app: Flask, job_id: str) -> Path:
    return jobs_root(app) / job_id / "statements.zip"


def save(app: Flask, job: Job) -> None:
    path = _state_path(app, job.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(job)))
    tmp.replace(path)


def load(app: Flask, job_id: str) -> Job | None:
    if not JOB_ID.match(job_id):
        return None
    path = _state_path(app, job_id)
    try:
        return Job(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def _prune(app: Flask) -> None:
    root = jobs_root(app)
    if not root.is_dir():
        return
    cutoff = time.time() - KEEP_SECONDS
    for child in root.iterdir():
        try:
            if child.is_dir() and child.stat().st_mtime < cutoff:
                shutil.rmtree(child, ignore_errors=True)
        except OSError:
            continue


def start(
    app: Flask,
    job: Job,
    documents: list[dict[str, Any]],
    *,
    workers: int,
    confirm: Callable[[list[str]], bool],
) -> threading.Thread:
    """Run the job in a background thread; `confirm(codes)` checks the issue was committed."""
    _prune(app)
    save(app, job)
    config = worker_config(app)

    def run() -> None:
        def step(done: int) -> None:
            job.done = done
            save(app, job)

        try:
            build_zip(
                documents,
                zip_path(app, job.id),
                workers=workers,
                config=config,
                problems=job.problems,
                progress=step,
            )
            codes = [doc["verification"]["code"] for doc in documents]
            if not confirm(codes):
                zip_path(app, job.id).unlink(missing_ok=True)
                raise RuntimeError("the statements were not recorded; nothing to download")
            job.status = "done"
        except Exception as exc:  # noqa: BLE001 - the page reports any failure
            job.status = "failed"
            job.error = str(exc) or type(exc).__name__
        job.finished_at = time.time()
        save(app, job)

    thread = threading.Thread(target=run, name=f"statements-{job.id[:8]}", daemon=True)
    thread.start()
    return thread
