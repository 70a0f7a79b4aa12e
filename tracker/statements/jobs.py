"""Cohort downloads: a ZIP of statements built by background tasks, tracked in the database.

The request only records the job (``start_cohort``). Tasks, on whatever host runs them:

1. ``plan_cohort(job_id)``: one job item per enrolment of every candidate (unique per job,
   candidate and credential), then ``render_chunk`` tasks of at most CHUNK items, at least
   TASKS_PER_JOB of them where there are enough items, so that the queue workers share
   one cohort evenly (24 statements are 12 tasks of 2, 1,000 are 125 of 8);
2. ``render_chunk(job_id, item_ids)``: for each pending item, evaluate and render the PDF
   outside any write transaction, write it to the storage directory, then in one short
   transaction mark the item done (only if still pending) and record the statement. A
   chunk run twice, or by two workers after a crash, issues one statement per item: the
   loser of the conditional update rolls back and removes its file;
3. ``finish_cohort(job_id)``: once no item is pending, the ZIP (PDFs and manifest.csv)
   from the recorded items, written atomically; the job is done.

Progress (items no longer pending ÷ items) is in the ``jobs`` row, which every host reads.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import func, select, update

from tracker import tasks
from tracker.accounts.models import User
from tracker.csv_cells import csv_safe
from tracker.database import reading, rowcount, writing
from tracker.extensions import db
from tracker.i18n import as_user
from tracker.records.models import Enrolment
from tracker.tasks import storage
from tracker.tasks.models import Job, JobItem
from tracker.timeutil import utcnow

KIND = "cohort-statements"
CHUNK = 8
TASKS_PER_JOB = 12
ZIP_NAME = "statements.zip"
MANIFEST_COLUMNS = [
    "file",
    "candidate",
    "email",
    "credential",
    "pathway",
    "as_of",
    "status",
    "progress",
    "code",
    "verify_url",
]


def _app() -> Flask:
    return current_app._get_current_object()  # type: ignore[attr-defined,no-any-return]


def start_cohort(
    actor: User,
    *,
    organization_id: int,
    organization_name: str,
    candidate_ids: list[int],
    as_of: date,
    base_url: str,
    download_name: str,
) -> Job:
    """Record a cohort job and enqueue its planning (flush only; the caller authorized)."""
    from tracker.statements.operations import new_code

    job = Job(
        id=new_code(),
        kind=KIND,
        owner_id=actor.id,
        status="queued",
        download_name=download_name,
        params={
            "organization_id": organization_id,
            "organization": organization_name,
            "candidate_ids": sorted(set(candidate_ids)),
            "as_of": as_of.isoformat(),
            "base_url": base_url,
        },
    )
    db.session.add(job)
    db.session.flush()
    tasks.enqueue(plan_cohort, job.id, job_id=f"{job.id}-plan", description="cohort statements")
    return job


def _chunk_task_id(job_id: str, first_item: int) -> str:
    return f"{job_id}-chunk-{first_item}"


def plan_cohort(job_id: str) -> None:
    """Task: the job's items (once) and a render task per chunk of pending items."""
    job = db.session.get(Job, job_id)
    if job is None or job.finished:
        return
    candidate_ids = list(job.params.get("candidate_ids") or [])
    existing = set(
        db.session.execute(
            select(JobItem.candidate_id, JobItem.credential).where(JobItem.job_id == job_id)
        )
    )
    for candidate_id, credential in db.session.execute(
        select(Enrolment.candidate_id, Enrolment.credential)
        .where(Enrolment.candidate_id.in_(candidate_ids))
        .order_by(Enrolment.candidate_id, Enrolment.id)
    ):
        if (candidate_id, credential) not in existing:
            db.session.add(JobItem(job_id=job_id, candidate_id=candidate_id, credential=credential))
    db.session.flush()
    job.total = (
        db.session.scalar(select(func.count()).select_from(JobItem).where(JobItem.job_id == job_id))
        or 0
    )
    job.status = "running"
    job.started_at = job.started_at or utcnow()
    pending = list(
        db.session.scalars(
            select(JobItem.id)
            .where(JobItem.job_id == job_id, JobItem.status == "pending")
            .order_by(JobItem.id)
        )
    )
    if not pending:
        tasks.enqueue(finish_cohort, job_id, job_id=f"{job_id}-finish")
    size = chunk_size(len(pending))
    for n in range(0, len(pending), size):
        part = pending[n : n + size]
        tasks.enqueue(
            render_chunk,
            job_id,
            part,
            job_id=_chunk_task_id(job_id, part[0]),
            description="cohort statements: a chunk",
        )


