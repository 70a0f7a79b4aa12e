"""Creating internships; their sign-off lives with the other decisions in approvals."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracker.accounts.models import User
from tracker.candidates.operations import add_record
from tracker.records.models import Internship


def create_internship(actor: User, candidate: User, data: Mapping[str, Any]) -> Internship:
    """A pending internship naming its mentor: the candidate or their coordinator records it."""
    internship: Internship = add_record(actor, candidate, "internships", data)
    return internship
