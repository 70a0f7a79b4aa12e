"""Every model, imported in one place for the metadata (migrations, create_all)."""

from tracker.accounts.models import ApiToken, Organization, Role, User
from tracker.audit.models import AuditEvent
from tracker.credentials.models import EnrolmentResult
from tracker.notices.models import Notice, NoticeSettings
from tracker.records.models import (
    Attestation,
    Course,
    Degree,
    Enrolment,
    EntryStatus,
    EvidenceFile,
    ExamResult,
    ExperienceEntry,
    HeldCredential,
    Internship,
    Registration,
    Waiver,
)
from tracker.statements.models import IssuedStatement
from tracker.tasks.models import Job, JobItem

__all__ = [
    "ApiToken",
    "Attestation",
    "AuditEvent",
    "Course",
    "Degree",
    "Enrolment",
    "EnrolmentResult",
    "EntryStatus",
    "EvidenceFile",
    "ExamResult",
    "ExperienceEntry",
    "HeldCredential",
    "Internship",
    "Notice",
    "NoticeSettings",
    "IssuedStatement",
    "Job",
    "JobItem",
    "Organization",
    "Registration",
    "Role",
    "User",
    "Waiver",
]
