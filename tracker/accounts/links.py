"""Password links: invitations, resets and changes of one's own password, audited.

Links carry a signed token (itsdangerous, the app's secret key) that names the user and a
digest of their current password hash: setting a password changes the hash, so a link
works once; its timestamp limits it to an hour (reset) or a week (invitation).
"""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from tracker.accounts import passwords
from tracker.accounts.models import User
from tracker.audit.operations import record as audit
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.i18n import gettext as _

RESET_SECONDS = 3600
INVITE_SECONDS = 7 * 24 * 3600
_SALT = "tracker.account-link"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(f"{user.password_hash}|{user.session_version}".encode()).hexdigest()[:20]


def link_token(user: User, kind: str) -> str:
    """A one-time token for /password/reset/<token>: kind is "reset" or "invite"."""
    return str(_serializer().dumps({"u": user.id, "k": kind, "f": _fingerprint(user)}))


def user_for_token(token: str) -> tuple[User, str] | None:
    """The user and kind a token is for, or None when it is bad, used or too old."""
    try:
        data, _stamp = _serializer().loads(token, max_age=INVITE_SECONDS, return_timestamp=True)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or data.get("k") not in ("reset", "invite"):
        return None
    try:
        _serializer().loads(
            token, max_age=RESET_SECONDS if data["k"] == "reset" else INVITE_SECONDS
        )
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("u"))
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        return None
    return user, str(data["k"])


def unusable_password() -> str:
    """A hash no password matches: an invited user has none until they set one."""
    return "!" + secrets.token_hex(16)


def change_password(actor: User, current: str, new: str, confirm: str) -> None:
    """The current password is required; the new one must pass the policy; every other
    session of the user ends (session_version)."""
    if not passwords.verify_password(actor.password_hash, current or ""):
        raise ValidationError("current_password", _("is not your current password"))
    if new != confirm:
        raise ValidationError("confirm_password", _("does not match the new password"))
    passwords.check_policy(new, "new_password")
    actor.password_hash = passwords.hash_password(new)
    actor.session_version += 1
    audit(actor, "account.password_change", f"user:{actor.id}")
    db.session.flush()


def reset_password(user: User, kind: str, new: str, confirm: str) -> None:
    """Set a password from a reset or invitation link (which then stops working)."""
    if new != confirm:
        raise ValidationError("confirm_password", _("does not match the new password"))
    passwords.check_policy(new, "new_password")
    user.password_hash = passwords.hash_password(new)
    user.session_version += 1
    action = "account.invitation_accept" if kind == "invite" else "account.password_reset"
    audit(user, action, f"user:{user.id}")
    db.session.flush()


def invite(actor: User | None, user: User, *, audited: bool = True) -> str:
    """An invitation to set a password (new users without one; an admin's resend). A new
    user's is audited within its user.create event (one event per imported row)."""
    if audited:
        audit(actor, "account.invitation", f"user:{user.id}", after={"email": user.email})
    return link_token(user, "invite")
