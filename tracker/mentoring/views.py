"""Internship pages: the mentor's list, an internship's details and decision, creation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import login_required

from tracker.accounts import policies
from tracker.accounts.auth import actor, roles_required
from tracker.accounts.models import Role, User
from tracker.approvals import operations as approvals
from tracker.approvals.policies import can_decide_internship
from tracker.errors import ConflictError, ValidationError
from tracker.mentoring import forms, queries
from tracker.mentoring.operations import create_internship
from tracker.records.loading import authorize, load_candidate, load_record
from tracker.records.models import EntryStatus, Internship
from tracker.records.queries import mentors_of_org
from tracker.records.schemas import InternshipIn
from tracker.web.form_errors import apply_errors
from tracker.web.schema_forms import form_data, show_errors

bp = Blueprint("mentoring", __name__)


@bp.get("/mentoring")
@roles_required(Role.MENTOR)
def interns() -> Any:
    internships = queries.internships_naming(actor())
    pending = sum(1 for i in internships if i.status is EntryStatus.PENDING)
    return render_template(
        "mentoring/interns.html", title="Internships", internships=internships, pending=pending
    )


def _load(internship_id: int) -> tuple[User, Internship]:
    user = actor()
    return user, load_record(user, Internship, internship_id, "internship")


def _internship_page(user: User, internship: Internship, status: int = 200, **forms_: Any) -> Any:
    decide = internship.status is EntryStatus.PENDING and can_decide_internship(user, internship)
    context: dict[str, Any] = {"signoff_form": None, "return_form": None}
    if decide:
        context["signoff_form"] = forms_.get("signoff_form") or forms.SignOffForm(formdata=None)
        context["return_form"] = forms_.get("return_form") or forms.ReturnForm(formdata=None)
    return render_template(
        "mentoring/internship.html",
        title=f"Internship at {internship.host}",
        internship=internship,
        can_add=policies.can_create_internship(user, internship.candidate),
        **context,
    ), status


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
        lambda user, row, form: approvals.sign_off_internship(user, row, form.comment.data),
        lambda row: (
            f"Signed off: {row.hours:g} hours at {row.host} now count for {row.candidate.name}."
        ),
    )


@bp.post("/internships/<int:internship_id>/return")
@login_required
def return_internship(internship_id: int) -> Any:
    return _decide(
        internship_id,
        forms.ReturnForm,
        "return_form",
        lambda user, row, form: approvals.return_internship(user, row, form.reason.data),
        lambda row: f"Returned to {row.candidate.name} with your reason.",
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
    authorize(can_decide_internship(user, row), "only the mentor named on it may decide it")
    form = form_class()
    if form.validate_on_submit():
        try:
            act(user, row, form)
        except ConflictError as exc:
            flash(f"Nothing changed: {exc.message}.", "error")
            return redirect(url_for("mentoring.internship", internship_id=row.id))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(done(row), "success")
            return redirect(url_for("mentoring.internship", internship_id=row.id))
    return _internship_page(user, row, 400, **{form_name: form})


def _internship_form(candidate: User) -> Any:
    form = forms.InternshipForm()
    form.mentor_id.choices = [("", "Choose a mentor…")] + [
        (str(m.id), f"{m.name} ({m.email})") for m in mentors_of_org(candidate.organization_id)
    ]
    return form


@bp.route("/candidates/<int:candidate_id>/internships/new", methods=["GET", "POST"])
@login_required
def new_internship(candidate_id: int) -> Any:
    user = actor()
    candidate = load_candidate(user, candidate_id)
    authorize(policies.can_create_internship(user, candidate))
    form = _internship_form(candidate)
    if form.validate_on_submit():
        try:
            row = create_internship(user, candidate, form_data(form, InternshipIn))
        except ValidationError as exc:
            show_errors(form, exc, InternshipIn)
        else:
            assert row.mentor is not None  # InternshipIn requires a mentor
            flash(
                f"Internship at {row.host} recorded; {row.mentor.name} can now sign it off.",
                "success",
            )
            return redirect(url_for("mentoring.internship", internship_id=row.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "mentoring/new_internship.html",
        title="New internship",
        candidate=candidate,
        form=form,
        has_mentors=len(form.mentor_id.choices) > 1,
    ), status
