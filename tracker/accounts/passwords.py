"""Password hashing and the password policy (length 12+, not a common password)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.errors import ValidationError

METHOD = "scrypt:32768:8:3"
MIN_LENGTH = 12
MAX_LENGTH = 256


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A valid hash to check when the user does not exist, so that unknown users and wrong
    passwords take the same time. Made on first use, not at import (it costs a full scrypt)."""
    return generate_password_hash("not-a-real-password-0000", method=METHOD)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = resources.files("tracker.accounts").joinpath("common_passwords.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def check_policy(password: str, field: str = "password") -> None:
    if len(password) < MIN_LENGTH:
        raise ValidationError(field, f"must be at least {MIN_LENGTH} characters long")
    if len(password) > MAX_LENGTH:
        raise ValidationError(field, f"must be at most {MAX_LENGTH} characters long")
    if password.lower() in common_passwords() or len(set(password)) < 4:
        raise ValidationError(field, "is too common or too easy to guess; choose another")


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", METHOD) if has_app_context() else METHOD
    return generate_password_hash(password, method=method)


def verify_password(stored_hash: str | None, password: str) -> bool:
    return check_password_hash(stored_hash or _dummy_hash(), password) and stored_hash is not None
