"""People, organizations and API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import Model, db
from tracker.timeutil import utcnow


class Role(enum.StrEnum):
    CANDIDATE = "candidate"
    MENTOR = "mentor"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @property
    def title(self) -> str:  # type: ignore[override]  # the display title shadows str.title()
        return {
            "candidate": "Candidate",
            "mentor": "Mentor",
            "coordinator": "HR coordinator",
            "admin": "Administrator",
        }[self.value]


class Organization(Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    timezone: Mapped[str | None] = mapped_column(String(64))
    """IANA zone ("Europe/Warsaw") deciding "today" for its users; None: TRACKER_TIMEZONE."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organization")

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.name!r}>"


class User(UserMixin, Model):
    __tablename__ = "users"
    # Lists of people sort by lower(name), id: with these a page of the cohort (all of it,
    # or one organization's) walks an index and stops after one page instead of sorting.
    __table_args__ = (
        Index("ix_users_lower_name", func.lower(text("name")), "id"),
        Index("ix_users_org_lower_name", "organization_id", func.lower(text("name")), "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(
        db.Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on password change and deactivation: older sessions stop matching get_id().
    session_version: Mapped[int] = mapped_column(default=1)
    # A fresh random value whenever the candidate's records change: the evaluation cache key
    # (tracker.credentials.cache). Random, not a counter, so a restored backup reuses none.
    records_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    language: Mapped[str | None] = mapped_column(String(8))
    """The language chosen on the account page; None until chosen (Accept-Language then)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization | None] = relationship(back_populates="users")
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role.value}>"


class ApiToken(Model):
    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}… user={self.user_id}>"


class LoginSession(Model):
    """One login in a browser: every copy of its session and remember-me cookies names it,
    so that ending it (logout, idle time) ends them all."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<LoginSession {self.id} user={self.user_id}>"


class LoginThrottle(Model):
    """Failed logins of one account from one source (or of one source): shared by every
    worker, so the limit holds however many processes serve the app."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(320), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow)
    blocked_until: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<LoginThrottle {self.key} failures={self.failures}>"
