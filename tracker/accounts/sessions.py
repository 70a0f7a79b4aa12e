"""Server-side login sessions: logout and idle time end every copy of the cookies.

Flask keeps the session in a signed cookie, and Flask-Login's remember-me cookie holds the
user id: a copy of either used to work after logout. Now both carry the id of a
LoginSession row (``<user id>:<session version>:<session token>``); the row ends at logout
or after ``SESSION_IDLE_HOURS`` without a request, and with it every copy.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from tracker.accounts.models import LoginSession, User
from tracker.database import write_intent
from tracker.extensions import db
from tracker.timeutil import utcnow

TOUCH_EVERY = timedelta(minutes=1)
"""last_seen_at is written at most this often per session (not on every request)."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def idle_limit() -> timedelta:
    return timedelta(hours=float(current_app.config.get("SESSION_IDLE_HOURS", 12)))


def start(user: User) -> str:
    """A new login session for this user (flush only); returns the id Flask-Login keeps."""
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token_hash=_hash(token)))
    db.session.flush()
    return f"{user.get_id()}:{token}"


def resolve(login_id: str) -> User | None:
    """The user of a live session, or None (ended, idle too long, or of an older password)."""
    ident, _, rest = login_id.partition(":")
    version, _, token = rest.partition(":")
    if not ident.isascii() or not ident.isdigit() or len(ident) > 10 or not token:
        return None
    # The session, its user and the user's organization (its zone decides the request's
    # "today"): one statement on every request.
    found = db.session.execute(
        select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .options(joinedload(User.organization))
        .where(LoginSession.token_hash == _hash(token))
    ).one_or_none()
    if found is None:
        return None
    row, user = found
    if row.ended_at is not None or str(row.user_id) != ident:
        return None
    now = utcnow()
    if now - row.last_seen_at > idle_limit():
        return None
    if not user.active or str(user.session_version) != version:
        return None
    if now - row.last_seen_at > min(TOUCH_EVERY, idle_limit() / 10):
        touch = update(LoginSession).where(LoginSession.id == row.id).values(last_seen_at=now)
        if write_intent.get():
            # A write request already holds the write transaction (BEGIN IMMEDIATE on
            # SQLite): a second connection would wait for it. It commits with the request.
            db.session.execute(touch)
        else:
            # A page that only reads still counts as use: its own short transaction.
            with db.engine.begin() as conn:
                conn.execute(touch)
    return user


def end(login_id: str | None) -> None:
    """End the session named by this id (flush only); unknown ids are ignored."""
    token = (login_id or "").split(":", 2)[-1]
    if not token:
        return
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == _hash(token), LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    db.session.flush()


def sign_in(user: User, *, remember: bool = False) -> None:
    """Log a user in on a fresh session (password, single sign-on, after a password change):
    nothing from before, the CSRF token included, stays valid after it (ASVS V3.2.1)."""
    from flask import session
    from flask_login import login_user

    session.clear()
    login_user(user, remember=remember)
    session["_user_id"] = start(user)
