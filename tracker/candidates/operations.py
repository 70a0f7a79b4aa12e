"""Writes on a candidate's records. Each validates first, takes the actor, audits, flushes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import select

from tracker.accounts import policies
from tracker.accounts.models import User
from tracker.audit.operations import record as audit
from tracker.candidates.models import (
    Attestation,
    Course,
    Degree,
    Enrolment,
    EntryStatus,
    EvidenceFile,
    ExamResult,
    ExperienceEntry,
    HeldCredential,
    Waiver,
)
from tracker.candidates.validation import (
    DEGREE_LEVELS,
    Field,
    parse_bool,
    parse_choice,
    parse_date,
    parse_fields,
    parse_number,
    parse_slug,
    parse_text,
    parse_topics,
)
from tracker.credentials.catalog import Catalog
from tracker.errors import ConflictError, ForbiddenError, ValidationError
from tracker.extensions import db
from tracker.timeutil import today


def _opt_date(value: Any, field: str) -> date | None:
    return parse_date(value, field, required=False)


def _hours(value: Any, field: str) -> float:
    return parse_number(value, field, minimum=0, maximum=100_000, allow_zero=False)


@dataclass(frozen=True)
class RecordType:
    """One kind of candidate record: its model, its input fields and its display name."""

    name: str
    label: str
    model: Any
    fields: tuple[Field, ...]
    dates: tuple[str, ...]
    decided: bool = False  # entries with a status that a coordinator decides

    def describe(self, row: Any) -> dict[str, Any]:
        data = {f.name: getattr(row, f.name) for f in self.fields}
        for key, value in list(data.items()):
            if isinstance(value, date):
                data[key] = value.isoformat()
        data["id"] = row.id
        if self.decided:
            data["status"] = EntryStatus(row.status).value
        return data


RECORD_TYPES: dict[str, RecordType] = {
    "degrees": RecordType(
        "degrees",
        "degree",
        Degree,
        (
            Field("level", partial(parse_choice, choices=DEGREE_LEVELS)),
            Field("field", parse_text),
            Field("institution", parse_text),
            Field("accredited", partial(parse_bool, default=True)),
            Field("conferred_on", _opt_date, required=False),
        ),
        ("conferred_on",),
    ),
    "courses": RecordType(
        "courses",
        "course",
        Course,
        (
            Field("title", parse_text),
            Field("provider", parse_slug),
            Field("topics", parse_topics),
            Field(
                "credits", lambda v, f: 0.0 if v in (None, "") else parse_number(v, f, maximum=1000)
            ),
            Field("completed_on", _opt_date, required=False),
            Field("passed", partial(parse_bool, default=True)),
        ),
        ("completed_on",),
    ),
    "exams": RecordType(
        "exams",
        "exam result",
        ExamResult,
        (
            Field("code", lambda v, f: parse_text(v, f, max_len=20).upper()),
            Field("taken_on", parse_date),
            Field("passed", parse_bool),
        ),
        ("taken_on",),
    ),
    "attestations": RecordType(
        "attestations",
        "attestation",
        Attestation,
        (
            Field("kind", parse_slug),
            Field("signed_on", lambda v, f: parse_date(v, f, required=False) or today()),
            Field("statement", lambda v, f: parse_text(v, f, required=False, max_len=2000)),
        ),
        ("signed_on",),
    ),
    "credentials": RecordType(
        "credentials",
        "held credential",
        HeldCredential,
        (
            Field("credential_id", parse_slug),
            Field("awarded_on", parse_date),
            Field("expires_on", _opt_date, required=False),
        ),
        ("awarded_on", "expires_on"),
    ),
    "experience": RecordType(
        "experience",
        "experience entry",
        ExperienceEntry,
        (
            Field("start", parse_date),
            Field("end", parse_date),
            Field("hours", _hours),
            Field("category", parse_slug),
            Field("supervised", partial(parse_bool, default=False)),
            Field("employer", lambda v, f: parse_text(v, f, required=False)),
            Field("description", lambda v, f: parse_text(v, f, required=False, max_len=2000)),
        ),
        ("start", "end"),
        decided=True,
    ),
}


def _check_dates(kind: str, clean: dict[str, Any], as_of: date) -> None:
    errors: dict[str, str] = {}
    for name in RECORD_TYPES[kind].dates:
        value = clean.get(name)
        if value is not None and value > as_of and name != "expires_on":
            errors[name] = "cannot be in the future"
    if kind == "experience" and "start" in clean and "end" in clean:
        start, end = clean["start"], clean["end"]
        if end < start:
            errors["end"] = "must be on or after start"
        else:
            days = (end - start).days + 1
            if clean.get("hours", 0) > 24 * days:
                errors["hours"] = (
                    f"{clean['hours']:g} hours is more than 24 hours a day over {days} day(s)"
                )
    if kind == "credentials":
        awarded, expires = clean.get("awarded_on"), clean.get("expires_on")
        if awarded and expires and expires < awarded:
            errors["expires_on"] = "must be after awarded_on"
    if errors:
        raise ValidationError.from_errors(errors)


def _require_editor(actor: User, candidate: User) -> None:
    if not policies.can_edit_records(actor, candidate):
        raise ForbiddenError("only the candidate may change their records")


def add_record(
    actor: User,
    candidate: User,
    kind: str,
    data: Mapping[str, Any],
    *,
    catalog: Catalog | None = None,
) -> Any:
    rtype = RECORD_TYPES[kind]
    _require_editor(actor, candidate)
    clean = parse_fields(rtype.fields, data)
    _check_dates(kind, clean, today())
    _check_vocabulary(kind, clean, catalog)
    if kind == "experience":
        clean["source"] = "employment"
        clean["status"] = EntryStatus.PENDING
    if kind == "credentials" and db.session.scalar(
        select(HeldCredential.id).where(
            HeldCredential.candidate_id == candidate.id,
            HeldCredential.credential_id == clean["credential_id"],
        )
    ):
        raise ValidationError("credential_id", f"{clean['credential_id']} is already recorded")
    row = rtype.model(candidate_id=candidate.id, **clean)
    db.session.add(row)
    db.session.flush()
    audit(
        actor,
        f"{rtype.name}.create",
        f"{rtype.name}:{row.id}",
        candidate=candidate,
        after=rtype.describe(row),
    )
    return row


def _check_vocabulary(kind: str, clean: dict[str, Any], catalog: Catalog | None) -> None:
    """Unknown experience categories are refused: hours in them would never count."""
    if catalog is None or kind != "experience":
        return
    categories = catalog.vocabulary("categories")
    if categories and clean["category"] not in categories:
        raise ValidationError(
            "category",
            f"unknown category {clean['category']!r}; use one of {', '.join(categories)}",
        )


def _require_mutable(rtype: RecordType, row: Any) -> None:
    if rtype.decided and EntryStatus(row.status) is not EntryStatus.PENDING:
        raise ConflictError(
            f"this {rtype.label} was already {EntryStatus(row.status).value}; "
            "decided entries cannot be changed — add a new entry as a correction"
        )


def update_record(
    actor: User,
    candidate: User,
    kind: str,
    row: Any,
    data: Mapping[str, Any],
    *,
    catalog: Catalog | None = None,
) -> Any:
    rtype = RECORD_TYPES[kind]
    _require_editor(actor, candidate)
    _require_mutable(rtype, row)
    clean = parse_fields(rtype.fields, data)
    _check_dates(kind, clean, today())
    _check_vocabulary(kind, clean, catalog)
    before = rtype.describe(row)
    for key, value in clean.items():
        setattr(row, key, value)
    db.session.flush()
    audit(
        actor,
        f"{rtype.name}.update",
        f"{rtype.name}:{row.id}",
        candidate=candidate,
        before=before,
        after=rtype.describe(row),
    )
    return row


def delete_record(actor: User, candidate: User, kind: str, row: Any) -> None:
    rtype = RECORD_TYPES[kind]
    _require_editor(actor, candidate)
    _require_mutable(rtype, row)
    before = rtype.describe(row)
    evidence = db.session.scalars(
        select(EvidenceFile).where(
            EvidenceFile.record_type == kind, EvidenceFile.record_id == row.id
        )
    ).all()
    for item in evidence:
        db.session.delete(item)
    db.session.delete(row)
    db.session.flush()
    audit(
        actor,
        f"{rtype.name}.delete",
        f"{rtype.name}:{before['id']}",
        candidate=candidate,
        before=before,
    )


def enrol(actor: User, candidate: User, catalog: Catalog, data: Mapping[str, Any]) -> Enrolment:
    if not policies.can_enrol(actor, candidate):
        raise ForbiddenError("you may not enrol this candidate")
    credential_id = parse_text(data.get("credential"), "credential", max_len=64)
    definition = catalog.get(credential_id)
    if definition is None:
        raise ValidationError("credential", f"unknown credential {credential_id!r}")
    pathway = _pathway(definition, data.get("pathway"))
    unknown = sorted(set(data) - {"credential", "pathway", "csrf_token", "submit"})
    if unknown:
        raise ValidationError(unknown[0], "is not a field of an enrolment")
    if db.session.scalar(
        select(Enrolment.id).where(
            Enrolment.candidate_id == candidate.id, Enrolment.credential == credential_id
        )
    ):
        raise ConflictError(f"already enrolled in {definition.name}")
    enrolment = Enrolment(
        candidate_id=candidate.id,
        credential=credential_id,
        version=definition.version,
        pathway=pathway,
        enrolled_on=today(),
    )
    db.session.add(enrolment)
    db.session.flush()
    audit(
        actor,
        "enrolment.create",
        f"enrolment:{enrolment.id}",
        candidate=candidate,
        after={"credential": credential_id, "version": definition.version, "pathway": pathway},
    )
    return enrolment


def _pathway(definition: Any, value: Any) -> str | None:
    pathways = list(definition.pathways)
    if value in (None, ""):
        return pathways[0] if pathways else None
    name = parse_text(value, "pathway", max_len=64)
    if name not in pathways:
        allowed = ", ".join(pathways) or "none (this credential has no pathways)"
        raise ValidationError("pathway", f"unknown pathway {name!r}; use one of {allowed}")
    return name


def switch_pathway(
    actor: User, candidate: User, enrolment: Enrolment, catalog: Catalog, value: Any
) -> None:
    if not policies.can_enrol(actor, candidate):
        raise ForbiddenError("you may not change this enrolment")
    definition = catalog.get(enrolment.credential)
    if definition is None:
        raise ValidationError(
            "credential", f"the definition {enrolment.credential!r} is not loaded"
        )
    pathway = _pathway(definition, value)
    if pathway == enrolment.pathway:
        return
    before = enrolment.pathway
    enrolment.pathway = pathway
    db.session.flush()
    audit(
        actor,
        "enrolment.pathway",
        f"enrolment:{enrolment.id}",
        candidate=candidate,
        before={"pathway": before},
        after={"pathway": pathway},
    )


def grant_waiver(actor: User, candidate: User, catalog: Catalog, data: Mapping[str, Any]) -> Waiver:
    if not policies.can_grant_waiver(actor, candidate):
        raise ForbiddenError("only a coordinator of the candidate's organization may grant waivers")
    credential_id = parse_text(data.get("credential"), "credential", max_len=64)
    definition = catalog.get(credential_id)
    if definition is None:
        raise ValidationError("credential", f"unknown credential {credential_id!r}")
    requirement = parse_text(data.get("requirement"), "requirement", max_len=64)
    if requirement not in definition.node_titles():
        raise ValidationError(
            "requirement", f"{definition.name} has no requirement {requirement!r}"
        )
    reason = parse_text(data.get("reason"), "reason", max_len=2000)
    approved_on = parse_date(data.get("approved_on"), "approved_on", required=False) or today()
    waiver = Waiver(
        candidate_id=candidate.id,
        credential=credential_id,
        requirement=requirement,
        reason=reason,
        approved_by_id=actor.id,
        approved_on=approved_on,
    )
    db.session.add(waiver)
    db.session.flush()
    audit(
        actor,
        "waiver.create",
        f"waiver:{waiver.id}",
        candidate=candidate,
        after={
            "credential": credential_id,
            "requirement": requirement,
            "reason": reason,
            "approved_on": approved_on.isoformat(),
        },
    )
    return waiver
