"""The coordinator's approval queue: filter, approve, reject with a reason, approve in bulk."""

from __future__ import annotations

from collections.abc import Hashable
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, flash, redirect, render_template, request, url_for

from tracker.accounts.auth import actor, roles_required
from tracker.accounts.models import Role
from tracker.approvals import operations as ops
from tracker.approvals.checks import QueueChecks, evidence_of, queue_checks
from tracker.approvals.forms import BulkForm, DecisionForm, QueueFilterForm, RejectForm
from tracker.approvals.operations import StaleError
from tracker.approvals.queries import (
    QueueFilter,
    QueueRow,
    Waiting,
    pending_entries,
    pending_experience_page,
    waiting_by_candidate,
)
from tracker.credentials.catalog import Catalog, current_catalog
from tracker.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from tracker.i18n import gettext as _
from tracker.i18n import ngettext
from tracker.records.loading import load_record
from tracker.records.models import ExperienceEntry
from tracker.records.words import CATEGORIES, word_for
from tracker.web.form_errors import apply_errors
from tracker.web.paging import page_number, row_id

bp = Blueprint("approvals", __name__)
QUEUE_PAGE_SIZE = 50


def _filter_form(waiting: list[Waiting], catalog: Catalog) -> QueueFilterForm:
    form = QueueFilterForm(request.args)
    # Only the candidates with hours waiting are worth filtering by.
    form.candidate.choices = [("", _("All candidates"))] + [
        (str(w.candidate_id), w.name) for w in waiting
    ]
    form.category.choices = [("", _("All kinds"))] + [
        (c, word_for(CATEGORIES, c)) for c in catalog.vocabulary("categories")
    ]
    form.validate()
    return form


def _queue_filter(form: QueueFilterForm) -> QueueFilter:
    return QueueFilter(
        candidate_id=row_id(form.candidate.data),
        start=form.start.data if not form.start.errors else None,
        end=form.end.data if not form.end.errors else None,
        category=form.category.data or None,
    )


def _conflict(exc: ConflictError) -> Any:
    """Two coordinators decided at once: the second sees who won, and nothing changes."""
    return render_template(
        "web/error.html",
        title=_("Already decided"),
        status=409,
        message=_(
            "Your decision was not recorded: %(reason)s. Someone decided it a moment ago.",
            reason=exc.message,
        ),
        back_url=url_for("approvals.queue"),
        back_label=_("Back to the approval queue"),
    ), 409


def stale_page(exc: StaleError, entry: Any, seen: dict[str, str], back_url: str) -> Any:
    """The entry changed after the decider saw it: nothing was decided; say what changed."""
    return render_template(
        "web/error.html",
        title=_("The entry changed"),
        status=409,
        message=_(
            "Nothing was decided: %(name)s changed this entry after you saw it (%(change)s). "
            "It now reads %(hours)s h from %(start)s to %(end)s. Look at it again before "
            "deciding.",
            name=entry.candidate.name,
            change=ops.what_changed(entry, seen),
            hours=format(entry.hours, "g"),
            start=entry.start.isoformat(),
            end=entry.end.isoformat(),
        ),
        back_url=back_url,
        back_label=_("Back to the approval queue"),
    ), 409


def _unpinned() -> Any:
    flash(
        _(
            "The decision did not say which version of the entry you saw; reload the page and "
            "decide again."
        ),  # fmt: skip
        "error",
    )
    return redirect(_back())


@bp.get("/approvals")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def queue() -> Any:
    user = actor()
    catalog = current_catalog()
    waiting = waiting_by_candidate(user)
    shown = _Shown(catalog, waiting)
    flt = _queue_filter(shown.filter_form) if request.args else QueueFilter()
    page, total_hours = pending_experience_page(
        user, flt, page_number(request.args.get("page")), QUEUE_PAGE_SIZE, waiting
    )
    shown.rows = page.rows
    shown.evidence = evidence_of([r.id for r in page.rows])
    shown.query = request.query_string.decode()
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "approvals/queue.html",
        shown=shown,
        # The table, its summary of warnings and its bulk form, under its rows' keys.
        table_key=tuple(shown.row_keys.values()),
        filter_key=(
            catalog.fingerprint,
            tuple((w.candidate_id, w.name) for w in waiting),
            tuple(request.args.items(multi=True)),
        ),
        page=page,
        page_args=args,
        decision_form=DecisionForm(),
        bulk_form=BulkForm(),
        total_hours=total_hours,
        query=shown.query,
    )


class _Shown:
    """What the queue's cached fragments show, read only when a fragment is missing: the
    filter form, and the page's entries with their checks and row keys (a queue shown again
    reads none of them: tracker/web/fragments.py)."""

    def __init__(self, catalog: Catalog, waiting: list[Waiting]) -> None:
        self.catalog = catalog
        self.waiting = waiting
        self.rows: list[QueueRow] = []
        self.evidence: dict[int, list[Any]] = {}
        self.query = ""

    @cached_property
    def filter_form(self) -> QueueFilterForm:
        return _filter_form(self.waiting, self.catalog)

    @cached_property
    def entries(self) -> list[ExperienceEntry]:
        return pending_entries(self.rows)

    @cached_property
    def checks(self) -> QueueChecks:
        return queue_checks(self.catalog, self.entries, self.evidence)

    @cached_property
    def row_keys(self) -> dict[int, Hashable]:
        """Everything a row shows, for its cached HTML: the entry (its version changes with
        any change to it), its candidate's name and records (its checks and totals), its
        files, the filters it returns to, and the definitions' fingerprint (the category
        words and the caps come from them); not the CSRF token, a hole between the row's
        two fragments."""
        fingerprint = self.catalog.fingerprint
        return {
            row.id: (fingerprint, row, _files_key(self.evidence.get(row.id, [])), self.query)
            for row in self.rows
        }


