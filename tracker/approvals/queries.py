"""What is waiting for a decision, and for whom."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

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


def _pending_conditions(user: User, flt: QueueFilter) -> list[Any]:
    """The entries waiting for this user (joined to their candidates), filtered."""
    where = [
        ExperienceEntry.status == EntryStatus.PENDING,
        ExperienceEntry.candidate_id != user.id,
    ]
    if user.role is not Role.ADMIN:
        where.append(User.organization_id == user.organization_id)
    if flt.candidate_id:
        where.append(ExperienceEntry.candidate_id == flt.candidate_id)
    if flt.start:
        where.append(ExperienceEntry.end >= flt.start)
    if flt.end:
        where.append(ExperienceEntry.start <= flt.end)
    if flt.category:
        where.append(ExperienceEntry.category == flt.category)
    return where


def _joined(*columns: Any) -> Any:
    return select(*columns).join(User, User.id == ExperienceEntry.candidate_id)


def _experience_query(user: User, flt: QueueFilter) -> Any:
    return (
        _joined(ExperienceEntry)
        .where(*_pending_conditions(user, flt))
        .options(contains_eager(ExperienceEntry.candidate))  # the join above, not another
        .order_by(ExperienceEntry.start, ExperienceEntry.id)
    )


def pending_experience(user: User, flt: QueueFilter | None = None) -> list[ExperienceEntry]:
    if user.role not in (Role.COORDINATOR, Role.ADMIN):
        return []
    return list(db.session.scalars(_experience_query(user, flt or QueueFilter())))


@dataclass(frozen=True)
class Waiting:
    """A candidate whose hours wait for the user: how many entries and hours."""

    candidate_id: int
    name: str
    entries: int
    hours: float


def waiting_by_candidate(user: User) -> list[Waiting]:
    """Per candidate, the entries and hours waiting for this user, by name (one statement):
    the queue's filter offers these candidates, and the unfiltered queue's totals add up."""
    if user.role not in (Role.COORDINATOR, Role.ADMIN):
        return []
    stmt = (
        _joined(
            User.id,
            User.name,
            func.count(ExperienceEntry.id),
            func.coalesce(func.sum(ExperienceEntry.hours), 0),
        )
        .where(*_pending_conditions(user, QueueFilter()))
        .group_by(User.id, User.name)
        .order_by(User.name, User.id)
    )
    return [Waiting(cid, name, int(n), float(h)) for cid, name, n, h in db.session.execute(stmt)]


class QueueRow(NamedTuple):
    """One row of a queue page, as its cached HTML is keyed (approvals/views.py): the entry's
    version changes with any change to it (optimistic locking), and the candidate's
    records_version with any change to their records (what the row's checks read)."""

    id: int
    version: int
    candidate_id: int
    name: str
    records_version: int


def pending_experience_page(
    user: User,
    flt: QueueFilter,
    page: int,
    per_page: int,
    waiting: list[Waiting] | None = None,
) -> tuple[Page[QueueRow], float]:
    """One page of the queue, as plain rows, and the hours of the whole filtered queue (two
    statements; one when `waiting` of the unfiltered queue is given). pending_entries reads
    the entries themselves."""
    if user.role not in (Role.COORDINATOR, Role.ADMIN):
        return Page([], 1, per_page, 0), 0.0
    if waiting is not None and flt == QueueFilter():
        total, hours = sum(w.entries for w in waiting), sum(w.hours for w in waiting)
    else:
        summary = _joined(
            func.count(ExperienceEntry.id), func.coalesce(func.sum(ExperienceEntry.hours), 0)
        ).where(*_pending_conditions(user, flt))
        total, hours = db.session.execute(summary).one()
    last = max(1, -(-int(total) // per_page))
    page = min(max(page, 1), last)
    stmt = (
        _joined(
            ExperienceEntry.id,
            ExperienceEntry.version,
            ExperienceEntry.candidate_id,
            User.name,
            User.records_version,
        )  # fmt: skip
        .where(*_pending_conditions(user, flt))
        .order_by(ExperienceEntry.start, ExperienceEntry.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [QueueRow(*row) for row in db.session.execute(stmt)]
    return Page(rows, page, per_page, int(total)), float(hours)


def pending_entries(rows: Sequence[QueueRow]) -> list[ExperienceEntry]:
    """The entries of these rows with their candidates (one statement), in the rows' order."""
    if not rows:
        return []
    stmt = (
        _joined(ExperienceEntry)
        .where(ExperienceEntry.id.in_([r.id for r in rows]))
        .options(contains_eager(ExperienceEntry.candidate))
    )
    found = {e.id: e for e in db.session.scalars(stmt)}
    return [found[r.id] for r in rows if r.id in found]


def pending_for(user: User) -> list[PendingItem]:
    items = [PendingItem("experience", e) for e in pending_experience(user)]
    items += [PendingItem("internship", i) for i in pending_internships(user)]
    return items
