"""Who may see and do what: named predicates shared by pages, API and templates."""

from __future__ import annotations

from sqlalchemy import exists, select

from tracker.accounts.models import Role, User
from tracker.extensions import db


def is_admin(user: User) -> bool:
    return user.role is Role.ADMIN


def same_org(user: User, other: User) -> bool:
    return user.organization_id is not None and user.organization_id == other.organization_id


def is_mentor_of(user: User, candidate: User) -> bool:
    """The user is named as mentor on at least one of the candidate's internships."""
    if user.role is not Role.MENTOR:
        return False
    from tracker.records.models import Internship

    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Internship.candidate_id == candidate.id, Internship.mentor_id == user.id
                )
            )
        )
    )


def can_see_candidate(user: User, candidate: User) -> bool:
    if candidate.role is not Role.CANDIDATE:
        return False
    if user.id == candidate.id or is_admin(user):
        return True
    if user.role is Role.COORDINATOR:
        return same_org(user, candidate)
    return is_mentor_of(user, candidate)


def can_edit_records(user: User, candidate: User) -> bool:
    """Only candidates write their own degrees, courses, exams, hours and attestations."""
    return candidate.role is Role.CANDIDATE and (user.id == candidate.id or is_admin(user))


def can_enrol(user: User, candidate: User) -> bool:
    if candidate.role is not Role.CANDIDATE:
        return False
    if user.id == candidate.id or is_admin(user):
        return True
    return user.role is Role.COORDINATOR and same_org(user, candidate)


def can_manage_cohort(user: User, candidate: User) -> bool:
    """Coordinators of the candidate's organization (and admins): internships, waivers."""
    if candidate.role is not Role.CANDIDATE:
        return False
    return is_admin(user) or (user.role is Role.COORDINATOR and same_org(user, candidate))


def can_create_internship(user: User, candidate: User) -> bool:
    return can_edit_records(user, candidate) or can_manage_cohort(user, candidate)


def can_grant_waiver(user: User, candidate: User) -> bool:
    return can_manage_cohort(user, candidate) and user.id != candidate.id


def can_view_audit(user: User, candidate: User | None = None) -> bool:
    if is_admin(user):
        return True
    if user.role is not Role.COORDINATOR:
        return False
    return candidate is None or same_org(user, candidate)


def can_download_statement(user: User, candidate: User) -> bool:
    return can_see_candidate(user, candidate)


def can_list_candidates(user: User) -> bool:
    return user.role in (Role.COORDINATOR, Role.ADMIN, Role.MENTOR)


def can_manage_users(user: User) -> bool:
    return is_admin(user)


def can_see_approvals(user: User) -> bool:
    return user.role in (Role.COORDINATOR, Role.MENTOR, Role.ADMIN)


def can_verify_records(user: User, candidate: User) -> bool:
    """Coordinators of the candidate's organization and admins check self-reported records
    against their evidence; nobody verifies their own."""
    return can_manage_cohort(user, candidate) and user.id != candidate.id


def can_list_mentors(user: User) -> bool:
    """Whoever records internships needs the mentors they may name."""
    return user.role in (Role.CANDIDATE, Role.COORDINATOR, Role.ADMIN)


def can_see_cohort(user: User) -> bool:
    return user.role in (Role.COORDINATOR, Role.ADMIN)
