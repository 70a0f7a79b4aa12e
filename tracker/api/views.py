"""The contract's /api/v1 routes. Each handler loads, authorizes, then acts."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, g, jsonify, request

from tracker.accounts import policies
from tracker.accounts.models import User
from tracker.api import bp
from tracker.approvals import operations as approvals
from tracker.approvals import queries as approval_queries
from tracker.approvals.policies import can_decide_experience, can_decide_internship
from tracker.audit import queries as audit_queries
from tracker.candidates import operations as records_ops
from tracker.candidates import queries as candidate_queries
from tracker.candidates.models import EntryStatus, ExperienceEntry
from tracker.candidates.validation import parse_date, parse_id
from tracker.credentials.catalog import current_catalog
from tracker.credentials.evaluation import evaluate_candidate
from tracker.errors import ValidationError
from tracker.mentoring import operations as mentoring_ops
from tracker.mentoring.models import Internship
from tracker.timeutil import today
from tracker.web.loading import authorize, load_candidate, load_record


def _user() -> User:
    user: User = g.api_user
    return user


def _body() -> dict[str, Any]:
    if not request.data:
        return {}
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nesting deeper than the JSON decoder follows
        data = None
    if not isinstance(data, dict):
        raise ValidationError("body", "must be a JSON object")
    return data


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "organization_id": user.organization_id,
    }


@bp.get("/me")
def me() -> Any:
    return jsonify(user_json(_user()))


@bp.get("/candidates")
def candidates() -> Any:
    user = _user()
    authorize(policies.can_list_candidates(user), "candidates cannot list other candidates")
    people = candidate_queries.visible_candidates(user)
    return jsonify([{"id": c.id, "email": c.email, "name": c.name} for c in people])


@bp.post("/candidates/<int:candidate_id>/enrolments")
def enrol(candidate_id: int) -> Any:
    user = _user()
    candidate = load_candidate(user, candidate_id)
    authorize(policies.can_enrol(user, candidate))
    enrolment = records_ops.enrol(user, candidate, current_catalog(), _body())
    return jsonify(
        {
            "id": enrolment.id,
            "candidate_id": candidate.id,
            "credential": enrolment.credential,
            "version": enrolment.version,
            "pathway": enrolment.pathway,
            "enrolled_on": enrolment.enrolled_on.isoformat(),
        }
    ), 201


def _held_credential(data: dict[str, Any]) -> dict[str, Any]:
    """The records JSON names a held credential by "id"; the model calls it credential_id."""
    if "id" in data and "credential_id" not in data:
        data = {**data, "credential_id": data.pop("id")}
    return data


def _add(candidate_id: int, kind: str) -> tuple[Response, int]:
    user = _user()
    candidate = load_candidate(user, candidate_id)
    authorize(policies.can_edit_records(user, candidate), "only the candidate may add records")
    data = _body()
    if kind == "credentials":
        data = _held_credential(data)
    rtype = records_ops.RECORD_TYPES[kind]
    row = records_ops.add_record(user, candidate, kind, data, catalog=current_catalog())
    return jsonify(rtype.describe(row)), 201


@bp.post("/candidates/<int:candidate_id>/degrees")
def add_degree(candidate_id: int) -> Any:
    return _add(candidate_id, "degrees")


@bp.post("/candidates/<int:candidate_id>/courses")
def add_course(candidate_id: int) -> Any:
    return _add(candidate_id, "courses")


@bp.post("/candidates/<int:candidate_id>/exams")
def add_exam(candidate_id: int) -> Any:
    return _add(candidate_id, "exams")


@bp.post("/candidates/<int:candidate_id>/attestations")
def add_attestation(candidate_id: int) -> Any:
    return _add(candidate_id, "attestations")


@bp.post("/candidates/<int:candidate_id>/credentials")
def add_held_credential(candidate_id: int) -> Any:
    """Extension: a held credential, in the records JSON's shape ({"id": "cpa", …})."""
    return _add(candidate_id, "credentials")


