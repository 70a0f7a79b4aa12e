"""Issued progress statements, recorded so that a third party can verify them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accounts.models import User
from tracker.extensions import Model
from tracker.timeutil import utcnow


class IssuedStatement(Model):
    __tablename__ = "issued_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    credential: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    pathway: Mapped[str | None] = mapped_column(String(64))
    as_of: Mapped[date]
    data_sha256: Mapped[str] = mapped_column(String(64))
    records_sha256: Mapped[str] = mapped_column(String(64))
    summary: Mapped[Any] = mapped_column(JSON)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)

    candidate: Mapped[User] = relationship(foreign_keys=[candidate_id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])

    def __repr__(self) -> str:
        return f"<IssuedStatement {self.id} {self.credential} candidate={self.candidate_id}>"
