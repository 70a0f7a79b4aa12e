"""Reading the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from tracker.accounts.models import Role, User
from tracker.audit.models import AuditEvent
from tracker.extensions import db


def events_for(user: User, candidate: User | None = None, limit: int = 1000) -> list[AuditEvent]:
    return list(db.session.scalars(events_query(user, candidate).limit(limit)))


def events_query(user: User, candidate: User | None = None) -> Select[Any]:
    """The events this user may read (of one candidate), newest first."""
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc())
    if candidate is not None:
        stmt = stmt.where(AuditEvent.candidate_id == candidate.id)
    if user.role is not Role.ADMIN:
        stmt = stmt.where(AuditEvent.organization_id == user.organization_id)
    return stmt


def event_json(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at.isoformat(timespec="seconds") + "Z",
        "actor_id": event.actor_id,
        "action": event.action,
        "target": event.target,
        "before": event.before,
        "after": event.after,
    }
