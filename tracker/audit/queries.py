"""Reading the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tracker.accounts.models import Role, User
from tracker.audit.models import AuditEvent
from tracker.extensions import db


def events_for(user: User, candidate: User | None = None, limit: int = 1000) -> list[AuditEvent]:
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if candidate is not None:
        stmt = stmt.where(AuditEvent.candidate_id == candidate.id)
    if user.role is not Role.ADMIN:
        stmt = stmt.where(AuditEvent.organization_id == user.organization_id)
    return list(db.session.scalars(stmt))


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
