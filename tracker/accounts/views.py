"""Login and logout."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user

from tracker.accounts import sessions, throttle
from tracker.accounts.auth import actor
from tracker.accounts.forms import LoginForm
from tracker.accounts.operations import authenticate
from tracker.audit.operations import record as audit
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l

bp = Blueprint("accounts", __name__)

LOGIN_FAILED = _l("E-mail or password is not right.")


def _safe_next(target: str | None) -> str:
    if not target:
        return url_for("home.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("home.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        email, source = form.email.data or "", request.remote_addr
        wait = throttle.retry_after(email, source)
        if wait:
            form.password.errors = [
                _("Too many failed attempts: try again in %(seconds)s seconds.", seconds=wait)
            ]
            page = render_template("accounts/login.html", form=form)
            return page, 429, {"Retry-After": str(wait)}
        user = authenticate(email, form.password.data or "")
        if user is not None:
            throttle.succeeded(email, source)
            sessions.sign_in(user, remember=bool(form.remember.data))
            audit(user, "auth.login", f"user:{user.id}")
            return redirect(_safe_next(form.next.data))
        audit(
            None,
            "auth.login_failed",
            "login",
            after={"email": (form.email.data or "").lower()[:254], "ip": request.remote_addr},
        )
        # Commit the failure record although the answer is an error page.
        from tracker.extensions import db

        throttle.failed(email, source)
        db.session.commit()
        form.password.errors = [str(LOGIN_FAILED)]
        return render_template("accounts/login.html", form=form), 401
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout() -> Any:
    user = actor()
    audit(user, "auth.logout", f"user:{user.id}")
    sessions.end(session.get("_user_id"))
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("accounts.login"))