def chunk_size(items: int) -> int:
    """Items per render task: CHUNK, or fewer so that a small cohort still makes
    TASKS_PER_JOB tasks (the last task of a job is what the other workers wait for)."""
    return max(1, min(CHUNK, -(-items // TASKS_PER_JOB)))


def _pdf_name(job_id: str, code: str) -> str:
    return f"{code}.pdf"


def render_chunk(job_id: str, item_ids: list[int]) -> None:
    """Task: issue and render the chunk's pending items, each exactly once."""
    app = _app()
    job = db.session.get(Job, job_id)
    if job is None or job.finished:
        return
    db.session.commit()  # the per-item transactions below decide what is written
    for item_id in item_ids:
        _render_item(app, job_id, item_id)
    _count_progress(job_id)
    db.session.commit()
    if _pending(job_id) == 0:
        tasks.enqueue(finish_cohort, job_id, job_id=f"{job_id}-finish")


def _render_item(app: Flask, job_id: str, item_id: int) -> None:
    from tracker.credentials.catalog import current_catalog
    from tracker.statements.content import prepare_statement
    from tracker.statements.operations import document_of, new_code, record_issue
    from tracker.statements.pdf import render_pdf

    with reading():
        item = db.session.get(JobItem, item_id)
        job = db.session.get(Job, job_id)
        if item is None or job is None or item.status != "pending":
            db.session.rollback()
            return
        actor = db.session.get(User, job.owner_id) if job.owner_id else None
        candidate = db.session.get(User, item.candidate_id)
        as_of = date.fromisoformat(job.params["as_of"])
        base_url = job.params["base_url"]
        code, issued_at = new_code(), utcnow().replace(microsecond=0)
        try:
            if candidate is None:
                raise LookupError("the candidate no longer exists")
            with as_user(candidate):  # the candidate's language, as their own download
                prepared = prepare_statement(current_catalog(), candidate, item.credential, as_of)
                document = document_of(actor, prepared, code=code, issued_at=issued_at,
                                       base_url=base_url, candidate=candidate)  # fmt: skip
                pdf = render_pdf(document)
            problem = None
        except Exception as exc:  # noqa: BLE001 - reported in the manifest as "not issued"
            problem = f"{candidate.name if candidate else item.candidate_id} ({item.credential}): "
            problem += str(exc) or type(exc).__name__
        db.session.rollback()  # end the read transaction before the (slow) file write
    path = None
    if problem is None:
        path = storage.write_atomic(storage.job_dir(app, job_id) / _pdf_name(job_id, code), pdf)
    with writing():
        claimed = rowcount(
            db.session.execute(
                update(JobItem)
                .where(JobItem.id == item_id, JobItem.status == "pending")
                .values(
                    status="done" if problem is None else "problem",
                    code=code if problem is None else None,
                    filename=path.name if path is not None else None,
                    note=problem,
                )
            )
        )
        if claimed != 1:  # another worker issued this one first
            db.session.rollback()
            if path is not None:
                path.unlink(missing_ok=True)
            return
        if problem is None:
            actor = db.session.get(User, job.owner_id) if job.owner_id else None
            candidate = db.session.get(User, item.candidate_id)
            assert candidate is not None  # noqa: S101 - checked above, rows are never deleted here
            record_issue(
                actor,
                candidate,
                prepared,
                base_url=base_url,
                via="cohort",
                code=code,
                issued_at=issued_at,
            )
        db.session.commit()


def _pending(job_id: str) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(JobItem)
            .where(JobItem.job_id == job_id, JobItem.status == "pending")
        )
        or 0
    )


def _count_progress(job_id: str) -> None:
    done = db.session.scalar(
        select(func.count())
        .select_from(JobItem)
        .where(JobItem.job_id == job_id, JobItem.status != "pending")
    )
    db.session.execute(
        update(Job).where(Job.id == job_id, Job.done < done).values(done=done, updated_at=utcnow())
    )


def finish_cohort(job_id: str) -> None:
    """Task: the ZIP of the job's statements and manifest, once every item is decided."""
    app = _app()
    job = db.session.get(Job, job_id)
    if job is None or job.status == "done" or _pending(job_id):
        return
    items = list(
        db.session.scalars(select(JobItem).where(JobItem.job_id == job_id).order_by(JobItem.id))
    )
    folder = storage.job_dir(app, job_id)
    names = _zip_names(items)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for item in items:
            if item.status == "done" and item.filename:
                archive.write(folder / item.filename, names[item.id])  # PDFs are compressed
        archive.writestr("manifest.csv", _manifest(items, names), zipfile.ZIP_DEFLATED)
    storage.write_atomic(folder / ZIP_NAME, buffer.getvalue())
    for item in items:  # the PDFs live on in the ZIP
        if item.filename:
            (folder / item.filename).unlink(missing_ok=True)
    db.session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(
            status="done",
            done=len(items),
            total=len(items),
            result_file=ZIP_NAME,
            finished_at=utcnow(),
            updated_at=utcnow(),
        )
    )


