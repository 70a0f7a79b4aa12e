"""Long background jobs, in the database so that every app host sees their progress."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import Model
from tracker.timeutil import utcnow

if TYPE_CHECKING:  # tasks sit below accounts: the owner is named, not imported
    from tracker.accounts.models import User

STATUSES = ("queued", "running", "done", "failed")


class Job(Model):
    """One long task (a cohort ZIP…): its owner, status, progress and result file."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="queued")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    result_file: Mapped[str | None] = mapped_column(String(255))
    """The file's name under TRACKER_STORAGE_DIR/jobs/<id>/, once done."""
    download_name: Mapped[str | None] = mapped_column(String(255))
    params: Mapped[Any] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    owner: Mapped[User | None] = relationship("User", foreign_keys=[owner_id])

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status} {self.done}/{self.total}>"


class JobItem(Model):
    """One unit of a job (a candidate's statement for one credential), done exactly once.

    The unique key and a conditional update (pending → done) make a unit that two workers
    run at once, or one run again after a crash, count once.
    """

    __tablename__ = "job_items"
    __table_args__ = (UniqueConstraint("job_id", "candidate_id", "credential"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    credential: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    """pending, done (a statement was issued: `code`) or problem (`note` says why)."""
    code: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(String(255))
    note: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<JobItem {self.job_id} {self.candidate_id}/{self.credential} {self.status}>"