def _files_key(files: list[Any]) -> Hashable:
    return tuple((f.id, f.original_name, f.content_type) for f in files)


QUEUE_ARGS = ("candidate", "start", "end", "category", "page")


def _back() -> str:
    """The queue with the filters it was posted from (re-encoded: nothing else gets through);
    the reject page carries them from the queue's link (GET) to its form (POST)."""
    raw = request.values.get("return_query", "")
    kept = [(k, v) for k, v in parse_qsl(raw[:2000]) if k in QUEUE_ARGS and v.isprintable()]
    url = url_for("approvals.queue")
    return f"{url}?{urlencode(kept)}" if kept else url


@bp.post("/approvals/experience/<int:entry_id>/approve")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def approve(entry_id: int) -> Any:
    user = actor()
    entry = load_record(user, ExperienceEntry, entry_id, "experience entry")
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return redirect(_back())
    version = form.pinned_version()
    if version is None:
        return _unpinned()
    try:
        ops.approve(user, entry, {"version": version})
    except StaleError as exc:
        return stale_page(exc, entry, form.seen(), _back())
    except ConflictError as exc:
        return _conflict(exc)
    flash(
        _(
            "Approved %(hours)s hours of %(name)s.",
            hours=format(entry.hours, "g"),
            name=entry.candidate.name,
        ),
        "success",
    )
    return redirect(_back())


@bp.route("/approvals/experience/<int:entry_id>/reject", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR, Role.ADMIN)
def reject(entry_id: int) -> Any:
    user = actor()
    entry = load_record(user, ExperienceEntry, entry_id, "experience entry")
    form = RejectForm()
    if request.method == "GET":
        form.version.data = str(entry.version)
        form.seen_hours.data = f"{entry.hours:g}"
        form.seen_start.data = entry.start.isoformat()
        form.seen_end.data = entry.end.isoformat()
    if form.validate_on_submit():
        version = form.pinned_version()
        if version is None:
            return _unpinned()
        try:
            ops.reject(user, entry, {"reason": form.reason.data, "version": version})
        except ValidationError as exc:
            apply_errors(form, exc)
        except StaleError as exc:
            return stale_page(exc, entry, form.seen(), _back())
        except ConflictError as exc:
            return _conflict(exc)
        else:
            flash(
                _(
                    "Rejected %(hours)s hours of %(name)s.",
                    hours=format(entry.hours, "g"),
                    name=entry.candidate.name,
                ),
                "success",
            )
            return redirect(_back())
    status = 400 if request.method == "POST" else 200
    return render_template(
        "approvals/reject.html", entry=entry, form=form, back=_back(),
        return_query=request.values.get("return_query", "")[:2000],
    ), status  # fmt: skip


@bp.post("/approvals/bulk")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def bulk() -> Any:
    """Approve, or reject with one reason, the selected entries; each is decided on its own
    at the version the page showed (values "ID:VERSION")."""
    user = actor()
    form = BulkForm()
    if not form.validate_on_submit():
        flash(_("The form expired or named no action; please try again."), "error")
        return redirect(_back())
    picked = [_pick(v) for v in request.form.getlist("entry_id")]
    if not picked:
        flash(_("Select at least one entry."), "error")
        return redirect(_back())
    rejecting = form.action.data == "reject"
    reason = (form.reason.data or "").strip()
    if rejecting and not reason:
        flash(_("reason: give the reason for rejecting the selected entries."), "error")
        return redirect(_back())
    done, skipped = 0, []
    for entry_id, version in picked:
        if entry_id is None or version is None:
            skipped.append(_("an entry without its version (reload the page)"))
            continue
        try:
            entry = load_record(user, ExperienceEntry, entry_id, "experience entry")
            if rejecting:
                ops.reject(user, entry, {"reason": reason, "version": version})
            else:
                ops.approve(user, entry, {"version": version})
            done += 1
        except (ConflictError, ForbiddenError, NotFoundError, ValidationError) as exc:
            skipped.append(_("#%(id)s: %(reason)s", id=entry_id, reason=exc.message))
    if rejecting:
        flash(ngettext("Rejected %(num)d entry.", "Rejected %(num)d entries.", done), "success")
    else:
        flash(ngettext("Approved %(num)d entry.", "Approved %(num)d entries.", done), "success")
    if skipped:
        flash(_("Not decided: %(list)s", list="; ".join(skipped)), "error")
    return redirect(_back())


def _pick(value: str) -> tuple[int | None, int | None]:
    """ "12:3" → (12, 3); anything else names no entry or no version."""
    ident, _sep, version = value.partition(":")

    def number(text: str) -> int | None:
        return int(text) if text.isdigit() and len(text) < 10 else None

    return number(ident), number(version)
