"""Load → authorize → act: the helpers every page and API handler goes through.

Loading answers 404 for what does not exist *and* for what the user may not see;
authorizing answers 403 for what the user sees but may not do.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from tracker.accounts.models import Role, User
from tracker.errors import ForbiddenError, NotFoundError
from tracker.extensions import db
from tracker.records import policies


class Owned(Protocol):
    """A row of a candidate's (every record table has candidate_id)."""

    @property
    def candidate_id(self) -> int: ...


T = TypeVar("T", bound=Owned)


def authorize(allowed: bool, message: str = "you are not allowed to do this") -> None:
    if not allowed:
        raise ForbiddenError(message)


def load_candidate(user: User, candidate_id: int) -> User:
    candidate = db.session.get(User, candidate_id)
    if candidate is None or candidate.role is not Role.CANDIDATE:
        raise NotFoundError(f"candidate {candidate_id} not found")
    if not policies.can_see_candidate(user, candidate):
        raise NotFoundError(f"candidate {candidate_id} not found")
    return candidate


def load_record(user: User, model: type[T], record_id: int, what: str) -> T:
    """A row that belongs to a candidate, visible when its candidate is visible."""
    row = db.session.get(model, record_id)
    if row is None:
        raise NotFoundError(f"{what} {record_id} not found")
    candidate = db.session.get(User, row.candidate_id)
    if candidate is None or not policies.can_see_candidate(user, candidate):
        raise NotFoundError(f"{what} {record_id} not found")
    return row
