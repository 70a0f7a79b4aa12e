"""The coordinator's approval queue: filter, approve, reject with a reason, approve in bulk."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from tracker.accounts.auth import actor, roles_required
from tracker.accounts.models import Role
from tracker.approvals import operations as ops
from tracker.approvals.forms import BulkForm, DecisionForm, QueueFilterForm, RejectForm
from tracker.approvals.queries import (
    QueueFilter,
    candidates_with_pending,
    pending_experience_page,
)
from tracker.credentials.catalog import current_catalog
from tracker.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from tracker.records.loading import load_record
from tracker.records.models import ExperienceEntry
from tracker.web.form_errors import apply_errors
from tracker.web.paging import page_number

bp = Blueprint("approvals", __name__)
QUEUE_PAGE_SIZE = 50


def _filter_form() -> tuple[QueueFilterForm, QueueFilter]:
    user = actor()
    form = QueueFilterForm(request.args)
    # Only the candidates with hours waiting are worth filtering by.
    form.candidate.choices = [("", "All candidates")] + [
        (str(cid), name) for cid, name in candidates_with_pending(user)
    ]
    form.category.choices = [("", "All kinds")] + [
        (c, c.replace("-", " ").capitalize()) for c in current_catalog().vocabulary("categories")
    ]
    form.validate()
    raw = form.candidate.data
    flt = QueueFilter(
        candidate_id=int(raw) if raw and str(raw).isdigit() else None,
        start=form.start.data if not form.start.errors else None,
        end=form.end.data if not form.end.errors else None,
        category=form.category.data or None,
    )
    return form, flt


def _conflict(exc: ConflictError) -> Any:
    """Two coordinators decided at once: the second sees who won, and nothing changes."""
    return render_template(
        "web/error.html",
        title="Already decided",
        status=409,
        message=f"Your decision was not recorded: {exc.message}. Someone decided it a moment ago.",
        back_url=url_for("approvals.queue"),
        back_label="Back to the approval queue",
    ), 409


@bp.get("/approvals")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def queue() -> Any:
    form, flt = _filter_form()
    page, total_hours = pending_experience_page(
        actor(), flt, page_number(request.args.get("page")), QUEUE_PAGE_SIZE
    )
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "approvals/queue.html",
        entries=page.rows,
        page=page,
        page_args=args,
        filter_form=form,
        decision_form=DecisionForm(),
        bulk_form=BulkForm(),
        total_hours=total_hours,
        query=request.query_string.decode(),
    )


def _back() -> str:
    query = request.form.get("return_query", "")
    url = url_for("approvals.queue")
    return f"{url}?{query}" if query and "\n" not in query and "//" not in query else url


@bp.post("/approvals/experience/<int:entry_id>/approve")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def approve(entry_id: int) -> Any:
    user = actor()
    entry = load_record(user, ExperienceEntry, entry_id, "experience entry")
    if not DecisionForm().validate_on_submit():
        flash("The form expired; please try again.", "error")
        return redirect(_back())
    try:
        ops.approve_experience(user, entry)
    except ConflictError as exc:
        return _conflict(exc)
    flash(f"Approved {entry.hours:g} hours of {entry.candidate.name}.", "success")
    return redirect(_back())


@bp.route("/approvals/experience/<int:entry_id>/reject", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR, Role.ADMIN)
def reject(entry_id: int) -> Any:
    user = actor()
    entry = load_record(user, ExperienceEntry, entry_id, "experience entry")
    form = RejectForm()
    if form.validate_on_submit():
        try:
            ops.reject_experience(user, entry, form.reason.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            return _conflict(exc)
        else:
            flash(f"Rejected {entry.hours:g} hours of {entry.candidate.name}.", "success")
            return redirect(url_for("approvals.queue"))
    status = 400 if request.method == "POST" else 200
    return render_template("approvals/reject.html", entry=entry, form=form), status


@bp.post("/approvals/bulk")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def bulk() -> Any:
    user = actor()
    form = BulkForm()
    if not form.validate_on_submit():
        flash("The form expired; please try again.", "error")
        return redirect(_back())
    ids = [int(v) for v in request.form.getlist("entry_id") if v.isdigit()]
    if not ids:
        flash("Select at least one entry to approve.", "error")
        return redirect(_back())
    approved, skipped = 0, []
    for entry_id in ids:
        try:
            entry = load_record(user, ExperienceEntry, entry_id, "experience entry")
            ops.approve_experience(user, entry)
            approved += 1
        except (ConflictError, ForbiddenError, NotFoundError) as exc:
            skipped.append(f"#{entry_id}: {exc.message}")
    flash(f"Approved {approved} entr{'y' if approved == 1 else 'ies'}.", "success")
    if skipped:
        flash("Not approved: " + "; ".join(skipped), "error")
    return redirect(_back())
