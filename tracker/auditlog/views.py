"""The audit log page: coordinators read their organization's events, admins all of them."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_login import login_required

from tracker.accounts import policies
from tracker.accounts.auth import actor
from tracker.audit.operations import verify_chain
from tracker.auditlog import browse
from tracker.auditlog.forms import AuditFilterForm
from tracker.i18n import gettext as _
from tracker.records.loading import authorize, load_candidate
from tracker.records.queries import visible_candidates
from tracker.web.paging import page_number, row_id

bp = Blueprint("audit", __name__)

PER_PAGE = 100


def compact_json(value: Any) -> str:
    """One line of JSON (the template escapes it)."""
    if value is None:
        return ""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


@bp.get("/audit")
@login_required
def log() -> Any:
    user = actor()
    authorize(policies.can_view_audit(user), _("only coordinators and admins read the audit log"))
    form = AuditFilterForm(request.args)
    form.candidate.choices = [("", _("All candidates"))] + [
        (str(c.id), f"{c.name} ({c.email})") for c in visible_candidates(user)
    ]
    form.action.choices = [("", _("All actions"))] + [(a, a) for a in browse.actions_seen(user)]
    candidate = None
    if form.candidate.data:
        wanted = row_id(form.candidate.data)
        if wanted is None:
            abort(404)
        candidate = load_candidate(user, wanted)
        authorize(policies.can_view_audit(user, candidate))
    action = (form.action.data or "").strip()[:64] or None
    page = page_number(request.args.get("page"))
    events = browse.event_page(
        user, candidate=candidate, action=action, page=page, per_page=PER_PAGE
    )
    chain = verify_chain() if policies.is_admin(user) else None
    filters: dict[str, Any] = {}
    if candidate is not None:
        filters["candidate"] = candidate.id
    if action:
        filters["action"] = action
    return render_template(
        "audit/log.html",
        title=_("Audit log"),
        form=form,
        events=events,
        chain=chain,
        filters=filters,
        compact_json=compact_json,
    )
