"""The record kinds: each one's table, schema, names and answer, in one registry.

`KINDS` is what pages, the API, the OpenAPI document, audit events and statements iterate
over; adding a kind means adding one `RecordKind` here and its schema in schemas.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, create_model

from tracker.i18n import gettext
from tracker.records import schemas
from tracker.records.models import (
    Attestation,
    Course,
    Degree,
    EntryStatus,
    EvidenceFile,
    ExamResult,
    ExperienceEntry,
    HeldCredential,
    Internship,
    Registration,
    Waiver,
)
from tracker.schema import N_, Answer, Schema
from tracker.timeutil import today


class EvidenceOut(Answer):
    id: int
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class RecordKind:
    """One kind of candidate record."""

    name: str
    """The API's and the pages' name of the kind: /candidates/<id>/<name>."""
    label: str
    """A record of the kind, in a sentence: "the degree was added"."""
    title: str
    """The kind as a heading: "Degrees"."""
    model: type[Any]
    schema: type[Schema]
    engine_key: str
    """Where the engine's records JSON lists it."""
    decided: bool = False
    """Entries with a status that a coordinator or mentor decides."""
    verifiable: bool = False
    answer_names: Mapping[str, str] | None = None
    """Schema field → answer field, where the answer names it otherwise."""
    extra_answer: Mapping[str, tuple[str, Any, Any]] | None = None
    """Answer fields beyond the schema's: name → (the row's attribute, type, Field)."""

    @property
    def shown_label(self) -> str:
        """The label in the page's language (label stays English: API, audit, logs)."""
        return gettext(self.label)

    @property
    def shown_title(self) -> str:
        return gettext(self.title)

    @property
    def operation_name(self) -> str:
        """The kind in operation ids: listDegrees, getDegree ("credentials" → HeldCredential)."""
        return self.schema.__name__.removesuffix("In")

    @property
    def operation_plural(self) -> str:
        one = self.operation_name
        return one if one == "Experience" else one + "s"

    def values(self, row: Any) -> dict[str, Any]:
        """The row's input fields by their API names, JSON-ready (PATCH merges onto these)."""
        out: dict[str, Any] = {}
        for name, info in self.schema.model_fields.items():
            if name not in self.schema.ignored:
                out[info.alias or name] = _json(getattr(row, name))
        return out

    def columns(self, clean: Schema) -> dict[str, Any]:
        """Column values from a validated body (schema field names are attribute names)."""
        schema = type(clean)
        return {name: getattr(clean, name) for name in schema.model_fields if name not in
                schema.ignored}  # fmt: skip

    def locked(self, row: Any) -> str | None:
        """Why the candidate may no longer change the row, or None."""
        if self.decided and EntryStatus(row.status) is not EntryStatus.PENDING:
            return (
                f"this {self.label} was already {EntryStatus(row.status).value}; decided "
                "entries cannot be changed — add a new entry as a correction"
            )
        if self.verifiable and row.verified_by_id is not None:
            return f"this {self.label} was verified; verified records cannot be changed"
        return None

    def returned(self, row: Any) -> bool:
        """An internship its mentor returned: the candidate may correct and resubmit it."""
        return self.name == "internships" and EntryStatus(row.status) is EntryStatus.REJECTED

    def answer(self, row: Any, evidence: Iterable[EvidenceFile] = ()) -> dict[str, Any]:
        """The record as the API answers it (the audit log records the same shape)."""
        renames = self.answer_names or {}
        out: dict[str, Any] = {"id": row.id, "candidate_id": row.candidate_id}
        for name, value in self.values(row).items():
            out[renames.get(name, name)] = value
        out["version"] = row.version
        if self.verifiable:
            out.update(
                verified=row.verified_by_id is not None,
                verified_by=row.verified_by_id,
                verified_on=_json(row.verified_on),
            )
        if self.decided:
            out.update(
                status=EntryStatus(row.status).value,
                source=row.source,
                decided_by=row.decided_by_id,
                decided_at=_json(row.decided_at),
                note=row.note,
            )
        if self.name == "waivers":
            out.update(
                approved_by=row.approved_by.email if row.approved_by else None,
                approved_on=_json(row.approved_on),
                status=waiver_status(row, today()),
                revoked_on=_json(row.revoked_on),
                revoke_reason=row.revoke_reason,
            )
        for name, (attribute, _type, _field) in (self.extra_answer or {}).items():
            out[name] = _json(getattr(row, attribute))
        out["evidence"] = [evidence_answer(e) for e in evidence]
        return out

    def answer_schema(self) -> type[BaseModel]:
        """The answer's shape for the OpenAPI document, derived from the schema."""
        return _answer_schema(self)


