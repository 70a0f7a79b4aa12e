"""Session users for the pages (Flask-Login)."""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from tracker.accounts.models import Role, User
from tracker.extensions import db, login_manager


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    ident, _, version = user_id.partition(":")
    if not ident.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user


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
