"""Writing and verifying the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select, text

from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.timeutil import utcnow

GENESIS = "0" * 64
AUDIT_LOCK_KEY = 727_001


class Party(Protocol):
    """Who acts or is acted on (a user): the log knows them by id and organization only,
    so that it imports nothing of accounts, which writes to it."""

    @property
    def id(self) -> int: ...

    @property
    def organization_id(self) -> int | None: ...


def _canonical(event: AuditEvent) -> bytes:
    payload = {
        "at": event.at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "action": event.action,
        "target": event.target,
        "candidate_id": event.candidate_id,
        "organization_id": event.organization_id,
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str)) if value is not None else None


def record(
    actor: Party | None,
    action: str,
    target: str,
    *,
    candidate: Party | None = None,
    before: Any = None,
    after: Any = None,
) -> AuditEvent:
    """Append one event, linked to the previous one by its hash."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK_KEY})
    last = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    org_id = None
    if candidate is not None:
        org_id = candidate.organization_id
    elif actor is not None:
        org_id = actor.organization_id
    event = AuditEvent(
        at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        target=target,
        candidate_id=candidate.id if candidate is not None else None,
        organization_id=org_id,
        before=_jsonable(before),
        after=_jsonable(after),
        prev_hash=last or GENESIS,
    )
    event.hash = event_hash(event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain() -> ChainReport:
    """Walk the log in order; report the first event whose link or content does not hold."""
    expected_prev = GENESIS
    checked = 0
    stmt = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)
    for event in db.session.scalars(stmt):
        if event.prev_hash != expected_prev:
            return ChainReport(checked, event.id, "does not link to the event before it")
        if event_hash(event) != event.hash:
            return ChainReport(checked, event.id, "its content was changed after it was written")
        expected_prev = event.hash
        checked += 1
    return ChainReport(checked, None, None)
