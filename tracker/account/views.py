"""GET/POST /account: the user's own settings. Each form posts to its own route."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker import tasks
from tracker.account import sso
from tracker.account.forms import (
    ForgotForm,
    LanguageForm,
    NoticesForm,
    PasswordChangeForm,
    RenewCalendarForm,
    SetPasswordForm,
)
from tracker.accounts import links as account_ops
from tracker.accounts import sessions
from tracker.accounts.auth import actor
from tracker.accounts.mails import send_account_mail
from tracker.accounts.models import Role
from tracker.accounts.operations import request_reset
from tracker.audit.operations import record as audit
from tracker.errors import ForbiddenError, ValidationError
from tracker.extensions import db, limiter
from tracker.i18n import gettext as _
from tracker.i18n import languages
from tracker.mail import public_url
from tracker.notices import operations as notices
from tracker.notices.texts import KINDS
from tracker.web.form_errors import apply_errors

bp = Blueprint("account", __name__)


def _page(**forms: Any) -> Any:
    user = actor()
    language = forms.get("language") or LanguageForm(data={"language": user.language or ""})
    language.offer(languages(current_app))
    muted = notices.muted_kinds(user.id)
    wanted = forms.get("notices") or NoticesForm(
        data={"wanted": [k for k in KINDS if k not in muted]}
    )
    calendar_url = None
    if user.role is Role.CANDIDATE:
        secret = notices.calendar_secret(user)
        calendar_url = f"{public_url()}{url_for('notices.calendar_feed', secret=secret)}"
    return render_template(
        "account/account.html",
        language_form=language,
        notices_form=wanted,
        renew_form=RenewCalendarForm(),
        password_form=forms.get("password") or PasswordChangeForm(),
        calendar_url=calendar_url,
    )


@bp.get("/account")
@login_required
def page() -> Any:
    return _page()


@bp.post("/account/language")
@login_required
def language() -> Any:
    user = actor()
    form = LanguageForm().offer(languages(current_app))
    if not form.validate_on_submit():
        return _page(language=form), 400
    before = user.language
    user.language = form.language.data or None
    if before != user.language:
        audit(user, "account.language", f"user:{user.id}", before={"language": before},
              after={"language": user.language})  # fmt: skip
    db.session.flush()
    flash(_("Language saved."), "success")
    return redirect(url_for("account.page"))


@bp.post("/account/notices")
@login_required
def notice_kinds() -> Any:
    user = actor()
    form = NoticesForm()
    if not form.validate_on_submit():
        return _page(notices=form), 400
    notices.set_muted(user, [k for k in KINDS if k not in (form.wanted.data or [])])
    flash(_("Notice settings saved."), "success")
    return redirect(url_for("account.page"))


@bp.post("/account/calendar")
@login_required
def renew_calendar() -> Any:
    user = actor()
    if user.role is not Role.CANDIDATE:
        raise ForbiddenError(_("Only candidates have a calendar feed."))
    if not RenewCalendarForm().validate_on_submit():
        return _page(), 400
    notices.renew_calendar_secret(user)
    flash(_("A new calendar address was made; the old one no longer works."), "success")
    return redirect(url_for("account.page"))


@bp.post("/account/password")
@login_required
def change_password() -> Any:
    """The current password is required; every other session ends, this one goes on."""
    user = actor()
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            account_ops.change_password(user, form.current_password.data or "",
                                        form.new_password.data or "",
                                        form.confirm_password.data or "")  # fmt: skip
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            sessions.sign_in(user)  # a new session: only this one stays signed in
            flash(_("Password changed. You were signed out everywhere else."), "success")
            return redirect(url_for("account.page"))
    return _page(password=form), 400


def _forgot_key() -> str:
    return f"{(request.form.get('email') or '').strip().lower()}|{request.remote_addr}"


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("5/hour", key_func=_forgot_key, methods=["POST"])
@limiter.limit("30/hour", methods=["POST"])
def forgot() -> Any:
    """The same answer whether or not the e-mail belongs to someone."""
    form = ForgotForm()
    if form.validate_on_submit():
        user = request_reset(form.email.data or "")
        if user is not None:
            token = account_ops.link_token(user, "reset")
            tasks.enqueue(send_account_mail, user.id, "reset", token, public_url(),
                          description="password reset mail")  # fmt: skip
        return render_template("account/forgot.html", form=None, sent=True)
    status = 400 if request.method == "POST" else 200
    return render_template("account/forgot.html", form=form, sent=False), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> Any:
    """Set a password from a reset or invitation link; the link then stops working."""
    found = account_ops.user_for_token(token)
    if found is None:
        abort(404)
    user, kind = found
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            account_ops.reset_password(user, kind, form.new_password.data or "",
                                       form.confirm_password.data or "")  # fmt: skip
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if current_user.is_authenticated:
                from flask_login import logout_user

                logout_user()
            flash(_("Your password is set. Log in with it."), "success")
            return redirect(url_for("accounts.login"))
    status = 400 if request.method == "POST" else 200
    return render_template("account/reset.html", form=form, user=user, kind=kind), status


@bp.app_context_processor
def _sso() -> dict[str, Any]:
    return {"sso_enabled": sso.client() is not None}


@bp.get("/login/sso")
def sso_login() -> Any:
    oidc = sso.client()
    if oidc is None:
        abort(404)
    return oidc.authorize_redirect(url_for("account.sso_callback", _external=True))


def _refuse(message: str, email: str | None) -> Any:
    audit(None, "auth.sso_refused", "login", after={"email": (email or "")[:254]})
    db.session.commit()  # the refusal is recorded although the answer is an error page
    page = render_template(
        "web/error.html",
        title=_("Single sign-on refused"),
        message=message,
        back_url=url_for("accounts.login"),
        back_label=_("Back to log in"),
    )
    return page, 403


@bp.get("/login/sso/callback")
def sso_callback() -> Any:
    oidc = sso.client()
    if oidc is None:
        abort(404)
    try:
        token = oidc.authorize_access_token()
    except Exception as exc:  # noqa: BLE001 - any failure of the exchange is the same refusal
        return _refuse(_("Single sign-on did not complete: %(reason)s", reason=str(exc)), None)
    claims = dict(token.get("userinfo") or {})
    if "email" not in claims:
        claims.update(oidc.userinfo(token=token))
    email = sso.verified_email(claims)
    if email is None:
        return _refuse(
            _(
                "Your identity provider did not confirm an e-mail address, so we "
                "cannot tell which Tracker account is yours."
            ),
            claims.get("email"),
        )
    from tracker.accounts.operations import user_by_email

    user = user_by_email(email)
    if user is None or not user.active:
        return _refuse(
            _("No Tracker account uses %(email)s. Single sign-on does not create accounts: "
              "ask your coordinator or administrator to add you.", email=email),
            email,
        )  # fmt: skip
    sessions.sign_in(user)
    audit(user, "auth.login", f"user:{user.id}", after={"method": "oidc"})
    return redirect(url_for("home.index"))
