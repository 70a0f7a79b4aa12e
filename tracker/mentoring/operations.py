"""Creating internships; their sign-off lives with the other decisions in approvals."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracker.accounts.models import User
from tracker.audit.operations import record as audit
from tracker.candidates.operations import add_record, describe
from tracker.errors import ConflictError, ForbiddenError
from tracker.i18n import gettext as _
from tracker.records.kinds import KINDS
from tracker.records.models import EntryStatus, Internship


def create_internship(
    actor: User, candidate: User, data: Mapping[str, Any], *, resubmits: Internship | None = None
) -> Internship:
    """A pending internship naming its mentor: the candidate or their coordinator records it.

    `resubmits`: the returned internship this one corrects. The returned one stays as it was
    decided (the audit trail keeps both); the link is audited as internship.resubmit."""
    if resubmits is not None:
        if actor.id != candidate.id or resubmits.candidate_id != candidate.id:
            raise ForbiddenError(_("only the candidate may resubmit their returned internship"))
        if EntryStatus(resubmits.status) is not EntryStatus.REJECTED:
            raise ConflictError(_("only an internship that its mentor returned can be resubmitted"))
    internship: Internship = add_record(actor, candidate, "internships", data)
    if resubmits is not None:
        audit(
            actor,
            "internship.resubmit",
            f"internship:{internship.id}",
            candidate=candidate,
            before={"returned": resubmits.id, "reason": resubmits.note},
            after=describe(KINDS["internships"], internship),
        )
    return internship
