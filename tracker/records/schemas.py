"""What a user may enter in each record kind, declared once.

Each schema is the single declaration of a record kind's fields: types, limits, labels
(field titles) and cross-field rules. The API parses request bodies with it, the page
forms are built from it (web/schema_forms.py) and validated by it, the OpenAPI document
is generated from it, and pages and statements take their labels from it. The building
blocks (strict types, Text, Day, parse) are in tracker/schema.py.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from tracker.errors import ValidationError
from tracker.schema import (
    N_,
    AttestationKind,
    Category,
    CredentialId,
    Day,
    ExamCode,
    Hours,
    Integer,
    LongText,
    OptionalLongText,
    OptionalText,
    Pathway,
    Provider,
    RequirementId,
    RowId,
    RulesVersion,
    Schema,
    Slug,
    Text,
    Topic,
    context_of,
)

DEGREE_LEVELS = ("associate", "bachelor", "master", "doctorate")
REGISTRATION_CODES = Literal["finra"]  # the kinds of registration (credential-format.md §6.5)
RecordsId = Annotated[str, Field(max_length=64)] | Integer


class RecordIn(Schema):
    """A record as the records JSON of the format writes it: its `id` there is accepted and
    ignored (the server gives each record its own id)."""

    ignored: ClassVar[tuple[str, ...]] = ("id",)

    id: RecordsId | None = Field(
        None, description="the record's id in a records JSON document; ignored"
    )


# --- record kinds -------------------------------------------------------------------------


class DegreeIn(RecordIn):
    """A degree: conferred, or still in progress while `conferred_on` is empty."""

    past_dates: ClassVar[tuple[str, ...]] = ("conferred_on",)

    level: Literal["associate", "bachelor", "master", "doctorate"] = Field(title=N_("Level"))
    field: Text = Field(title=N_("Field of study"))
    institution: Text = Field(title=N_("Institution"))
    accredited: bool = Field(True, title=N_("Accredited when the degree was awarded"))
    conferred_on: Day | None = Field(
        None, title=N_("Conferred on"), description=N_("empty while the degree is in progress")
    )


class CourseIn(RecordIn):
    past_dates: ClassVar[tuple[str, ...]] = ("completed_on",)

    title: Text = Field(title=N_("Course title"))
    provider: Provider = Field(title=N_("Provider"))
    topics: list[Topic] = Field(default_factory=list, title=N_("Topics covered"), max_length=30)
    credits: float = Field(0.0, title=N_("Credits or CE hours"), ge=0, le=1000, allow_inf_nan=False)
    completed_on: Day | None = Field(
        None, title=N_("Completed on"), description=N_("empty while the course is in progress")
    )
    passed: bool = Field(True, title=N_("Passed"))

    @field_validator("topics")
    @classmethod
    def _topics(cls, value: list[str]) -> list[str]:
        return sorted(set(value))

    @field_validator("credits")
    @classmethod
    def _credits(cls, value: float) -> float:
        return round(value, 2) + 0.0


class ExamIn(RecordIn):
    past_dates: ClassVar[tuple[str, ...]] = ("taken_on",)

    code: ExamCode = Field(title=N_("Exam"), examples=["CFP"])
    taken_on: Day = Field(title=N_("Taken on"))
    passed: bool = Field(title=N_("Passed"))


class AttestationIn(RecordIn):
    past_dates: ClassVar[tuple[str, ...]] = ("signed_on",)

    kind: AttestationKind = Field(title=N_("Attestation"), examples=["ethics"])
    # Left out means today; null is not a date (the document shows no default).
    signed_on: Day = Field(
        None,  # type: ignore[assignment]
        title=N_("Signed on"),
        description=N_("today when left out"),
    )
    statement: OptionalLongText = Field("", title=N_("Notes"))

    @model_validator(mode="after")
    def _signed_today(self, info: ValidationInfo) -> Any:
        if self.signed_on is None:
            self.signed_on = context_of(info).today
        return self


class HeldCredentialIn(Schema):
    """A credential the candidate holds (a CPA licence, a CFA charter …)."""

    past_dates: ClassVar[tuple[str, ...]] = ("awarded_on",)

    credential_id: Slug = Field(
        alias="id",
        title=N_("Credential"),
        description=N_("the credential's id, as in the records JSON (e.g. cpa)"),
        examples=["cpa"],
    )
    awarded_on: Day = Field(title=N_("Awarded on"))
    expires_on: Day | None = Field(
        None, title=N_("Expires on"), description=N_("empty if it does not expire")
    )

    @model_validator(mode="after")
    def _expires_after_award(self) -> Any:
        if self.expires_on is not None and self.expires_on < self.awarded_on:
            raise ValidationError("expires_on", "must be after awarded_on")
        return self


class HoursIn(RecordIn):
    """The rules every hours entry follows: dates in order, at most 24 hours a day."""

    start: Day = Field(title=N_("First day"), examples=["2025-01-06"])
    end: Day = Field(title=N_("Last day"), examples=["2025-01-31"])
    hours: Hours = Field(title=N_("Hours worked in this period"), examples=[160])
    category: Category = Field(title=N_("Kind of work"), examples=["financial-planning"])

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: float) -> float:
        stored = round(value, 2) + 0.0
        if stored < 0.01:
            raise ValueError("must be at least 0.01")
        return stored

    @model_validator(mode="after")
    def _hours_fit_the_days(self) -> Any:
        if self.end < self.start:
            raise ValidationError("end", "must be on or after start")
        days = (self.end - self.start).days + 1
        if self.hours > 24 * days:
            raise ValidationError(
                "hours", f"{self.hours:g} hours is more than 24 hours a day over {days} day(s)"
            )
        return self


class ExperienceIn(HoursIn):
    """Employment hours; they start pending and a coordinator approves or rejects them."""

    ignored: ClassVar[tuple[str, ...]] = ("id", "status", "source")

    status: Literal["pending", "approved", "rejected"] | None = Field(
        None, description="as in a records JSON document; ignored: a new entry is pending"
    )
    source: Literal["employment"] | None = Field(
        None, description="as in a records JSON document: logged hours are employment"
    )

    past_dates: ClassVar[tuple[str, ...]] = ("start", "end")

    supervised: bool = Field(
        False, title=N_("Directly supervised by a CFP® professional who attests to these hours")
    )
    employer: OptionalText = Field("", title=N_("Employer"))
    description: OptionalLongText = Field("", title=N_("What you did"))


class InternshipIn(HoursIn):
    """An internship; it starts pending and the mentor named on it signs it off."""

    past_dates: ClassVar[tuple[str, ...]] = ("start",)

    mentor_id: RowId = Field(
        title=N_("Mentor"),
        description=N_("a mentor of the candidate's organization (GET /mentors)"),
    )
    host: Text = Field(title=N_("Host firm or desk"))
    category: Category = Field("financial-planning", title=N_("Kind of work"))
    supervised: bool = Field(True, title=N_("Supervised by the mentor"))


class RegistrationIn(RecordIn):
    """Employment under a registration: for FINRA, from the Form U4 to the Form U5."""

    past_dates: ClassVar[tuple[str, ...]] = ("start", "end")

    kind: REGISTRATION_CODES = Field(
        title=N_("Registration"), description=N_("finra: a FINRA registration (Form U4 to Form U5)")
    )
    firm: OptionalText = Field("", title=N_("Firm"))
    start: Day = Field(title=N_("Registered from"))
    end: Day | None = Field(
        None, title=N_("Registered until"), description=N_("empty while still registered")
    )

    @model_validator(mode="after")
    def _end_after_start(self) -> Any:
        if self.end is not None and self.end < self.start:
            raise ValidationError("end", "must be on or after start")
        return self


class WaiverIn(Schema):
    credential: CredentialId = Field(title=N_("Credential"), examples=["cfp"])
    requirement: RequirementId = Field(
        title=N_("Requirement"),
        description=N_("a requirement id of that credential"),
        examples=["degree"],
    )
    reason: LongText = Field(title=N_("Reason"))
    expires_on: Day | None = Field(
        None,
        title=N_("Expires on"),
        description=N_("after today; from that day on the waiver no longer applies (empty: never)"),
    )

    @model_validator(mode="after")
    def _expires_later(self, info: ValidationInfo) -> Any:
        today = context_of(info).today
        if self.expires_on is not None and today is not None and self.expires_on <= today:
            raise ValidationError("expires_on", "must be after today")
        return self


# --- bodies that are not records ----------------------------------------------------------


class EnrolmentIn(Schema):
    credential: CredentialId = Field(title=N_("Credential"), examples=["cfp"])
    pathway: Pathway | None = Field(
        None,
        title=N_("Pathway"),
        description=N_("one of the credential's pathways (default: its first)"),
        examples=["standard"],
    )


class EnrolmentPatch(Schema):
    pathway: Pathway | None = Field(None, title=N_("Pathway"))
    version: RulesVersion | None = Field(
        None, title=N_("Rules version"), description=N_("a loaded version of the credential")
    )


class Decision(Schema):
    version: RowId | None = Field(
        None,
        title=N_("The entry's version"),
        description="optional for the clients of version 1; when given and the entry changed "
        "since, the decision is refused (409 stale)",
    )


class Empty(Schema):
    """A body with nothing in it ({} or none at all)."""


class RevokeIn(Schema):
    reason: LongText = Field(title=N_("Reason"))


class ApproveIn(Decision):
    pass


class RejectIn(Decision):
    reason: LongText = Field(title=N_("Reason"))


class SignOffIn(Decision):
    comment: OptionalLongText | None = Field(None, title=N_("Comment"))


class DecisionItem(Schema):
    type: Literal["experience", "internship"] = Field(title=N_("Kind of entry"))
    id: RowId = Field(title=N_("The entry's id"))
    action: Literal["approve", "reject"] = Field(title=N_("Decision"))
    reason: LongText | None = Field(None, title=N_("Reason"), description=N_("required to reject"))
    version: RowId | None = Field(None, title=N_("The entry's version, as seen"))


class DecideIn(Schema):
    decisions: list[DecisionItem] = Field(min_length=1, max_length=200)


PlannedItems = Annotated[list[dict[str, Any]], Field(max_length=500)]


class PlannedRecords(Schema):
    """Hypothetical records in the records JSON of the format (§2), e.g.
    `{"exams": [{"code": "SIE", "taken_on": "2027-03-01", "passed": true}]}`; checked by the
    engine; ids are given by the server."""

    degrees: PlannedItems = Field(default_factory=list)
    courses: PlannedItems = Field(default_factory=list)
    exams: PlannedItems = Field(default_factory=list)
    experience: PlannedItems = Field(default_factory=list)
    attestations: PlannedItems = Field(default_factory=list)
    credentials: PlannedItems = Field(default_factory=list)
    registrations: PlannedItems = Field(default_factory=list)


class WhatIfIn(Schema):
    credential: Slug = Field(title=N_("Credential"), examples=["finra-rep"])
    pathway: Slug | None = Field(None, title=N_("Pathway"))
    version: Annotated[str, Field(min_length=1, max_length=32)] | None = Field(
        None,
        title=N_("Rules version"),
        description=N_("default: the enrolment's, else the current"),
    )
    planned: PlannedRecords = Field(default_factory=PlannedRecords, title=N_("Planned records"))
