"""The notices page, marking notices read, the unread count in the nav, and the calendar."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from tracker.accounts.auth import actor
from tracker.credentials.catalog import current_catalog
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.mail import public_url
from tracker.notices import calendar, texts
from tracker.notices import operations as notices
from tracker.notices.models import Notice
from tracker.timeutil import today
from tracker.web.paging import Page, page_number

bp = Blueprint("notices", __name__)
PER_PAGE = 30


@bp.app_context_processor
def _unread() -> dict[str, Any]:
    if current_user is None or not current_user.is_authenticated:
        return {}
    return {"unread_notices": notices.unread_count(current_user)}


@bp.get("/notifications")
@login_required
def inbox() -> Any:
    user = actor()
    page = page_number(request.args.get("page"))
    total = db.session.scalar(select(func.count(Notice.id)).where(Notice.user_id == user.id)) or 0
    rows = list(
        db.session.scalars(
            select(Notice)
            .where(Notice.user_id == user.id)
            .order_by(Notice.id.desc())
            .offset((page - 1) * PER_PAGE)
            .limit(PER_PAGE)
        )
    )
    items = [(n, texts.text(n.kind, n.params or {}), texts.KINDS[n.kind]) for n in rows]
    return render_template(
        "notices/inbox.html", page=Page(items, page, PER_PAGE, total), title=_("Notices")
    )


@bp.post("/notifications/<int:notice_id>/read")
@login_required
def read(notice_id: int) -> Any:
    user = actor()
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.user_id != user.id:
        abort(404)
    notices.mark_read(user, notice)
    if request.form.get("open") and notice.link:
        return redirect(notice.link)
    return redirect(url_for("notices.inbox"))


@bp.post("/notifications/read")
@login_required
def read_all() -> Any:
    notices.mark_all_read(actor())
    return redirect(url_for("notices.inbox"))


@bp.get("/calendar/<secret>.ics")
def calendar_feed(secret: str) -> Any:
    """No login: the secret is the key (calendar programs cannot log in)."""
    candidate = notices.user_for_calendar(secret)
    if candidate is None:
        abort(404)
    body = calendar.feed(candidate, current_catalog(), today(), public_url())
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="tracker.ics"'
    response.headers["Cache-Control"] = "private, max-age=900"
    return response
