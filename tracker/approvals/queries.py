"""What is waiting for a decision, and for whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from tracker.accounts.models import Role, User
from tracker.extensions import db
from tracker.records.models import EntryStatus, ExperienceEntry
from tracker.records.queries import pending_internships
from tracker.web.paging import Page


@dataclass(frozen=True)
class PendingItem:
    type: str
    row: Any

    def as_json(self) -> dict[str, Any]:
        r = self.row
        return {
            "id": r.id,
            "type": self.type,
            "candidate_id": r.candidate_id,
            "hours": r.hours,
            "start": r.start.isoformat(),
            "end": r.end.isoformat(),
        }


@dataclass(frozen=True)
class QueueFilter:
    candidate_id: int | None = None
    start: date | None = None
    end: date | None = None
    category: str | None = None


def _experience_query(user: User, flt: QueueFilter) -> Any:
    stmt = (
        select(ExperienceEntry)
        .join(User, User.id == ExperienceEntry.candidate_id)
        .where(
            ExperienceEntry.status == EntryStatus.PENDING, ExperienceEntry.candidate_id != user.id
        )
        .options(joinedload(ExperienceEntry.candidate))
        .order_by(ExperienceEntry.start, ExperienceEntry.id)
    )
    if user.role is not Role.ADMIN:
        stmt = stmt.where(User.organization_id == user.organization_id)
    if flt.candidate_id:
        stmt = stmt.where(ExperienceEntry.candidate_id == flt.candidate_id)
    if flt.start:
        stmt = stmt.where(ExperienceEntry.end >= flt.start)
    if flt.end:
        stmt = stmt.where(ExperienceEntry.start <= flt.end)
    if flt.category:
        stmt = stmt.where(ExperienceEntry.category == flt.category)
    return stmt


def pending_experience(user: User, flt: QueueFilter | None = None) -> list[ExperienceEntry]:
    if user.role not in (Role.COORDINATOR, Role.ADMIN):
        return []
    return list(db.session.scalars(_experience_query(user, flt or QueueFilter())))


def pending_experience_page(
    user: User, flt: QueueFilter, page: int, per_page: int
) -> tuple[Page[ExperienceEntry], float]:
    """One page of the queue, and the hours of the whole filtered queue (two statements)."""
    if user.role not in (Role.COORDINATOR, Role.ADMIN):
        return Page([], 1, per_page, 0), 0.0
    stmt = _experience_query(user, flt)
    summary = stmt.with_only_columns(
        func.count(ExperienceEntry.id), func.coalesce(func.sum(ExperienceEntry.hours), 0)
    ).order_by(None)
    total, hours = db.session.execute(summary).one()
    last = max(1, -(-int(total) // per_page))
    page = min(max(page, 1), last)
    rows = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(rows), page, per_page, int(total)), float(hours)


def candidates_with_pending(user: User) -> list[tuple[int, str]]:
    """(id, name) of the candidates whose hours wait for this user: the queue's filter."""
    if user.role not in (Role.COORDINATOR, Role.ADMIN):
        return []
    stmt = (
        select(User.id, User.name)
        .join(ExperienceEntry, ExperienceEntry.candidate_id == User.id)
        .where(ExperienceEntry.status == EntryStatus.PENDING, User.id != user.id)
        .group_by(User.id, User.name)
        .order_by(User.name, User.id)
    )
    if user.role is not Role.ADMIN:
        stmt = stmt.where(User.organization_id == user.organization_id)
    return [(cid, name) for cid, name in db.session.execute(stmt)]


def pending_for(user: User) -> list[PendingItem]:
    items = [PendingItem("experience", e) for e in pending_experience(user)]
    items += [PendingItem("internship", i) for i in pending_internships(user)]
    return items
