"""Admin pages for credential definitions: upload a file, see its problems or preview its
effect on every enrolled candidate, publish it; withdraw a published version.

Load (the staged upload or the version, 404) → authorize (admins, 403) → act through
credentials/publishing.py, which audits each step.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.accounts import policies
from tracker.accounts.auth import actor
from tracker.admin.forms import ActionForm, UploadForm
from tracker.credentials import publishing
from tracker.credentials.catalog import current_catalog
from tracker.errors import ConflictError, NotFoundError, ValidationError
from tracker.extensions import db, login_manager
from tracker.i18n import gettext as _
from tracker.records.loading import authorize
from tracker.tasks import storage
from tracker.tasks.models import Job

bp = Blueprint("publishing", __name__, url_prefix="/admin/credentials")


@bp.before_request
def _admins_only() -> Any:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    authorize(policies.can_publish_definitions(actor()), "only administrators publish definitions")
    return None


@bp.route("/upload", methods=["GET", "POST"])
def upload() -> Any:
    form = UploadForm()
    if form.validate_on_submit():
        data = form.file.data
        try:
            staged = publishing.stage(actor(), data.filename or "", data.read())
        except ValidationError as exc:
            form.file.errors = [exc.message]
        else:
            return redirect(url_for("publishing.staged", token=staged.token), code=303)
    status = 400 if request.method == "POST" else 200
    return render_template("admin/definition_upload.html", title=_("Upload a definition"),
                           form=form), status  # fmt: skip


def _load_staged(token: str) -> publishing.Staged:
    try:
        return publishing.load_staged(token)
    except NotFoundError:
        abort(404)


def _own_preview(job_id: str | None, token: str) -> Job | None:
    if not job_id or not storage.JOB_ID.match(job_id):
        return None
    job = db.session.get(Job, job_id)
    if job is None or job.kind != publishing.PREVIEW_KIND or job.owner_id != actor().id:
        return None
    return job if (job.params or {}).get("token") == token else None


@bp.get("/staged/<token>")
def staged(token: str) -> Any:
    found = _load_staged(token)
    job = _own_preview(request.args.get("job"), token)
    catalog = current_catalog()
    current = catalog.get(found.definition.id) if found.definition is not None else None
    return render_template(
        "admin/definition_staged.html",
        title=_("Check and publish %(file)s", file=found.filename),
        staged=found,
        current=current,
        versions=catalog.versions_of(found.definition.id) if found.definition else [],
        job=job,
        preview=publishing.preview_of(job) if job is not None else None,
        form=ActionForm(),
    )


@bp.post("/staged/<token>/preview")
def preview(token: str) -> Any:
    _load_staged(token)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        job = publishing.start_preview(actor(), token)
    except ConflictError as exc:
        flash(exc.message, "error")
        return redirect(url_for("publishing.staged", token=token), code=303)
    return redirect(url_for("publishing.staged", token=token, job=job.id), code=303)


@bp.post("/staged/<token>/publish")
def publish(token: str) -> Any:
    _load_staged(token)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        definition = publishing.publish(actor(), token)
    except ConflictError as exc:
        flash(exc.message, "error")
        return redirect(url_for("publishing.staged", token=token), code=303)
    flash(
        _("%(name)s %(version)s is published. Enrolled candidates keep their version until "
          "a coordinator moves them.", name=definition.name, version=definition.version),
        "success",
    )  # fmt: skip
    return redirect(url_for("admin.definitions"), code=303)


@bp.post("/staged/<token>/discard")
def discard(token: str) -> Any:
    _load_staged(token)
    if not ActionForm().validate_on_submit():
        abort(400)
    publishing.discard(actor(), token)
    flash(_("The uploaded file was discarded."), "success")
    return redirect(url_for("admin.definitions"), code=303)


@bp.post("/<credential_id>/<version>/withdraw")
def withdraw(credential_id: str, version: str) -> Any:
    if current_catalog().get(credential_id, version) is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        publishing.withdraw(actor(), credential_id, version)
    except ConflictError as exc:
        flash(exc.message, "error")
    else:
        flash(
            _("%(id)s %(version)s is withdrawn: no new enrolment gets it; the candidates "
              "enrolled under it keep it.", id=credential_id, version=version),
            "success",
        )  # fmt: skip
    return redirect(url_for("admin.definitions"), code=303)
