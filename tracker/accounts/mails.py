"""Account mails (password reset, invitation): always sent, whatever the notice settings."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale

from tracker import mail
from tracker.accounts.models import User
from tracker.extensions import db
from tracker.i18n import DEFAULT
from tracker.i18n import gettext as _


def send_account_mail(user_id: int, kind: str, token: str, base_url: str) -> bool:
    """Task: mail a set-your-password link ("reset" or "invite") in the user's language.

    base_url is taken where the mail was asked for (the request's trusted host or
    TRACKER_PUBLIC_URL), so the link leads back to the server the user used."""
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return False
    with force_locale(user.language or DEFAULT):
        context = {
            "user": user,
            "kind": kind,
            "link": f"{base_url}/password/reset/{token}",
            "subject": _("You are invited to Tracker")
            if kind == "invite"
            else _("Reset your Tracker password"),
        }
        env = current_app.jinja_env
        text = env.get_template("mail/account.txt").render(**context)
        html = env.get_template("mail/account.html").render(**context)
    db.session.commit()
    _attempts, error = mail.send_with_retries(user.email, str(context["subject"]), text, html)
    return error is None
