"""Who is acting: session users for the pages (Flask-Login), the API's token user, and the
audit of what they were refused."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Flask, abort, g, request
from flask_login import current_user, login_required

from tracker.accounts import policies, sessions
from tracker.accounts.models import Role, User
from tracker.audit.operations import record
from tracker.database import writing
from tracker.extensions import db, login_manager
from tracker.web.hooks import refused

P = ParamSpec("P")
R = TypeVar("R")


def init_app(app: Flask) -> None:
    """Load session users, give templates the named policies, audit refusals (403)."""
    login_manager.user_loader(load_user)
    app.jinja_env.globals["policies"] = policies
    refused.connect(audit_refusal, sender=app)


def load_user(user_id: str) -> User | None:
    """From the session or remember-me cookie: only while its login session lives."""
    return sessions.resolve(user_id)


def roles_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Pages open to some roles only (the rest get 403)."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @login_required
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def actor() -> User:
    """The logged-in user as a model instance (operations take it as a parameter)."""
    user: User = current_user._get_current_object()
    return user


def request_user() -> User | None:
    """Who sent this request: the API's token user (api/__init__.py), else the session's."""
    api_user: User | None = g.get("api_user")
    if api_user is not None:
        return api_user
    return actor() if current_user.is_authenticated else None


def audit_refusal(_app: Flask, *, status: int, message: str) -> None:
    """Refused authorizations (403) are written to the audit log, in their own transaction."""
    try:
        with writing():
            record(
                request_user(),
                "auth.refused",
                f"{request.method} {request.path}"[:100],
                after={"status": status, "reason": message[:200]},
            )
            db.session.commit()
    except Exception:  # noqa: BLE001 - never let the audit of a refusal break the answer
        db.session.rollback()
