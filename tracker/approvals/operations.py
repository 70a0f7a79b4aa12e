"""Deciding pending hours entries: exactly one decision wins, by a conditional update.

Employment hours and internships are one kind of row (records.models.HoursEntry) and
follow one set of rules; only who may decide differs (policies.can_decide).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, update

from tracker.accounts.models import User
from tracker.approvals.policies import can_decide
from tracker.audit.operations import record as audit
from tracker.errors import ConflictError, ForbiddenError
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.notices import operations as notices
from tracker.records.models import EntryStatus, HoursEntry
from tracker.records.schemas import ApproveIn, RejectIn, SignOffIn
from tracker.schema import parse
from tracker.timeutil import utcnow

ACTIONS = {
    # (source, decision) → audit action
    ("employment", EntryStatus.APPROVED): "experience.approve",
    ("employment", EntryStatus.REJECTED): "experience.reject",
    ("internship", EntryStatus.APPROVED): "internship.signoff",
    ("internship", EntryStatus.REJECTED): "internship.reject",
}


class StaleError(ConflictError):
    """The entry changed after the decider saw it."""

    code = "stale"


def decide(
    actor: User,
    entry: HoursEntry,
    status: EntryStatus,
    note: str | None = None,
    version: int | None = None,
) -> HoursEntry:
    """Decide a pending entry if it is still pending (else 409) and, when `version` is
    given, still at that version (else 409 `stale`); audit the decision."""
    if not can_decide(actor, entry):
        raise ForbiddenError(
            _("only the mentor named on this internship may decide it")
            if entry.source == "internship"
            else _("you may not decide this entry")
        )
    seen = {"hours": entry.hours, "start": entry.start.isoformat(), "end": entry.end.isoformat()}
    conditions = [HoursEntry.id == entry.id, HoursEntry.status == EntryStatus.PENDING]
    if version is not None:
        conditions.append(HoursEntry.version == version)
    # An UPDATE answers a CursorResult: its rowcount tells whether this decision won.
    result = cast(
        CursorResult[Any],
        db.session.execute(
            update(HoursEntry)
            .where(*conditions)
            .values(
                status=status,
                decided_by_id=actor.id,
                decided_at=utcnow(),
                note=note,
                version=HoursEntry.version + 1,
            )
            .execution_options(synchronize_session=False)
        ),
    )
    db.session.refresh(entry)
    if result.rowcount != 1:
        if EntryStatus(entry.status) is not EntryStatus.PENDING:
            raise ConflictError(_already(EntryStatus(entry.status)))
        raise StaleError(
            _(
                "this entry changed since you saw it (version %(version)s, now %(now)s): "
                "%(hours)s h from %(start)s to %(end)s; look at it again before deciding",
                version=version,
                now=entry.version,
                hours=format(entry.hours, "g"),
                start=entry.start.isoformat(),
                end=entry.end.isoformat(),
            )
        )
    after: dict[str, Any] = {"status": status.value, **seen}
    if note is not None:
        after["reason" if status is EntryStatus.REJECTED else "comment"] = note
    audit(
        actor,
        ACTIONS[(entry.source, status)],
        f"{'internship' if entry.source == 'internship' else 'experience'}:{entry.id}",
        candidate=entry.candidate,
        before={"status": EntryStatus.PENDING.value, "version": entry.version - 1},
        after=after,
    )
    notices.entry_decided(entry)
    return entry


def _already(status: EntryStatus) -> str:
    """Why a decision on an entry that is no longer pending was refused: one sentence per
    status, so that a language can agree it with "entry"."""
    if status is EntryStatus.APPROVED:
        return _("this entry was already approved")
    if status is EntryStatus.REJECTED:
        return _("this entry was already rejected")
    if status is EntryStatus.WITHDRAWN:
        return _("this entry was already withdrawn")
    return _("this entry was already decided (%(status)s)", status=status.value)


def what_changed(entry: HoursEntry, seen: dict[str, str]) -> str:
    """What differs between the entry as a page showed it (`seen`: hours, start, end as the
    page's hidden fields carried them) and as it is now, for a refused (stale) decision."""
    now = {"hours": f"{entry.hours:g}", "start": entry.start.isoformat(),
           "end": entry.end.isoformat()}  # fmt: skip
    names = {"hours": _("hours"), "start": _("start"), "end": _("end")}
    changes = []
    for key, value in now.items():
        before = seen.get(key)
        if before is not None and before != "":
            try:
                same = float(before) == float(value) if key == "hours" else before == value
            except ValueError:
                same = False
            if not same:
                changes.append(_("%(field)s %(old)s → %(new)s", field=names[key], old=before,
                                 new=value))  # fmt: skip
    if not changes:
        return _("its details were edited and saved again")
    return "; ".join(changes)


def approve(actor: User, entry: HoursEntry, body: Any = None) -> HoursEntry:
    """Approve employment hours or sign off an internship (with an optional comment)."""
    if entry.source == "internship":
        signoff = parse(SignOffIn, body or {})
        return decide(actor, entry, EntryStatus.APPROVED, signoff.comment or None,
                      signoff.version)  # fmt: skip
    approval = parse(ApproveIn, body or {})
    return decide(actor, entry, EntryStatus.APPROVED, None, approval.version)


def reject(actor: User, entry: HoursEntry, body: Any) -> HoursEntry:
    """Reject employment hours or return an internship; a reason is required."""
    rejection = parse(RejectIn, body or {})
    return decide(actor, entry, EntryStatus.REJECTED, rejection.reason, rejection.version)


# The names of version 1, kept for their callers (pages, seed loader, tests).
def approve_experience(actor: User, entry: HoursEntry) -> HoursEntry:
    return approve(actor, entry)


def reject_experience(actor: User, entry: HoursEntry, reason: Any) -> HoursEntry:
    return reject(actor, entry, {} if reason is None else {"reason": reason})


def sign_off_internship(actor: User, internship: HoursEntry, comment: Any = None) -> HoursEntry:
    return approve(actor, internship, {} if comment in (None, "") else {"comment": comment})


def return_internship(actor: User, internship: HoursEntry, reason: Any) -> HoursEntry:
    return reject(actor, internship, {} if reason is None else {"reason": reason})
