"""Statement pages: the PDF download, the public verify page and the cohort ZIP.

Each handler loads (404), authorizes (403), then acts through statements.operations.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import login_required
from sqlalchemy import select

from tracker.accounts import policies
from tracker.accounts.auth import actor
from tracker.accounts.models import Organization, Role, User
from tracker.credentials.catalog import current_catalog
from tracker.database import write_intent
from tracker.errors import ForbiddenError, NotFoundError, ValidationError
from tracker.extensions import db
from tracker.filenames import ascii_slug
from tracker.i18n import gettext as _
from tracker.records.loading import authorize, load_candidate
from tracker.records.policies import can_download_statement
from tracker.records.queries import visible_candidates
from tracker.statements import jobs, operations, queries, signing
from tracker.statements.forms import VerifyForm
from tracker.tasks import storage
from tracker.tasks.models import Job
from tracker.timeutil import today

bp = Blueprint("statements", __name__)


def public_base_url() -> str:
    """Where /verify/<code> is reachable: TRACKER_PUBLIC_URL if set, else this request's host."""
    configured = current_app.config.get("PUBLIC_URL")
    # request.host_url is checked against TRUSTED_HOSTS before any view runs.
    return str(configured or request.url_root)


def credential_arg() -> str:
    credential = (request.args.get("credential") or "").strip()
    if not credential:
        raise ValidationError("credential", _("is required (?credential=ID)"))
    return credential


def begin_writing() -> None:
    """A GET that records an issued statement: reopen the transaction as a writer.

    Only reads happened so far, so dropping the read transaction loses nothing; on SQLite
    the next statement then opens with BEGIN IMMEDIATE like any POST (database.py).
    """
    if write_intent.get():
        return
    db.session.rollback()
    g.write_token = write_intent.set(True)


def pdf_response(document: dict[str, Any]) -> Response:
    from tracker.statements.pdf import filename_for, render_pdf

    response = Response(render_pdf(document), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename_for(document)}"'
    return response


def issue_and_send(user: User, candidate_id: int, via: str) -> Response:
    """Shared by the page and the API route: load → authorize → issue → render."""
    candidate = load_candidate(user, candidate_id)
    authorize(can_download_statement(user, candidate))
    credential = credential_arg()
    if current_catalog().get(credential) is None:
        raise NotFoundError(_("credential %(id)s is not loaded", id=repr(credential)))
    if request.method == "HEAD":
        # A HEAD asks what a GET would answer; issuing a statement is a write, so it issues
        # none and records nothing.
        return Response(status=200, mimetype="application/pdf")
    begin_writing()
    document = operations.issue_statement(
        user,
        candidate,
        current_catalog(),
        credential,
        today(),
        base_url=public_base_url(),
        via=via,
    )
    return pdf_response(document)


@bp.get("/candidates/<int:candidate_id>/statement.pdf")
@login_required
def download(candidate_id: int) -> Any:
    return issue_and_send(actor(), candidate_id, "page")


def _not_issued(form: VerifyForm, code: str) -> Any:
    return render_template(
        "statements/verify_form.html",
        title=_("Verify a statement"),
        form=form,
        unknown=code,
    ), 404


@bp.route("/verify", methods=["GET", "POST"])
def verify_form() -> Any:
    """Public: type a code from a printed statement."""
    form = VerifyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template(
                "statements/verify_form.html", title=_("Verify a statement"), form=form
            ), 400
        typed = (form.code.data or "").strip()
        issued = queries.by_code(typed)
        if issued is None:
            return _not_issued(form, typed)
        return redirect(url_for("statements.verify", code=issued.code), 303)
    return render_template("statements/verify_form.html", title=_("Verify a statement"), form=form)


