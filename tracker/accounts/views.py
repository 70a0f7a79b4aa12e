"""Login and logout."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from tracker.accounts.auth import actor
from tracker.accounts.forms import LoginForm
from tracker.accounts.operations import authenticate
from tracker.audit.operations import record as audit
from tracker.extensions import limiter

bp = Blueprint("accounts", __name__)

LOGIN_FAILED = "E-mail or password is not right."


def _safe_next(target: str | None) -> str:
    if not target:
        return url_for("home.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("home.index")
    return target


def _login_key() -> str:
    email = (request.form.get("email") or "").strip().lower()
    return f"{email}|{request.remote_addr}"


def _account_key() -> str:
    return (request.form.get("email") or "").strip().lower()


def _is_success(response: Response) -> bool:
    """Only failed attempts count towards the throttle."""
    return response.status_code == 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    "5/minute", key_func=_login_key, methods=["POST"], deduct_when=lambda r: not _is_success(r)
)
@limiter.limit(
    "100/hour", key_func=_account_key, methods=["POST"], deduct_when=lambda r: not _is_success(r)
)
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            login_user(user, remember=bool(form.remember.data))
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

        db.session.commit()
        form.password.errors = [LOGIN_FAILED]
        return render_template("accounts/login.html", form=form), 401
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout() -> Any:
    user = actor()
    audit(user, "auth.logout", f"user:{user.id}")
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("accounts.login"))
