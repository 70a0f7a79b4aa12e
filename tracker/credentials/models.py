"""Each enrolment's latest evaluation, kept in the database for the cohort pages and API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import Model
from tracker.timeutil import utcnow


class EnrolmentResult(Model):
    """What the engine said about one enrolment, and what it was computed from.

    A row is current only while the candidate's ``records_version``, the catalog's
    fingerprint (``rules_version``) and the day (``as_of``) are the ones it was computed
    from; anything else is stale and is recomputed, never shown as current.
    """

    __tablename__ = "enrolment_results"

    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), primary_key=True
    )
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    credential: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    met_on: Mapped[date | None]
    due: Mapped[date | None]
    projected_on: Mapped[date | None]
    pending_hours: Mapped[float] = mapped_column(Float, default=0.0)
    rules_version: Mapped[str] = mapped_column(String(64))
    records_version: Mapped[int] = mapped_column(BigInteger)
    as_of: Mapped[date]
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    result: Mapped[Any] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<EnrolmentResult {self.enrolment_id} {self.credential} {self.status}>"
