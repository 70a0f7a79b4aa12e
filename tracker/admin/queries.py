"""Read-only queries for the administration pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import joinedload

from tracker.accounts.models import ApiToken, Organization, Role, User
from tracker.errors import NotFoundError
from tracker.extensions import db


@dataclass(frozen=True)
class OrganizationSummary:
    organization: Organization
    users: int
    candidates: int
    mentors: int
    coordinators: int


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"user {user_id} not found")
    return user


def get_token(user: User, token_id: int) -> ApiToken:
    """One of this user's tokens; another user's token is not found here."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFoundError(f"token {token_id} not found")
    return token


def users(organization_id: int | None = None, role: Role | None = None) -> list[User]:
    stmt = (
        select(User)
        .options(joinedload(User.organization))
        .order_by(User.active.desc(), User.name, User.id)
    )
    if organization_id is not None:
        stmt = stmt.where(User.organization_id == organization_id)
    if role is not None:
        stmt = stmt.where(User.role == role)
    return list(db.session.scalars(stmt))


def organizations() -> list[Organization]:
    return list(db.session.scalars(select(Organization).order_by(Organization.name)))


def organization_summaries() -> list[OrganizationSummary]:
    def count_role(role: Role) -> ColumnElement[int]:
        return func.count(case((User.role == role, User.id)))

    stmt = (
        select(
            Organization,
            func.count(User.id),
            count_role(Role.CANDIDATE),
            count_role(Role.MENTOR),
            count_role(Role.COORDINATOR),
        )
        .outerjoin(User, User.organization_id == Organization.id)
        .group_by(Organization.id)
        .order_by(Organization.name)
    )
    return [OrganizationSummary(*row) for row in db.session.execute(stmt)]


def tokens_of(user: User) -> list[ApiToken]:
    """Newest first; revoked ones stay listed for the record."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def recent_jobs(limit: int = 50) -> list[Any]:
    """The newest long background jobs (cohort ZIPs…), unfinished first."""
    from tracker.tasks.models import Job

    finished = case((Job.status.in_(("done", "failed")), 1), else_=0)
    return list(
        db.session.scalars(
            select(Job)
            .options(joinedload(Job.owner))
            .order_by(finished, Job.created_at.desc())
            .limit(limit)
        )
    )
