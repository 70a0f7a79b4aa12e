"""Read-only queries about candidates: who sees which, their internships, their mentors, and
what waits for a decision."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from tracker.accounts.models import Role, User
from tracker.extensions import db
from tracker.records.models import EntryStatus, ExperienceEntry, Internship


def visible_candidates(user: User, organization_id: int | None = None) -> list[User]:
    """The candidates this user may see, by name."""
    return list(db.session.scalars(visible_candidates_query(user, organization_id)))


def visible_candidates_query(user: User, organization_id: int | None = None) -> Select[Any]:
    """The SELECT of visible_candidates, for paging in SQL."""
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
    return stmt


def mentors_of_org(organization_id: int | None) -> list[User]:
    return list(db.session.scalars(mentors_query(organization_id)))


def mentors_query(organization_id: int | None, *, every_org: bool = False) -> Select[Any]:
    """Active mentors an internship may name: those of the organization (admins: all)."""
    stmt = select(User).where(User.role == Role.MENTOR, User.active)
    if not every_org:
        stmt = stmt.where(User.organization_id == organization_id)
    return stmt.order_by(User.name, User.id)


def internships_of(candidate: User) -> list[Internship]:
    """The candidate's internships, newest first, with their mentors."""
    return list(
        db.session.scalars(
            select(Internship)
            .where(Internship.candidate_id == candidate.id)
            .options(joinedload(Internship.mentor))
            .order_by(Internship.start.desc(), Internship.id.desc())
        )
    )


def pending_internships(user: User) -> list[Internship]:
    if user.role is not Role.MENTOR:
        return []
    return list(
        db.session.scalars(
            select(Internship)
            .where(
                Internship.mentor_id == user.id,
                Internship.status == EntryStatus.PENDING,
                Internship.candidate_id != user.id,
            )
            .options(joinedload(Internship.candidate))
            .order_by(Internship.start, Internship.id)
        )
    )


def pending_count(user: User) -> int:
    """How many decisions wait for this user: hours to approve (coordinators and admins),
    internships to sign off (mentors)."""
    if user.role in (Role.COORDINATOR, Role.ADMIN):
        stmt = (
            select(func.count(ExperienceEntry.id))
            .join(User, User.id == ExperienceEntry.candidate_id)
            .where(
                ExperienceEntry.status == EntryStatus.PENDING,
                ExperienceEntry.candidate_id != user.id,
            )
        )
        if user.role is Role.COORDINATOR:
            stmt = stmt.where(User.organization_id == user.organization_id)
        return int(db.session.scalar(stmt) or 0)
    if user.role is Role.MENTOR:
        return len(pending_internships(user))
    return 0
