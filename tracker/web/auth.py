"""Session users for the pages (Flask-Login)."""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from tracker.accounts import sessions
from tracker.accounts.models import Role, User
from tracker.extensions import login_manager


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """From the session or remember-me cookie: only while its login session lives."""
    return sessions.resolve(user_id)


def roles_required(*roles: Role) -> Any:
    """Pages open to some roles only (the rest get 403)."""

    def decorator(view: Any) -> Any:
        @login_required
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def actor() -> User:
    """The logged-in user as a model instance (operations take it as a parameter)."""
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    return user
