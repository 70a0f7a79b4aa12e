"""Password hashing and the password policy.

A password is 12 to 256 characters, not in the common-password list (30,000 entries,
taken from the zxcvbn package's own list), not such a password with digits or symbols
around it, and scored at least 3 of 4 by zxcvbn (PyPI ``zxcvbn``, the maintained Python
port of Dropbox's estimator), with the user's e-mail and name as known words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.errors import ValidationError
from tracker.i18n import gettext as _

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
    """About 30,000 common passwords (see the file's header for where they come from)."""
    text = resources.files("tracker.accounts").joinpath("common_passwords.txt").read_text()
    return frozenset(
        line.strip().lower()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


MIN_SCORE = 3
"""zxcvbn's score (0-4) a password needs: 3 is "safely unguessable" (about 10**8 guesses)."""

ESTIMATE_LENGTH = 100
"""zxcvbn's cost grows with length; past 100 characters the first 100 decide."""

_DECORATION = re.compile(r"^[\W\d_]*(?P<core>.*?)[\W\d_]*$", re.UNICODE)
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)


def _common_core(password: str) -> bool:
    """A common password with digits or symbols around it (Summer2024!!, !!Dragon99)."""
    lowered = password.lower()
    core = (_DECORATION.match(lowered) or _DECORATION.match("")).group("core")  # type: ignore[union-attr]
    decorated = len(lowered) - len(core)
    if not core or decorated > 8:
        return False
    common = common_passwords()
    return core in common or core.translate(_LEET) in common


def weakness(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """Why a password of the right length is too weak, or None (the list, then zxcvbn)."""
    if password.lower() in common_passwords():
        return _("is one of the most common passwords; choose another")
    if _common_core(password):
        return _("is a common password with digits or symbols added; choose another")
    from zxcvbn import zxcvbn

    inputs = [part for value in user_inputs for part in re.split(r"[\s@._-]+", value) if part]
    result = zxcvbn(password[:ESTIMATE_LENGTH], user_inputs=inputs)
    if int(result["score"]) < MIN_SCORE:
        return _(
            "is too easy to guess (strength %(score)s of 4, at least %(needed)s needed); "
            "add more words or characters that do not follow a pattern",
            score=result["score"],
            needed=MIN_SCORE,
        )
    return None


def check_policy(password: str, field: str = "password", user_inputs: Iterable[str] = ()) -> None:
    """Refuse a password that is too short, too long, common, or guessable (zxcvbn < 3).

    ``user_inputs`` (e-mail, name) count as known words: a password made of them is weak.
    """
    if len(password) < MIN_LENGTH:
        raise ValidationError(field, _("must be at least %(n)s characters long", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        raise ValidationError(field, _("must be at most %(n)s characters long", n=MAX_LENGTH))
    reason = weakness(password, user_inputs)
    if reason is not None:
        raise ValidationError(field, reason)


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", METHOD) if has_app_context() else METHOD
    return generate_password_hash(password, method=method)


def verify_password(stored_hash: str | None, password: str) -> bool:
    return check_password_hash(stored_hash or _dummy_hash(), password) and stored_hash is not None
