"""Paged, filtered reading of the audit log for the audit page.

Same visibility as queries.events_for: admins read every event, coordinators the
events of their own organization.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from tracker.accounts.models import Role, User
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.web.paging import Page


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    actor: User | None


EventPage = Page[EventRow]


def _scope(user: User, stmt: Any) -> Any:
    if user.role is not Role.ADMIN:
        stmt = stmt.where(AuditEvent.organization_id == user.organization_id)
    return stmt


def event_page(
    user: User,
    *,
    candidate: User | None = None,
    action: str | None = None,
    page: int = 1,
    per_page: int = 100,
) -> EventPage:
    """Newest first."""
    where = []
    if candidate is not None:
        where.append(AuditEvent.candidate_id == candidate.id)
    if action:
        where.append(AuditEvent.action == action)
    total = db.session.scalar(_scope(user, select(func.count(AuditEvent.id))).where(*where))
    actor = aliased(User)
    stmt = (
        _scope(user, select(AuditEvent, actor))
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .where(*where)
        .order_by(AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [EventRow(event, who) for event, who in db.session.execute(stmt)]
    return EventPage(rows, page, per_page, int(total or 0))


def actions_seen(user: User) -> list[str]:
    """The distinct actions in the events this user may read (for the filter)."""
    stmt = _scope(user, select(AuditEvent.action).distinct()).order_by(AuditEvent.action)
    return list(db.session.scalars(stmt))