@bp.post("/candidates/<int:candidate_id>/experience")
def add_experience(candidate_id: int) -> Any:
    return _add(candidate_id, "experience")


@bp.post("/candidates/<int:candidate_id>/internships")
def add_internship(candidate_id: int) -> Any:
    user = _user()
    candidate = load_candidate(user, candidate_id)
    authorize(policies.can_create_internship(user, candidate))
    internship = mentoring_ops.create_internship(user, candidate, _body())
    return jsonify({"id": internship.id, "status": EntryStatus(internship.status).value}), 201


@bp.get("/approvals")
def approvals_list() -> Any:
    user = _user()
    authorize(policies.can_see_approvals(user), "only coordinators and mentors decide entries")
    items = approval_queries.pending_for(user)
    return jsonify([item.as_json() for item in items])


@bp.post("/experience/<int:entry_id>/approve")
def approve_experience(entry_id: int) -> Any:
    user = _user()
    entry = load_record(user, ExperienceEntry, entry_id, "experience entry")
    authorize(can_decide_experience(user, entry), "you may not decide this entry")
    _body()
    approvals.approve_experience(user, entry)
    return jsonify({"status": "approved"})


@bp.post("/experience/<int:entry_id>/reject")
def reject_experience(entry_id: int) -> Any:
    user = _user()
    entry = load_record(user, ExperienceEntry, entry_id, "experience entry")
    authorize(can_decide_experience(user, entry), "you may not decide this entry")
    approvals.reject_experience(user, entry, _body().get("reason"))
    return jsonify({"status": "rejected"})


@bp.post("/internships/<int:internship_id>/signoff")
def signoff_internship(internship_id: int) -> Any:
    user = _user()
    internship = load_record(user, Internship, internship_id, "internship")
    authorize(
        can_decide_internship(user, internship),
        "only the mentor named on this internship may sign it off",
    )
    approvals.sign_off_internship(user, internship, _body().get("comment"))
    return jsonify({"status": "approved"})


@bp.post("/internships/<int:internship_id>/reject")
def reject_internship(internship_id: int) -> Any:
    user = _user()
    internship = load_record(user, Internship, internship_id, "internship")
    authorize(
        can_decide_internship(user, internship),
        "only the mentor named on this internship may return it",
    )
    approvals.return_internship(user, internship, _body().get("reason"))
    return jsonify({"status": "rejected"})


def _as_of() -> date:
    value = request.args.get("as_of")
    return parse_date(value, "as_of") if value else today()  # type: ignore[return-value]


def _credential_arg() -> str:
    credential = (request.args.get("credential") or "").strip()
    if not credential:
        raise ValidationError("credential", "is required (?credential=ID)")
    return credential


@bp.get("/candidates/<int:candidate_id>/progress")
def progress(candidate_id: int) -> Any:
    user = _user()
    candidate = load_candidate(user, candidate_id)
    credential = _credential_arg()
    pathway = request.args.get("pathway") or None
    return jsonify(evaluate_candidate(current_catalog(), candidate, credential, _as_of(), pathway))


@bp.get("/audit")
def audit() -> Any:
    user = _user()
    authorize(policies.can_view_audit(user), "only coordinators and admins read the audit log")
    raw = request.args.get("candidate_id")
    candidate = None
    if raw is not None:
        candidate = load_candidate(user, parse_id(raw, "candidate_id"))
        authorize(policies.can_view_audit(user, candidate))
    events = audit_queries.events_for(user, candidate)
    return jsonify([_audit_json(e) for e in events])


AUDIT_KEYS = ("at", "actor_id", "action", "target", "before", "after")


def _audit_json(event: Any) -> dict[str, Any]:
    """The contract's event shape, exactly."""
    data = audit_queries.event_json(event)
    return {key: data[key] for key in AUDIT_KEYS}


@bp.get("/openapi.json")
def openapi() -> Any:
    from tracker.api.openapi import spec

    return jsonify(spec())
