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
    actor: User,
    row: Any,
    action: str,
    status: EntryStatus,
    note: tuple[str, str | None],
    audited: dict[str, Any],
) -> Any:
    """Decide a pending row if it is still pending (else 409), and audit the decision.

    `action` is e.g. "experience.approve"; `note` is the column and text recorded with it;
    `audited` is what the audit event adds to the new status.
    """
    model = type(row)
    column, text = note
    result = db.session.execute(
        update(model)
        .where(model.id == row.id, model.status == EntryStatus.PENDING)
        .values(status=status, decided_by_id=actor.id, decided_at=utcnow(), **{column: text})
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(row)
    if result.rowcount != 1:
        raise ConflictError(f"this entry was already {EntryStatus(row.status).value}")
    audit(
        actor,
        action,
        f"{action.split('.')[0]}:{row.id}",
        candidate=row.candidate,
        before={"status": EntryStatus.PENDING.value},
        after={"status": status.value, **audited},
    )
    return row


def _reason(value: Any, field: str = "reason") -> str:
    return parse_text(value, field, max_len=2000)


def approve_experience(actor: User, entry: ExperienceEntry) -> ExperienceEntry:
    if not can_decide_experience(actor, entry):
        raise ForbiddenError("you may not decide this entry")
    return _decide(actor, entry, "experience.approve", EntryStatus.APPROVED, ("reason", None),
                   {"hours": entry.hours})  # fmt: skip


def reject_experience(actor: User, entry: ExperienceEntry, reason: Any) -> ExperienceEntry:
    if not can_decide_experience(actor, entry):
        raise ForbiddenError("you may not decide this entry")
    text = _reason(reason)
    return _decide(actor, entry, "experience.reject", EntryStatus.REJECTED, ("reason", text),
                   {"reason": text})  # fmt: skip


def sign_off_internship(actor: User, internship: Internship, comment: Any = None) -> Internship:
    if not can_decide_internship(actor, internship):
        raise ForbiddenError("only the mentor named on this internship may sign it off")
    text = parse_text(comment, "comment", required=False, max_len=2000) or None
    return _decide(actor, internship, "internship.signoff", EntryStatus.APPROVED,
                   ("comment", text), {"comment": text})  # fmt: skip


def return_internship(actor: User, internship: Internship, reason: Any) -> Internship:
    if not can_decide_internship(actor, internship):
        raise ForbiddenError("only the mentor named on this internship may return it")
    text = _reason(reason)
    return _decide(actor, internship, "internship.reject", EntryStatus.REJECTED,
                   ("comment", text), {"reason": text})  # fmt: skip
