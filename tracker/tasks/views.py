"""The progress of a long job, as JSON for the progress bars (static/js/progress.js)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify
from flask_login import current_user, login_required

from tracker.extensions import db
from tracker.tasks import storage
from tracker.tasks.models import Job

bp = Blueprint("tasks", __name__)


def progress_json(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "error": job.error,
    }


@bp.get("/jobs/<job_id>/progress")
@login_required
def progress(job_id: str) -> Any:
    """Only the job's owner sees it (anyone else: 404, as if it did not exist)."""
    job = db.session.get(Job, job_id) if storage.JOB_ID.match(job_id) else None
    if job is None or job.owner_id != current_user.id:
        abort(404)
    response = jsonify(progress_json(job))
    response.headers["Cache-Control"] = "no-store"
    return response
