"""A candidate's records. Field names and values follow the records JSON of the engine.

What a user may enter in each is declared once, in schemas.py; these are the tables."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from tracker.accounts.models import User
from tracker.extensions import Model, db
from tracker.timeutil import utcnow


class EntryStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    """The candidate took a pending entry back: kept (an auditor sees it), never counted."""

    @property
    def title(self) -> str:  # type: ignore[override]  # the display title shadows str.title()
        return {"pending": "Pending", "approved": "Approved", "rejected": "Rejected",
                "withdrawn": "Withdrawn"}[self.value]  # fmt: skip


def status_column() -> Any:
    return mapped_column(
        db.Enum(
            EntryStatus,
            native_enum=False,
            length=12,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=EntryStatus.PENDING,
        index=True,
    )


def candidate_fk() -> Any:
    return mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


def version_column() -> Any:
    """The record's version: 1 when created, one more with each change (optimistic locking)."""
    return mapped_column(Integer, nullable=False, default=1, server_default="1")


class Verifiable:
    """Self-reported records that a coordinator may verify against their evidence."""

    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_on: Mapped[date | None]

    @property
    def verified(self) -> bool:
        return self.verified_by_id is not None


class Enrolment(Model):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("candidate_id", "credential"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = candidate_fk()
    credential: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    pathway: Mapped[str | None] = mapped_column(String(64))
    enrolled_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    candidate: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return (
            f"<Enrolment {self.id} {self.credential}/{self.pathway} candidate={self.candidate_id}>"
        )


class Degree(Verifiable, Model):
    __tablename__ = "degrees"
    record_prefix = "d"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = candidate_fk()
    level: Mapped[str] = mapped_column(String(20))
    field: Mapped[str] = mapped_column(String(200))
    institution: Mapped[str] = mapped_column(String(200))
    accredited: Mapped[bool] = mapped_column(default=True)
    conferred_on: Mapped[date | None]
    version: Mapped[int] = version_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Degree {self.id} {self.level} {self.field!r}>"


class Course(Verifiable, Model):
    __tablename__ = "courses"
    record_prefix = "c"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = candidate_fk()
    title: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(100))
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    credits: Mapped[float] = mapped_column(Float, default=0)
    completed_on: Mapped[date | None]
    passed: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = version_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Course {self.id} {self.title!r}>"


class ExamResult(Verifiable, Model):
    __tablename__ = "exam_results"
    record_prefix = "e"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = candidate_fk()
    code: Mapped[str] = mapped_column(String(20))
    taken_on: Mapped[date]
    passed: Mapped[bool]
    version: Mapped[int] = version_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<ExamResult {self.id} {self.code} {'pass' if self.passed else 'fail'}>"


class HoursEntry(Model):
    """Hours of work that someone decides on: employment hours (a coordinator approves them)
    and internships (the mentor named on them signs them off). One table, one note column,
    one decision history; `source` tells the two apart, as in the engine's records JSON."""

    __tablename__ = "hours_entries"
    # The approval queues ask for one status of one source: with only the single-column
    # indexes SQLite walks every employment row (source matches nearly all of them); with
    # the start and id too the queue's page comes in its order (a page of 50 stops after
    # 50 of the organization's), and with candidate_id and hours the waiting hours by
    # candidate come from the index alone. Their checks sum the pending and approved hours
    # of a page's candidates (without (candidate_id, status) SQLite reads every approved
    # row of the installation instead; with "hours" too the index alone answers) and read
    # the entries ending after the first week the page touches (the "end").
    __table_args__ = (
        Index("ix_hours_entries_queue", "status", "source", "start", "id", "candidate_id", "hours"),
        Index(
            "ix_hours_entries_candidate_status_end_hours", "candidate_id", "status", "end", "hours"
        ),
    )
    record_prefix = "x"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = candidate_fk()
    source: Mapped[str] = mapped_column(String(20), index=True)
    start: Mapped[date]
    end: Mapped[date]
    hours: Mapped[float] = mapped_column(Float)
    category: Mapped[str] = mapped_column(String(64))
    supervised: Mapped[bool] = mapped_column(default=False)
    workplace: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[EntryStatus] = status_column()
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = version_column()
    former_id: Mapped[str | None] = mapped_column(String(40))
    """Where a row came from before the tables were merged (e.g. "internship:3")."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    candidate: Mapped[User] = relationship(foreign_keys=[candidate_id])
    mentor: Mapped[User | None] = relationship(foreign_keys=[mentor_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __mapper_args__ = {"polymorphic_on": "source", "version_id_col": version}

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.id} {self.start}..{self.end} {self.hours}h "
            f"{self.status}>"
        )


class ExperienceEntry(HoursEntry):
    """Employment hours; the candidate logs them, a coordinator decides."""

    __mapper_args__ = {"polymorphic_identity": "employment"}

    employer = synonym("workplace")


class Internship(HoursEntry):
    """Supervised experience that a named mentor signs off."""

    __mapper_args__ = {"polymorphic_identity": "internship"}
    record_prefix = "i"

    host = synonym("workplace")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("category", "financial-planning")
        kwargs.setdefault("supervised", True)
        super().__init__(**kwargs)


class Attestation(Verifiable, Model):
    __tablename__ = "attestations"
    record_prefix = "a"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = candidate_fk()
    kind: Mapped[str] = mapped_column(String(64))
    signed_on: Mapped[date]
    statement: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = version_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Attestation {self.id} {self.kind}>"


class HeldCredential(Verifiable, Model):
    __tablename__ = "held_credentials"
    __table_args__ = (UniqueConstraint("candidate_id", "credential_id"),)
    record_prefix = "h"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = candidate_fk()
    credential_id: Mapped[str] = mapped_column(String(64))
    awarded_on: Mapped[date]
    expires_on: Mapped[date | None]
    version: Mapped[int] = version_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<HeldCredential {self.id} {self.credential_id}>"


class Registration(Model):
    """Employment under a registration (for FINRA: from Form U4 to Form U5), which keeps a
    qualification exam's pass alive (credential-format.md §6.5). `end` None: still registered."""

    __tablename__ = "registrations"
    record_prefix = "r"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = candidate_fk()
    kind: Mapped[str] = mapped_column(String(32))
    firm: Mapped[str] = mapped_column(String(200), default="")
    start: Mapped[date]
    end: Mapped[date | None]
    version: Mapped[int] = version_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.kind} {self.start}..{self.end}>"


class Waiver(Model):
    __tablename__ = "waivers"
    record_prefix = "w"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = candidate_fk()
    credential: Mapped[str] = mapped_column(String(64))
    requirement: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approved_on: Mapped[date]
    expires_on: Mapped[date | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_on: Mapped[date | None]
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = version_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    approved_by: Mapped[User] = relationship(foreign_keys=[approved_by_id])

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Waiver {self.id} {self.credential}:{self.requirement}>"


class EvidenceFile(Model):
    """An uploaded transcript, score report or letter attached to one record."""

    __tablename__ = "evidence_files"
    # The files of a page's records (the queue's fifty entries): a search, not a scan.
    __table_args__ = (Index("ix_evidence_files_record", "record_type", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = candidate_fk()
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int]
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return (
            f"<EvidenceFile {self.id} {self.record_type}:{self.record_id} {self.original_name!r}>"
        )