@bp.get("/verify/<code>")
def verify(code: str) -> Any:
    """Public: confirms a statement and says whether the candidate's records changed since."""
    issued = queries.by_code(code)
    wants_json = request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json"
    )
    if issued is None:
        if wants_json:
            return jsonify({"genuine": False}), 404
        return _not_issued(VerifyForm(formdata=None, code=code[:120]), code[:120])
    if issued.code != code and not wants_json:
        return redirect(url_for("statements.verify", code=issued.code), 301)
    changed = queries.records_changed(issued)
    issuer = operations.issuer_name(issued.issued_by, issued.candidate)
    self_issued = issued.issued_by_id is not None and issued.issued_by_id == issued.candidate_id
    if wants_json:
        return jsonify(
            {
                "genuine": True,
                "candidate": issued.summary.get("candidate_name"),
                "credential": issued.credential,
                "version": issued.version,
                "status": issued.summary.get("status"),
                "issued_at": issued.issued_at.isoformat(timespec="seconds") + "Z",
                "records_changed_since": changed,
                "issued_by": issuer,
                "self_issued": self_issued,
            }
        )
    return render_template(
        "statements/verify.html",
        title=_("Statement verification"),
        issued=issued,
        summary=issued.summary,
        changed=changed,
        issuer=issuer,
        self_issued=self_issued,
        signing=signing.certificate_summary(),
    )


# ---------------------------------------------------------------- cohort ZIP


def _cohort_user() -> User:
    user = actor()
    if user.role not in (Role.COORDINATOR, Role.ADMIN):
        raise ForbiddenError(_("only coordinators and administrators download a cohort"))
    return user


def _organizations(user: User) -> list[Organization]:
    if user.role is Role.ADMIN:
        return list(db.session.scalars(select(Organization).order_by(Organization.name)))
    org = db.session.get(Organization, user.organization_id) if user.organization_id else None
    return [org] if org is not None else []


def _chosen_organization(user: User) -> Organization:
    orgs = _organizations(user)
    if user.role is Role.ADMIN:
        raw = (request.form.get("organization") or "").strip()
        if not raw.isdigit():
            raise ValidationError("organization", _("choose an organization"))
        org = next((o for o in orgs if o.id == int(raw)), None)
        if org is None:
            raise ValidationError("organization", _("unknown organization"))
        return org
    if not orgs:
        raise ForbiddenError(_("you do not belong to an organization"))
    return orgs[0]


@bp.get("/statements/cohort")
@login_required
def cohort() -> Any:
    user = _cohort_user()
    return render_template(
        "statements/cohort.html",
        title=_("Cohort statements"),
        organizations=_organizations(user),
    )


@bp.post("/statements/cohort")
@login_required
def cohort_start() -> Any:
    user = _cohort_user()
    org = _chosen_organization(user)
    candidates = visible_candidates(user, organization_id=org.id)
    candidates = [c for c in candidates if c.organization_id == org.id]
    for candidate in candidates:
        authorize(policies.can_manage_cohort(user, candidate))
    job = jobs.start_cohort(
        user,
        organization_id=org.id,
        organization_name=org.name,
        candidate_ids=[c.id for c in candidates],
        as_of=today(),
        base_url=public_base_url(),
        download_name=f"statements-{ascii_slug(org.name, 'org')}-{today().isoformat()}.zip",
    )
    return redirect(url_for("statements.cohort_job", job_id=job.id), code=303)


def _own_job(job_id: str) -> Job:
    user = _cohort_user()
    job = db.session.get(Job, job_id) if storage.JOB_ID.match(job_id) else None
    if job is None or job.kind != jobs.KIND or job.owner_id != user.id:
        abort(404)
    return job


@bp.get("/statements/cohort/<job_id>")
@login_required
def cohort_job(job_id: str) -> Any:
    job = _own_job(job_id)
    return render_template(
        "statements/job.html",
        title=_("Cohort statements"),
        job=job,
        organization=job.params.get("organization", ""),
        problems=jobs.problems(job.id) if job.finished else [],
    )


@bp.get("/statements/cohort/<job_id>/statements.zip")
@login_required
def cohort_zip(job_id: str) -> Any:
    job = _own_job(job_id)
    path = jobs.zip_path(current_app._get_current_object(), job)  # type: ignore[attr-defined]
    if path is None:
        abort(404)
    return send_file(
        path, mimetype="application/zip", as_attachment=True, download_name=job.download_name
    )
