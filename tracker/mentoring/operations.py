"""Creating internships; their sign-off lives with the other decisions in approvals."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracker.accounts import policies
from tracker.accounts.models import Role, User
from tracker.audit.operations import record as audit
from tracker.candidates.models import EntryStatus
from tracker.candidates.validation import (
    Field,
    parse_bool,
    parse_date,
    parse_fields,
    parse_id,
    parse_number,
    parse_slug,
    parse_text,
)
from tracker.errors import ForbiddenError, ValidationError
from tracker.extensions import db
from tracker.mentoring.models import Internship
from tracker.timeutil import today

FIELDS = (
    Field("mentor_id", parse_id),
    Field("host", parse_text),
    Field("start", parse_date),
    Field("end", parse_date),
    Field("hours", lambda v, f: parse_number(v, f, maximum=100_000, allow_zero=False)),
    Field("category", lambda v, f: parse_slug(v or "financial-planning", f)),
    Field("supervised", lambda v, f: parse_bool(v, f, default=True)),
)


def describe(i: Internship) -> dict[str, Any]:
    return {
        "id": i.id,
        "candidate_id": i.candidate_id,
        "mentor_id": i.mentor_id,
        "host": i.host,
        "start": i.start.isoformat(),
        "end": i.end.isoformat(),
        "hours": i.hours,
        "category": i.category,
        "supervised": i.supervised,
        "status": EntryStatus(i.status).value,
    }


def create_internship(actor: User, candidate: User, data: Mapping[str, Any]) -> Internship:
    if not policies.can_create_internship(actor, candidate):
        raise ForbiddenError("you may not create internships for this candidate")
    clean = parse_fields(FIELDS, data)
    errors: dict[str, str] = {}
    if clean["end"] < clean["start"]:
        errors["end"] = "must be on or after start"
    elif clean["hours"] > 24 * ((clean["end"] - clean["start"]).days + 1):
        errors["hours"] = "is more than 24 hours a day over the internship's dates"
    if clean["start"] > today():
        errors["start"] = "cannot be in the future"
    mentor = db.session.get(User, clean["mentor_id"])
    if (
        mentor is None
        or mentor.role is not Role.MENTOR
        or not mentor.active
        or mentor.organization_id != candidate.organization_id
    ):
        errors["mentor_id"] = "is not an active mentor of the candidate's organization"
    elif mentor.id == candidate.id:
        errors["mentor_id"] = "a candidate cannot mentor their own internship"
    if errors:
        raise ValidationError.from_errors(errors)
    internship = Internship(candidate_id=candidate.id, created_by_id=actor.id, **clean)
    db.session.add(internship)
    db.session.flush()
    audit(
        actor,
        "internship.create",
        f"internship:{internship.id}",
        candidate=candidate,
        after=describe(internship),
    )
    return internship
