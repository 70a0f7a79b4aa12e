"""Deciding pending entries: exactly one decision wins, by a conditional update."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from tracker.accounts.models import User
from tracker.approvals.policies import can_decide_experience, can_decide_internship
from tracker.audit.operations import record as audit
from tracker.candidates.models import EntryStatus, ExperienceEntry
from tracker.candidates.validation import parse_text
from tracker.errors import ConflictError, ForbiddenError
from tracker.extensions import db
from tracker.mentoring.models import Internship
from tracker.timeutil import utcnow


def _decide(
    model: Any, row: Any, actor: User, status: EntryStatus, note_field: str, note: str | None
) -> None:
    now = utcnow()
    result = db.session.execute(
        update(model)
        .where(model.id == row.id, model.status == EntryStatus.PENDING)
        .values(status=status, decided_by_id=actor.id, decided_at=now, **{note_field: note})
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(row)
        raise ConflictError(f"this entry was already {EntryStatus(row.status).value}")
    db.session.refresh(row)


def _reason(value: Any, field: str = "reason") -> str:
    return parse_text(value, field, max_len=2000)


def approve_experience(actor: User, entry: ExperienceEntry) -> ExperienceEntry:
    if not can_decide_experience(actor, entry):
        raise ForbiddenError("you may not decide this entry")
    _decide(ExperienceEntry, entry, actor, EntryStatus.APPROVED, "reason", None)
    audit(
        actor,
        "experience.approve",
        f"experience:{entry.id}",
        candidate=entry.candidate,
        before={"status": "pending"},
        after={"status": "approved", "hours": entry.hours},
    )
    return entry


def reject_experience(actor: User, entry: ExperienceEntry, reason: Any) -> ExperienceEntry:
    if not can_decide_experience(actor, entry):
        raise ForbiddenError("you may not decide this entry")
    text = _reason(reason)
    _decide(ExperienceEntry, entry, actor, EntryStatus.REJECTED, "reason", text)
    audit(
        actor,
        "experience.reject",
        f"experience:{entry.id}",
        candidate=entry.candidate,
        before={"status": "pending"},
        after={"status": "rejected", "reason": text},
    )
    return entry


def sign_off_internship(actor: User, internship: Internship, comment: Any = None) -> Internship:
    if not can_decide_internship(actor, internship):
        raise ForbiddenError("only the mentor named on this internship may sign it off")
    text = parse_text(comment, "comment", required=False, max_len=2000) or None
    _decide(Internship, internship, actor, EntryStatus.APPROVED, "comment", text)
    audit(
        actor,
        "internship.signoff",
        f"internship:{internship.id}",
        candidate=internship.candidate,
        before={"status": "pending"},
        after={"status": "approved", "comment": text},
    )
    return internship


def return_internship(actor: User, internship: Internship, reason: Any) -> Internship:
    if not can_decide_internship(actor, internship):
        raise ForbiddenError("only the mentor named on this internship may return it")
    text = _reason(reason)
    _decide(Internship, internship, actor, EntryStatus.REJECTED, "comment", text)
    audit(
        actor,
        "internship.reject",
        f"internship:{internship.id}",
        candidate=internship.candidate,
        before={"status": "pending"},
        after={"status": "rejected", "reason": text},
    )
    return internship
