"""Internships: supervised experience that a named mentor signs off."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accounts.models import User
from tracker.candidates.models import EntryStatus, candidate_fk, status_column
from tracker.extensions import db
from tracker.timeutil import utcnow


class Internship(db.Model):
    __tablename__ = "internships"
    record_prefix = "i"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = candidate_fk()
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    host: Mapped[str] = mapped_column(String(200))
    start: Mapped[date]
    end: Mapped[date]
    hours: Mapped[float] = mapped_column(Float)
    category: Mapped[str] = mapped_column(String(64), default="financial-planning")
    supervised: Mapped[bool] = mapped_column(default=True)
    status: Mapped[EntryStatus] = status_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    candidate: Mapped[User] = relationship(foreign_keys=[candidate_id])
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    def __repr__(self) -> str:
        return f"<Internship {self.id} {self.host!r} {self.status}>"
