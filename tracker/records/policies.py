"""Who may see a candidate: their organization's coordinators, admins, themselves, and the
mentors named on one of their internships (which is why it lives with the records)."""

from __future__ import annotations

from sqlalchemy import exists, select

from tracker.accounts.models import Role, User
from tracker.accounts.policies import is_admin, same_org
from tracker.extensions import db
from tracker.records.models import Internship


def is_mentor_of(user: User, candidate: User) -> bool:
    """The user is named as mentor on at least one of the candidate's internships."""
    if user.role is not Role.MENTOR:
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Internship.candidate_id == candidate.id, Internship.mentor_id == user.id
                )
            )
        )
    )


def can_see_candidate(user: User, candidate: User) -> bool:
    if candidate.role is not Role.CANDIDATE:
        return False
    if user.id == candidate.id or is_admin(user):
        return True
    if user.role is Role.COORDINATOR:
        return same_org(user, candidate)
    return is_mentor_of(user, candidate)


def can_download_statement(user: User, candidate: User) -> bool:
    return can_see_candidate(user, candidate)