def waiver_status(row: Waiver, on: date | None = None) -> str:
    if row.revoked_on is not None:
        return "revoked"
    if row.expires_on is not None and on is not None and row.expires_on <= on:
        return "expired"
    return "active"


def evidence_answer(item: EvidenceFile) -> dict[str, Any]:
    return {
        "id": item.id,
        "filename": item.original_name,
        "content_type": item.content_type,
        "size": item.size,
    }


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        # Stored naive in UTC; RFC 3339 (OpenAPI's date-time) needs the offset.
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return list(value)
    return value


CREATED_BY = ("created_by_id", int | None, Field(title="Recorded by (user id)"))

KINDS: dict[str, RecordKind] = {
    kind.name: kind
    for kind in (
        RecordKind("degrees", N_("degree"), N_("Degrees"), Degree, schemas.DegreeIn, "degrees",
                   verifiable=True),
        RecordKind("courses", N_("course"), N_("Courses"), Course, schemas.CourseIn, "courses",
                   verifiable=True),
        RecordKind("exams", N_("exam result"), N_("Exam results"), ExamResult, schemas.ExamIn,
                   "exams", verifiable=True),
        RecordKind("attestations", N_("attestation"), N_("Attestations"), Attestation,
                   schemas.AttestationIn, "attestations", verifiable=True),
        RecordKind("credentials", N_("held credential"), N_("Held credentials"), HeldCredential,
                   schemas.HeldCredentialIn, "credentials", verifiable=True,
                   answer_names={"id": "credential"}),
        RecordKind("experience", N_("experience entry"), N_("Experience hours"), ExperienceEntry,
                   schemas.ExperienceIn, "experience", decided=True),
        RecordKind("internships", N_("internship"), N_("Internships"), Internship,
                   schemas.InternshipIn, "experience", decided=True,
                   extra_answer={"created_by": CREATED_BY}),
        RecordKind("registrations", N_("registration"), N_("Registrations"), Registration,
                   schemas.RegistrationIn, "registrations"),
        RecordKind("waivers", N_("waiver"), N_("Waivers"), Waiver, schemas.WaiverIn, "waivers"),
    )
}  # fmt: skip
# The kinds a candidate enters themselves (waivers are granted by coordinators).
CANDIDATE_KINDS = tuple(name for name in KINDS if name != "waivers")
VERIFIABLE_KINDS = tuple(name for name, kind in KINDS.items() if kind.verifiable)


_ANSWERS: dict[str, type[BaseModel]] = {}


def _answer_schema(kind: RecordKind) -> type[BaseModel]:
    if kind.name in _ANSWERS:
        return _ANSWERS[kind.name]
    renames = kind.answer_names or {}
    fields: dict[str, Any] = {
        "id": (int, Field(title="The record's id")),
        "candidate_id": (int, Field(title="Candidate")),
    }
    for name, info in kind.schema.model_fields.items():
        if name in kind.schema.ignored:
            continue
        api = info.alias or name
        fields[renames.get(api, api)] = (info.annotation, Field(title=info.title))
    fields["version"] = (int, Field(title="Version", description="grows with each change"))
    if kind.verifiable:
        fields["verified"] = (bool, Field(title="Verified"))
        fields["verified_by"] = (int | None, Field(title="Verified by (user id)"))
        fields["verified_on"] = (date | None, Field(title="Verified on"))
    if kind.decided:
        fields["status"] = (str, Field(title="Status", json_schema_extra={"enum": [
            s.value for s in EntryStatus]}))  # fmt: skip
        fields["source"] = (str, Field(title="Source", json_schema_extra={"enum": [
            "employment", "internship"]}))  # fmt: skip
        fields["decided_by"] = (int | None, Field(title="Decided by (user id)"))
        fields["decided_at"] = (datetime | None, Field(title="Decided at (UTC)"))
        fields["note"] = (str | None, Field(title="Reason or comment of the decision"))
    if kind.name == "waivers":
        fields["approved_by"] = (str | None, Field(title="Approved by (e-mail)"))
        fields["approved_on"] = (date, Field(title="Approved on"))
        fields["status"] = (str, Field(title="Status", json_schema_extra={"enum": [
            "active", "revoked", "expired"]}))  # fmt: skip
        fields["revoked_on"] = (date | None, Field(title="Revoked on"))
        fields["revoke_reason"] = (str | None, Field(title="Why it was revoked"))
    for name, (_attribute, type_, spec) in (kind.extra_answer or {}).items():
        fields[name] = (type_, spec)
    fields["evidence"] = (list[EvidenceOut], Field(title="Evidence files"))
    model = create_model(f"{kind.operation_name}", __base__=Answer, **fields)
    _ANSWERS[kind.name] = model
    return model
