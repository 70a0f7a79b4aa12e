"""Internship pages: the mentor's list, an internship's details and decision, creation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from tracker.accounts import policies
from tracker.accounts.auth import actor, roles_required
from tracker.accounts.models import Role, User
from tracker.approvals import operations as approvals
from tracker.approvals.operations import StaleError
from tracker.approvals.policies import can_decide_internship
from tracker.approvals.views import stale_page
from tracker.errors import ConflictError, NotFoundError, ValidationError
from tracker.i18n import gettext as _
from tracker.mentoring import forms, queries
from tracker.mentoring.operations import create_internship
from tracker.records.kinds import KINDS
from tracker.records.loading import authorize, load_candidate, load_record
from tracker.records.models import EntryStatus, Internship
from tracker.records.queries import mentors_of_org
from tracker.records.schemas import InternshipIn
from tracker.web.form_errors import apply_errors
from tracker.web.schema_forms import form_data, row_data, show_errors

bp = Blueprint("mentoring", __name__)


@bp.get("/mentoring")
@roles_required(Role.MENTOR)
def interns() -> Any:
    internships = queries.internships_naming(actor())
    pending = sum(1 for i in internships if i.status is EntryStatus.PENDING)
    return render_template(
        "mentoring/interns.html", title=_("Internships"), internships=internships, pending=pending
    )


def _load(internship_id: int) -> tuple[User, Internship]:
    user = actor()
    return user, load_record(user, Internship, internship_id, "internship")


def _internship_page(user: User, internship: Internship, status: int = 200, **forms_: Any) -> Any:
    decide = internship.status is EntryStatus.PENDING and can_decide_internship(user, internship)
    context: dict[str, Any] = {"signoff_form": None, "return_form": None}
    if decide:
        for name, form_class in (("signoff_form", forms.SignOffForm),
                                 ("return_form", forms.ReturnForm)):  # fmt: skip
            form = forms_.get(name) or form_class(formdata=None)
            if not form.version.data:
                _pin(form, internship)
            context[name] = form
    return render_template(
        "mentoring/internship.html",
        title=_("Internship at %(host)s", host=internship.host),
        internship=internship,
        can_add=policies.can_create_internship(user, internship.candidate),
        **context,
    ), status


def _pin(form: Any, internship: Internship) -> None:
    """The version (and what it said) that the mentor sees: a decision applies to it only."""
    form.version.data = str(internship.version)
    form.seen_hours.data = f"{internship.hours:g}"
    form.seen_start.data = internship.start.isoformat()
    form.seen_end.data = internship.end.isoformat()


@bp.get("/internships/<int:internship_id>")
@login_required
def internship(internship_id: int) -> Any:
    user, row = _load(internship_id)
    return _internship_page(user, row)


@bp.post("/internships/<int:internship_id>/signoff")
@login_required
def sign_off(internship_id: int) -> Any:
    return _decide(
        internship_id,
        forms.SignOffForm,
        "signoff_form",
        lambda user, row, form: approvals.approve(
            user, row, {"comment": form.comment.data or "", "version": form.pinned_version()}
        ),
        lambda row: _(
            "Signed off: %(hours)s hours at %(host)s now count for %(name)s.",
            hours=format(row.hours, "g"),
            host=row.host,
            name=row.candidate.name,
        ),
    )


@bp.post("/internships/<int:internship_id>/return")
@login_required
def return_internship(internship_id: int) -> Any:
    return _decide(
        internship_id,
        forms.ReturnForm,
        "return_form",
        lambda user, row, form: approvals.reject(
            user, row, {"reason": form.reason.data, "version": form.pinned_version()}
        ),
        lambda row: _("Returned to %(name)s with your reason.", name=row.candidate.name),
    )


def _decide(
    internship_id: int,
    form_class: Any,
    form_name: str,
    act: Callable[[User, Internship, Any], Any],
    done: Callable[[Internship], str],
) -> Any:
    """Load, authorize (the named mentor only), validate the form, decide, redirect."""
    user, row = _load(internship_id)
    authorize(can_decide_internship(user, row), _("only the mentor named on it may decide it"))
    form = form_class()
    if form.validate_on_submit():
        seen = form.seen()
        if form.pinned_version() is None:
            flash(
                _(
                    "The decision did not say which version of the internship you saw; look "
                    "at it again and decide."
                ),  # fmt: skip
                "error",
            )
            return redirect(url_for("mentoring.internship", internship_id=row.id))
        try:
            act(user, row, form)
        except StaleError as exc:
            return stale_page(exc, row, seen, url_for("mentoring.internship", internship_id=row.id))
        except ConflictError as exc:
            flash(_("Nothing changed: %(reason)s.", reason=exc.message), "error")
            return redirect(url_for("mentoring.internship", internship_id=row.id))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(done(row), "success")
            return redirect(url_for("mentoring.internship", internship_id=row.id))
    return _internship_page(user, row, 400, **{form_name: form})


def _returned(user: User, candidate: User) -> Internship | None:
    """The returned internship named by ?resubmit=ID (the candidate's own, returned), if any."""
    raw = request.args.get("resubmit", "")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise NotFoundError("internship not found")
    row = load_record(user, Internship, int(raw), "internship")
    if row.candidate_id != candidate.id:
        raise NotFoundError(f"internship {raw} not found")
    authorize(user.id == candidate.id, _("only the candidate may resubmit their internship"))
    if EntryStatus(row.status) is not EntryStatus.REJECTED:
        raise ConflictError(_("only an internship that its mentor returned can be resubmitted"))
    return row


def _internship_form(candidate: User) -> Any:
    form = forms.InternshipForm()
    form.mentor_id.choices = [("", _("Choose a mentor…"))] + [
        (str(m.id), f"{m.name} ({m.email})") for m in mentors_of_org(candidate.organization_id)
    ]
    return form


@bp.route("/candidates/<int:candidate_id>/internships/new", methods=["GET", "POST"])
@login_required
def new_internship(candidate_id: int) -> Any:
    user = actor()
    candidate = load_candidate(user, candidate_id)
    authorize(policies.can_create_internship(user, candidate))
    returned = _returned(user, candidate)
    form = _internship_form(candidate)
    if returned is not None and not form.is_submitted():
        form.process(data=row_data(KINDS["internships"].values(returned), InternshipIn))
    if form.validate_on_submit():
        try:
            row = create_internship(
                user, candidate, form_data(form, InternshipIn), resubmits=returned
            )
        except ValidationError as exc:
            show_errors(form, exc, InternshipIn)
        else:
            assert row.mentor is not None  # InternshipIn requires a mentor
            flash(
                _(
                    "Internship at %(host)s recorded; %(mentor)s can now sign it off.",
                    host=row.host,
                    mentor=row.mentor.name,
                ),
                "success",
            )
            return redirect(url_for("mentoring.internship", internship_id=row.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "mentoring/new_internship.html",
        title=_("New internship"),
        candidate=candidate,
        form=form,
        returned=returned,
        has_mentors=len(form.mentor_id.choices) > 1,
    ), status
