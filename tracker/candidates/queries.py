"""Read-only queries about candidates."""

from __future__ import annotations

from sqlalchemy import select

from tracker.accounts.models import Role, User
from tracker.extensions import db
from tracker.mentoring.models import Internship


def visible_candidates(user: User, organization_id: int | None = None) -> list[User]:
    """The candidates this user may see, by name."""
    stmt = select(User).where(User.role == Role.CANDIDATE).order_by(User.name, User.id)
    if user.role is Role.ADMIN:
        if organization_id is not None:
            stmt = stmt.where(User.organization_id == organization_id)
    elif user.role is Role.COORDINATOR:
        stmt = stmt.where(User.organization_id == user.organization_id)
    elif user.role is Role.MENTOR:
        mentored = select(Internship.candidate_id).where(Internship.mentor_id == user.id)
        stmt = stmt.where(User.id.in_(mentored))
    else:
        stmt = stmt.where(User.id == user.id)
    return list(db.session.scalars(stmt))


def mentors_of_org(organization_id: int | None) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.MENTOR, User.organization_id == organization_id, User.active)
            .order_by(User.name)
        )
    )
