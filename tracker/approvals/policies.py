"""Who may decide which pending entry."""

from __future__ import annotations

from tracker.accounts.models import Role, User
from tracker.accounts.policies import is_admin, same_org
from tracker.records.models import HoursEntry


def can_decide_experience(user: User, entry: HoursEntry) -> bool:
    """Coordinators of the candidate's organization and admins; never one's own hours."""
    if user.id == entry.candidate_id:
        return False
    if is_admin(user):
        return True
    return user.role is Role.COORDINATOR and same_org(user, entry.candidate)


def can_decide_internship(user: User, internship: HoursEntry) -> bool:
    """Only the mentor named on the internship, and never for their own hours."""
    return user.id == internship.mentor_id and user.id != internship.candidate_id


def can_decide(user: User, entry: HoursEntry) -> bool:
    """Employment hours go to coordinators, internships to their mentor."""
    if entry.source == "internship":
        return can_decide_internship(user, entry)
    return can_decide_experience(user, entry)