def _zip_names(items: list[JobItem]) -> dict[int, str]:
    from tracker.statements.models import IssuedStatement
    from tracker.statements.pdf import filename_for

    codes = [i.code for i in items if i.code]
    rows = {
        s.code: s
        for s in db.session.scalars(select(IssuedStatement).where(IssuedStatement.code.in_(codes)))
    }
    names: dict[int, str] = {}
    used: set[str] = set()
    for item in items:
        row = rows.get(item.code or "")
        if row is None:
            continue
        name = filename_for(
            {
                "content": {
                    "candidate": {"name": row.summary.get("candidate_name") or ""},
                    "credential": {"id": row.credential},
                    "as_of": row.as_of.isoformat(),
                }
            }
        )
        if name in used:
            name = name.removesuffix(".pdf") + f"-{row.code[:8]}.pdf"
        used.add(name)
        names[item.id] = name
    return names


def _manifest(items: list[JobItem], names: dict[int, str]) -> str:
    from tracker.statements.models import IssuedStatement
    from tracker.statements.operations import verify_url

    job = db.session.get(Job, items[0].job_id) if items else None
    base_url = job.params["base_url"] if job else ""
    codes = [i.code for i in items if i.code]
    rows = {
        s.code: s
        for s in db.session.scalars(select(IssuedStatement).where(IssuedStatement.code.in_(codes)))
    }
    people = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.id.in_({i.candidate_id for i in items}))
        )
    }
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(MANIFEST_COLUMNS)
    for item in items:
        row = rows.get(item.code or "")
        if row is None:
            continue
        person = people.get(item.candidate_id)
        cells = [
            names.get(item.id, ""),
            row.summary.get("candidate_name") or (person.name if person else ""),
            person.email if person else "",
            row.credential,
            row.pathway or "",
            row.as_of.isoformat(),
            row.summary.get("status") or "",
            row.summary.get("progress", ""),
            row.code,
            verify_url(base_url, row.code),
        ]
        writer.writerow([csv_safe(cell) for cell in cells])
    for item in items:
        if item.status == "problem":
            cells = ["", "", "", item.credential, "", "", "not issued", "", "", item.note or ""]
            writer.writerow([csv_safe(cell) for cell in cells])
    return out.getvalue()


def problems(job_id: str) -> list[str]:
    return list(
        db.session.scalars(
            select(JobItem.note)
            .where(JobItem.job_id == job_id, JobItem.status == "problem")
            .order_by(JobItem.id)
        )
    )


def zip_path(app: Flask, job: Job) -> Path | None:
    if job.status != "done" or not job.result_file:
        return None
    path = storage.job_dir(app, job.id) / job.result_file
    return path if path.is_file() else None
