"""The shapes of the API's answers that are not records (records: records/kinds.py).

Views build the answers as plain dicts; these classes describe them in the OpenAPI
document, and the contract tests validate real answers against the document.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field

from tracker.candidates.cohort import CohortRow as CohortRow  # documented with its producer
from tracker.schema import Answer

Status = Literal["met", "in_progress", "not_started", "expired", "not_applicable"]


class ErrorDetail(Answer):
    code: str = Field(examples=["invalid"])
    message: str = Field(description="names the field at fault (its API name) on a 400")


class Error(Answer):
    error: ErrorDetail


class User(Answer):
    id: int
    email: str
    name: str
    role: Literal["candidate", "mentor", "coordinator", "admin"]
    organization_id: int | None


class CandidateSummary(Answer):
    id: int
    email: str
    name: str


class CandidateEnrolment(Answer):
    """An enrolment as the candidate's profile lists it."""

    credential: str
    version: str = Field(description="the rules version the candidate is evaluated under")
    pathway: str | None
    enrolled_on: date


class Enrolment(CandidateEnrolment):
    id: int
    candidate_id: int


class Candidate(Answer):
    id: int
    email: str
    name: str
    organization_id: int | None
    enrolments: list[CandidateEnrolment]


class Mentor(Answer):
    id: int
    name: str
    email: str


class PendingEntry(Answer):
    id: int
    type: Literal["experience", "internship"]
    candidate_id: int
    hours: float
    start: date
    end: date
    version: int


class Decided(Answer):
    status: Literal["approved", "rejected"]


class DecisionOutcome(Answer):
    type: str
    id: int
    status: Literal["approved", "rejected"] | None = None
    error: ErrorDetail | None = None


class Verified(Answer):
    verified: Literal[True]
    verified_by: int
    verified_on: date


class Revoked(Answer):
    status: Literal["revoked"]


class AuditEvent(Answer):
    at: datetime
    actor_id: int | None
    action: str
    target: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class ExcludedRecord(Answer):
    id: str
    reason: str


class YearRow(Answer):
    year: int
    counted: float
    capped: float
    pending: float


class ResultNode(Answer):
    """A requirement's result (credential-format.md §4 and §6); kinds add their own keys."""

    model_config = ConfigDict(extra="allow")

    id: str | None
    title: str
    kind: str
    status: Status
    progress: float = Field(ge=0, le=1)
    met_on: date | None
    due: date | None
    detail: str
    evidence: list[str]
    children: list[ResultNode]
    excluded: list[ExcludedRecord] | None = None
    waived: bool | None = None
    counted_hours: float | None = None
    pending_hours: float | None = None
    capped_hours: float | None = None
    required_hours: float | None = None
    projected_on: date | None = None
    by_year: list[YearRow] | None = None


class Progress(Answer):
    """The result JSON of credential-format.md §4."""

    model_config = ConfigDict(extra="allow")

    credential: str
    version: str
    pathway: str | None
    as_of: date
    status: Status
    progress: float = Field(ge=0, le=1)
    met_on: date | None
    requirements: list[ResultNode]
    name: str | None = None
    lang: str | None = None


class RequirementNode(Answer):
    id: str | None
    title: str
    kind: str
    waivable: bool
    children: list[RequirementNode]


class CredentialSummary(Answer):
    id: str
    version: str
    name: str
    issuer: str
    pathways: dict[str, str]
    categories: list[str]
    exam_codes: list[str]
    attestation_kinds: list[str]
    course_topics: list[str]


class VersionInfo(Answer):
    version: str
    effective_from: date | None


class CredentialDetail(CredentialSummary):
    versions: list[VersionInfo]
    requirements: list[RequirementNode]


class EvidenceFile(Answer):
    id: int
    filename: str
    content_type: str
    size: int


class Document(Answer):
    """An OpenAPI 3.1 document."""

    model_config = ConfigDict(extra="allow")

    openapi: str


class Notification(Answer):
    id: int
    at: datetime = Field(description="when the notice was made (UTC)")
    kind: Literal["decision", "verification", "waiver", "digest", "reminder"]
    text: str = Field(description="the notice in the request's language")
    link: str = Field(description="the page it is about (absolute URL)")
    read: bool
