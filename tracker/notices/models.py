"""Notices and each user's notice settings (muted kinds, calendar secret)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accounts.models import User
from tracker.extensions import Model
from tracker.timeutil import utcnow


class Notice(Model):
    """One thing a user is told. (user, event, day) is unique: the database, not the job,
    makes each notice happen once, even with two servers running reminders at once."""

    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("user_id", "event", "day", name="uq_notices_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(200))
    day: Mapped[date]
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None]
    mailed_at: Mapped[datetime | None]
    mail_attempts: Mapped[int] = mapped_column(Integer, default=0)
    mail_error: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Notice {self.id} {self.kind} {self.event} user={self.user_id} {self.day}>"


class NoticeSettings(Model):
    """Per user: the notice kinds turned off and the calendar feed's secret."""

    __tablename__ = "notice_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    muted: Mapped[list[str]] = mapped_column(JSON, default=list)
    calendar_secret: Mapped[str | None] = mapped_column(String(64), unique=True)

    def __repr__(self) -> str:
        return f"<NoticeSettings user={self.user_id} muted={self.muted}>"
