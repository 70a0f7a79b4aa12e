"""Read-only queries about internships."""

from __future__ import annotations

from sqlalchemy import case, select
from sqlalchemy.orm import joinedload

from tracker.accounts.models import User
from tracker.extensions import db
from tracker.records.models import EntryStatus, Internship


def internships_naming(mentor: User) -> list[Internship]:
    """The internships that name this mentor: pending first, then the newest."""
    pending_first = case((Internship.status == EntryStatus.PENDING, 0), else_=1)
    return list(
        db.session.scalars(
            select(Internship)
            .where(Internship.mentor_id == mentor.id)
            .options(joinedload(Internship.candidate))
            .order_by(pending_first, Internship.start.desc(), Internship.id.desc())
        )
    )
